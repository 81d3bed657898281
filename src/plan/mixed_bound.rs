//! A turn-aware lower bound for services whose passes may be driven either
//! way (salt spread on a two-way street: an *edge*): the linear relaxation of
//! a flow on the link graph, solved with an LP solver ([`microlp`]).
//!
//! As in [`super::bounds::turn_aware_km`], a node of the flow is "about to
//! drive link l" or "having driven link l", its arcs are the links (their
//! length, times driven) and the legal turns (turn restrictions; U-turns only
//! at dead ends when every vehicle type of the service bans them), and a hub
//! joins the yards: the walks pass through the yards at least as often as
//! the fleet forces. A pure flow cannot say "one of the two directions", so
//! the requirement is a side constraint per street: each direction at least
//! its one-way passes, both together at least all passes. Bridges add cuts
//! the fractional flow would otherwise dodge (half a pass each way down a
//! dead end): work beyond a bridge and no depot of the service there means
//! some vehicle drives in and, as every route ends at its depot, out again.
//! Capacity cuts ([`super::capacity_cuts`]) make parts far from the yards
//! that hold several loads be entered and left by as many trips.
//!
//! Relaxed: fractional flows (a half pass each way round a block), which
//! yard a walk leaves from, capacity beyond the yard passes and the
//! capacity cuts, shift beyond the yard passes, and deadlines. Every plan's
//! walks are such a flow, so its deadhead is at least the optimum less the
//! required passes. Only a proven optimum is a bound:
//! an LP stopped by its time budget gives none.

use super::bounds::{service_links, yard_passes};
use crate::city::VehicleProblem;
use crate::instance::TaskKind;
use crate::network::Network;
use crate::scenario::Scenario;
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, SolutionStatus, Variable};
use std::collections::BTreeMap;
use std::time::Duration;

/// Largest model tried (variables for links and turns); a larger one
/// would take minutes (Andorra salting: 16,818, solved in about 2 s; Malta
/// salting: 156,014, not solved in 30 s), and the node bound stands.
const MAX_VARIABLES: usize = 60_000;

/// Rounds of odd-set cuts at most ([`super::odd_cuts`]), within the budget:
/// each round re-solves (about 0.3 s on Andorra); the first 8 give Andorra
/// most of what 20 do (478.5 -> 485.0 km of passes and deadhead; 486.0).
pub const ODD_CUT_ROUNDS: usize = 8;

/// The bound (km of deadhead) of one service's passes, or `None` when it does
/// not apply (no passes, a re-plan's vehicles out on the road), the model is
/// larger than [`MAX_VARIABLES`], or the LP is not solved to optimality
/// within `budget`.
pub fn mixed_turn_aware_km(
    net: &Network,
    scenario: &Scenario,
    problems: &[&VehicleProblem],
    budget: Duration,
) -> Option<f64> {
    with_odd_rounds(net, scenario, problems, budget, ODD_CUT_ROUNDS)
}

/// [`mixed_turn_aware_km`] with at most `odd_rounds` rounds of odd-set cuts
/// (0: parity at single nodes only).
pub fn with_odd_rounds(
    net: &Network,
    scenario: &Scenario,
    problems: &[&VehicleProblem],
    budget: Duration,
    odd_rounds: usize,
) -> Option<f64> {
    let deadline = std::time::Instant::now() + budget;
    let tasks: Vec<_> = problems.iter().flat_map(|p| p.tasks.iter()).collect();
    if tasks.is_empty() || problems.iter().any(|p| !p.heads.is_empty()) {
        return None;
    }
    let links = 2 * net.segments.len();
    let (drivable, graph) = service_links(net, scenario, problems);
    let turns: usize = (0..links as u32)
        .filter(|&l| drivable[l as usize])
        .map(|l| graph.successors(l).len() + 1)
        .sum();
    if turns > MAX_VARIABLES {
        return None;
    }
    let mut depot = vec![false; net.nodes.len()];
    for p in problems {
        depot[p.depot_node as usize] = true;
    }
    let yard = super::bounds::yards(net, problems);
    let km = |l: usize| net.segments[l / 2].length_m / 1000.0;

    let mut lp = Problem::new(OptimizationDirection::Minimize);
    lp.set_time_limit(budget);
    // Traversals per link (only read where drivable).
    let x: Vec<Option<Variable>> = (0..links)
        .map(|l| drivable[l].then(|| lp.add_var(km(l), (0.0, f64::INFINITY))))
        .collect();
    let mut into: Vec<LinearExpr> = (0..links).map(|_| LinearExpr::empty()).collect();
    let mut out: Vec<LinearExpr> = (0..links).map(|_| LinearExpr::empty()).collect();
    let (mut departures, mut arrivals) = (Vec::new(), Vec::new());
    for l in (0..links).filter(|&l| drivable[l]) {
        for &(b, _) in graph.successors(l as u32) {
            let y = lp.add_var(0.0, (0.0, f64::INFINITY));
            out[l].add(y, 1.0);
            into[b as usize].add(y, 1.0);
        }
        let (u, v) = net.link_ends(l as u32);
        if yard[u as usize] {
            let s = lp.add_var(0.0, (0.0, f64::INFINITY));
            into[l].add(s, 1.0);
            departures.push((s, 1.0));
        }
        if yard[v as usize] {
            let t = lp.add_var(0.0, (0.0, f64::INFINITY));
            out[l].add(t, 1.0);
            arrivals.push((t, 1.0));
        }
    }
    let passes = yard_passes(scenario, problems) as f64;
    lp.add_constraint(departures.as_slice(), ComparisonOp::Ge, passes);
    // The hub balances: as many walks enter the yards as leave them.
    let hub: Vec<_> = arrivals
        .iter()
        .copied()
        .chain(departures.iter().map(|&(v, _)| (v, -1.0)))
        .collect();
    lp.add_constraint(hub.as_slice(), ComparisonOp::Eq, 0.0);
    for (l, x) in x.iter().enumerate() {
        let Some(x) = *x else { continue };
        for side in [&mut into[l], &mut out[l]] {
            let mut e = std::mem::replace(side, LinearExpr::empty());
            e.add(x, -1.0);
            lp.add_constraint(e, ComparisonOp::Eq, 0.0);
        }
    }
    // Passes per street: (one-way along link 2s, along 2s + 1, either way).
    let mut per_street: BTreeMap<u32, [f64; 3]> = BTreeMap::new();
    let mut service_km = 0.0;
    for t in &tasks {
        let l = t.links[0] as usize;
        let need = per_street.entry(t.segment).or_default();
        match t.kind {
            TaskKind::Arc => need[l % 2] += 1.0,
            _ => need[2] += 1.0,
        }
        service_km += km(l);
    }
    for (&s, need) in &per_street {
        let (f, b) = (2 * s as usize, 2 * s as usize + 1);
        let usable = |l: usize| x[l].map(|v| (v, 1.0));
        for (k, &l) in [f, b].iter().enumerate() {
            if need[k] > 0.0 {
                let e: Vec<_> = usable(l).into_iter().collect();
                if e.is_empty() {
                    return None; // a pass no vehicle may drive: the plan says so
                }
                lp.add_constraint(e.as_slice(), ComparisonOp::Ge, need[k]);
            }
        }
        let e: Vec<_> = [f, b].into_iter().filter_map(usable).collect();
        if e.is_empty() {
            return None;
        }
        lp.add_constraint(e.as_slice(), ComparisonOp::Ge, need.iter().sum::<f64>());
    }
    // Parity: every closed walk meets a node an even number of times (in
    // plus out), so where the passes meet a node an odd number of times,
    // some other traversal meets it too.
    let link_ends: Vec<_> = (0..links).map(|l| net.link_ends(l as u32)).collect();
    let required: Vec<u32> = tasks.iter().map(|t| t.links[0]).collect();
    for (_, incident, need) in super::odd_cuts::single_nodes(net.nodes.len(), &link_ends, &required)
    {
        let e: Vec<_> = incident
            .iter()
            .filter_map(|&l| x[l].map(|v| (v, 1.0)))
            .collect();
        lp.add_constraint(e.as_slice(), ComparisonOp::Ge, need);
    }
    // Connectivity: the passes form islands; a vehicle starts at a depot,
    // so one drives out of (and into) every island without a depot, which
    // a fractional circulation inside the island would dodge.
    let (island, count) = islands(net, &tasks, &depot);
    let mut leaving: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); count];
    for l in 0..links {
        let (u, v) = net.link_ends(l as u32);
        let i = island[u as usize];
        if let (Some(x), true) = (x[l], i != u32::MAX && island[v as usize] != i) {
            leaving[i as usize].push((x, 1.0));
        }
    }
    for e in leaving {
        lp.add_constraint(e.as_slice(), ComparisonOp::Ge, 1.0);
    }
    for (into_c, out_of_c) in bridge_cuts(net, &drivable, &tasks, &depot) {
        at_least(&mut lp, &x, &into_c, 1.0);
        at_least(&mut lp, &x, &out_of_c, 1.0);
    }
    // Rounded capacity: far parts holding several loads need several trips.
    let per_load = problems
        .iter()
        .map(|p| {
            let spec = p.spec(scenario);
            spec.least_material_per_m() / spec.capacity
        })
        .fold(f64::INFINITY, f64::min);
    if per_load.is_finite() && per_load > 0.0 {
        let loads: Vec<(u32, f64)> = tasks
            .iter()
            .map(|t| (t.links[0], t.length_m * per_load))
            .collect();
        let metres: Vec<_> = (link_ends.iter().enumerate())
            .map(|(l, &(u, v))| (u, v, net.segments[l / 2].length_m))
            .collect();
        for cut in super::capacity_cuts::capacity_cuts(&metres, &drivable, &loads, &yard) {
            at_least(&mut lp, &x, &cut.into, cut.need);
            at_least(&mut lp, &x, &cut.out_of, cut.need);
        }
    }
    let solution = lp.solve().ok()?.into_solution().ok()?;
    if solution.status() != SolutionStatus::Optimal {
        return None;
    }
    // Parity beyond single nodes, while the LP violates it and time allows:
    // every route is a closed walk, so no walk ends inside a set.
    let no_ends = vec![0.0; net.nodes.len()];
    let (solution, _) = super::odd_cuts::tighten(solution, odd_rounds, Some(deadline), |s| {
        let values: Vec<f64> = x
            .iter()
            .map(|v| v.map_or(0.0, |v| s.var_value(v)))
            .collect();
        super::odd_cuts::separate(&link_ends, &values, &required, &no_ends)
            .into_iter()
            .map(|c| {
                let terms = c.across.iter().filter_map(|&l| x[l].map(|v| (v, 1.0)));
                (terms.collect::<Vec<_>>(), c.need, ())
            })
            .filter(|(terms, _, _)| !terms.is_empty())
            .collect()
    });
    let total = solution.objective();
    // Less the LP's tolerance.
    Some((total - service_km - 1e-6 * total.max(1.0)).max(0.0))
}

/// At least `need` traversals of `links`, of those a vehicle may drive (a
/// cut with none is left out: no plan crosses it, and the plan says why).
fn at_least(lp: &mut Problem, x: &[Option<Variable>], links: &[usize], need: f64) {
    let e: Vec<_> = links
        .iter()
        .filter_map(|&l| x[l].map(|v| (v, 1.0)))
        .collect();
    if !e.is_empty() {
        lp.add_constraint(e.as_slice(), ComparisonOp::Ge, need);
    }
}

/// Links into and out of the far side `C` of each bridge of the drivable
/// streets with passes in `C` and no depot of the service there.
fn bridge_cuts(
    net: &Network,
    drivable: &[bool],
    tasks: &[&crate::city::CityTask],
    depot: &[bool],
) -> Vec<(Vec<usize>, Vec<usize>)> {
    const WORK: u8 = 1;
    const DEPOT: u8 = 2;
    let mut flags = vec![0u8; net.nodes.len()];
    for (n, _) in depot.iter().enumerate().filter(|x| *x.1) {
        flags[n] |= DEPOT;
    }
    for t in tasks {
        let (u, v) = net.link_ends(t.links[0]);
        flags[u as usize] |= WORK;
        flags[v as usize] |= WORK;
    }
    let links = (0..drivable.len()).filter(|&l| drivable[l]).map(|l| {
        let (u, v) = net.link_ends(l as u32);
        (l, u, v)
    });
    super::bridges::link_bridges(net.nodes.len(), links, &flags)
        .into_iter()
        .filter(|b| b.flags & WORK != 0 && b.flags & DEPOT == 0)
        .map(|b| (b.into_far, b.out_of_far))
        .collect()
}

/// The islands of the passes (components of the graph of the streets with
/// passes) that hold no depot: each node's island (`u32::MAX` outside
/// them), and how many there are.
fn islands(net: &Network, tasks: &[&crate::city::CityTask], depot: &[bool]) -> (Vec<u32>, usize) {
    use petgraph::unionfind::UnionFind;
    let n = net.nodes.len();
    let mut uf = UnionFind::<u32>::new(n);
    let mut touched = vec![false; n];
    for t in tasks {
        let (u, v) = net.link_ends(t.links[0]);
        uf.union(u, v);
        touched[u as usize] = true;
        touched[v as usize] = true;
    }
    let mut with_depot = vec![false; n];
    for v in (0..n).filter(|&v| depot[v]) {
        with_depot[uf.find(v as u32) as usize] = true;
    }
    let mut number: BTreeMap<u32, u32> = BTreeMap::new();
    let island = (0..n as u32)
        .map(|v| {
            let root = uf.find(v);
            if !touched[v as usize] || with_depot[root as usize] {
                return u32::MAX;
            }
            let next = number.len() as u32;
            *number.entry(root).or_insert(next)
        })
        .collect();
    (island, number.len())
}
