//! A lower bound on the deadhead distance of any plan, to judge a plan's
//! deadhead share against.
//!
//! Relaxation: capacity, shift, depots and turn rules are dropped; only the
//! fact that every vehicle drives closed walks remains, so in the union of all
//! walks every node is balanced. Per service (the passes of all its vehicle
//! types and districts together):
//! - **all tasks one-way passes (arcs)**: at a node where required passes
//!   arrive `b > 0` times more often than they leave, `b` deadhead departures
//!   are needed, and they must end where passes leave more often: a
//!   transportation problem over directed shortest paths, solved exactly as an
//!   assignment (Kuhn–Munkres) of the unit imbalances;
//! - **otherwise** (passes in either direction): with directions ignored, the
//!   deadhead must make every node of odd required degree even: a T-join, at
//!   least half the least-cost assignment between odd nodes (a perfect
//!   matching is half of some assignment).
//!
//! Above [`EXACT_MAX`] units the assignment is replaced by its weaker bound:
//! every unit travels at least to its nearest counterpart.
//!
//! **Turn-aware bound** ([`turn_aware_km`]), for a service whose passes are
//! all arcs (each curb swept, one-way passes): the same balance on the
//! directed *link* graph, where a node is "about to drive link l" or "having
//! driven link l" and the arcs are the links and the legal turns (turn
//! restrictions, and the U-turn ban outside dead ends when every vehicle
//! type of the service has it). Every plan's deadhead, added to its
//! passes, is a set of closed walks in that graph, so it is at least the
//! least-cost flow that balances the passes: a minimum-cost circulation
//! (exact, by [`super::min_cost_flow`]). What the fleet forces is added
//! through a hub: every route leaves and enters a depot, and every refill
//! enters and leaves a refill site, so the walks pass through these yards at
//! least `max(routes, trips)` times, where routes ≥ the service time over the
//! shift (at the fastest service speed) and trips ≥ the material over the
//! largest capacity. Relaxed: which yard a walk leaves from (any yard of the
//! service, whatever it entered), capacity and shift beyond those counts,
//! and deadlines. With edges among the passes (salt either way) it does not
//! apply: [`super::mixed_bound`] solves the flow's linear relaxation with the
//! edges as side constraints where the model is small enough, and otherwise
//! the node bound above (a T-join on the undirected graph) stands.

use crate::city::{CityTask, VehicleProblem};
use crate::network::Network;
use crate::scenario::Scenario;
use pathfinding::kuhn_munkres::kuhn_munkres_min;
use pathfinding::matrix::Matrix;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Time the LP of a service with edges may take ([`super::mixed_bound`]).
const MIXED_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);

/// Largest assignment solved exactly (O(n³)).
const EXACT_MAX: usize = 1200;

/// Adjacency `(neighbour, metres)` per node: legal directions only, or every
/// segment both ways.
fn adjacency(net: &Network, directed: bool) -> Vec<Vec<(u32, f64)>> {
    let mut adj = vec![Vec::new(); net.nodes.len()];
    for s in &net.segments {
        if s.forward || !directed {
            adj[s.from as usize].push((s.to, s.length_m));
        }
        if s.backward || !directed {
            adj[s.to as usize].push((s.from, s.length_m));
        }
    }
    adj
}

/// Distances (metres) from `source` to the targets (`index[v]` = the
/// target's column, `u32::MAX` for other nodes), in a row of `width`
/// (infinite where unreached); the search stops once `want` targets other
/// than the source are settled (the nearest ones).
fn distances(
    adj: &[Vec<(u32, f64)>],
    source: u32,
    index: &[u32],
    width: usize,
    want: usize,
) -> Vec<f64> {
    let mut row = vec![f64::INFINITY; width];
    let mut dist = vec![f64::INFINITY; adj.len()];
    let mut heap = BinaryHeap::new();
    let mut found = 0;
    dist[source as usize] = 0.0;
    heap.push(Reverse((0u64, source)));
    while let Some(Reverse((key, v))) = heap.pop() {
        let d = dist[v as usize];
        if key > (d * 1000.0) as u64 {
            continue; // stale
        }
        if index[v as usize] != u32::MAX && row[index[v as usize] as usize].is_infinite() {
            row[index[v as usize] as usize] = d;
            if v != source {
                found += 1;
                if found >= want {
                    break;
                }
            }
        }
        for &(w, len) in &adj[v as usize] {
            let nd = d + len;
            if nd < dist[w as usize] {
                dist[w as usize] = nd;
                heap.push(Reverse(((nd * 1000.0) as u64, w)));
            }
        }
    }
    row
}

/// Column of each node among `targets` (`u32::MAX` elsewhere).
fn columns(nodes: usize, targets: &[u32]) -> Vec<u32> {
    let mut index = vec![u32::MAX; nodes];
    for (j, &t) in targets.iter().enumerate() {
        index[t as usize] = j as u32;
    }
    index
}

/// Least total cost of pairing each `from` unit with a distinct `to` unit.
fn assignment(cost: &[Vec<f64>]) -> f64 {
    let n = cost.len();
    if n == 0 {
        return 0.0;
    }
    // Integer metres for the Hungarian algorithm; unreachable pairs very dear.
    let big = 1_000_000_000i64;
    let flat: Vec<i64> = cost
        .iter()
        .flat_map(|r| {
            r.iter()
                .map(|&c| if c.is_finite() { c.round() as i64 } else { big })
        })
        .collect();
    match Matrix::from_vec(n, n, flat) {
        Ok(m) => {
            let (total, _) = kuhn_munkres_min(&m);
            total.min(big) as f64
        }
        Err(_) => 0.0,
    }
}

/// Lower bound (km) on the deadhead of the vehicles that service `tasks`.
fn bound_km(net: &Network, adj: &[Vec<Vec<(u32, f64)>>; 2], tasks: &[&CityTask]) -> f64 {
    if tasks.is_empty() {
        return 0.0;
    }
    let all_arcs = tasks
        .iter()
        .all(|t| t.kind == crate::instance::TaskKind::Arc);
    let metres = if all_arcs {
        // b(v) = required arrivals - required departures.
        let mut b: HashMap<u32, i64> = HashMap::new();
        for t in tasks {
            let (u, v) = net.link_ends(t.links[0]);
            *b.entry(v).or_default() += 1;
            *b.entry(u).or_default() -= 1;
        }
        let mut sources: Vec<(u32, i64)> = b
            .iter()
            .filter(|x| *x.1 > 0)
            .map(|(&v, &k)| (v, k))
            .collect();
        let mut sinks: Vec<(u32, i64)> = b
            .iter()
            .filter(|x| *x.1 < 0)
            .map(|(&v, &k)| (v, -k))
            .collect();
        sources.sort_unstable();
        sinks.sort_unstable();
        let units: usize = sources.iter().map(|s| s.1 as usize).sum();
        let exact = units <= EXACT_MAX;
        let sink_nodes: Vec<u32> = sinks.iter().map(|x| x.0).collect();
        let index = columns(net.nodes.len(), &sink_nodes);
        let want = if exact { sinks.len() } else { 1 };
        let rows: Vec<Vec<f64>> = sources
            .par_iter()
            .map(|&(s, _)| distances(&adj[0], s, &index, sinks.len(), want))
            .collect();
        if exact {
            let sink_units: Vec<usize> = sinks
                .iter()
                .enumerate()
                .flat_map(|(j, &(_, k))| std::iter::repeat_n(j, k as usize))
                .collect();
            let cost: Vec<Vec<f64>> = sources
                .iter()
                .zip(&rows)
                .flat_map(|(&(_, k), row)| {
                    std::iter::repeat_n(
                        sink_units.iter().map(|&j| row[j]).collect::<Vec<_>>(),
                        k as usize,
                    )
                })
                .collect();
            assignment(&cost)
        } else {
            sources
                .iter()
                .zip(&rows)
                .map(|(&(_, k), row)| {
                    k as f64 * row.iter().cloned().fold(f64::INFINITY, f64::min).min(1e9)
                })
                .sum()
        }
    } else {
        let mut degree: HashMap<u32, u32> = HashMap::new();
        for t in tasks {
            let (u, v) = net.link_ends(t.links[0]);
            *degree.entry(u).or_default() += 1;
            *degree.entry(v).or_default() += 1;
        }
        let mut odd: Vec<u32> = degree
            .iter()
            .filter(|x| x.1 % 2 == 1)
            .map(|x| *x.0)
            .collect();
        odd.sort_unstable();
        let exact = odd.len() <= EXACT_MAX;
        let index = columns(net.nodes.len(), &odd);
        let want = if exact { odd.len() } else { 1 };
        let rows: Vec<Vec<f64>> = odd
            .par_iter()
            .enumerate()
            .map(|(i, &s)| {
                let mut row = distances(&adj[1], s, &index, odd.len(), want);
                row[i] = f64::INFINITY;
                row
            })
            .collect();
        if exact {
            assignment(&rows) / 2.0
        } else {
            rows.iter()
                .map(|r| r.iter().cloned().fold(f64::INFINITY, f64::min).min(1e9))
                .sum::<f64>()
                / 2.0
        }
    };
    metres / 1000.0
}

/// Centimetres of a link, the flow's cost unit.
fn link_cm(net: &Network, l: u32) -> i64 {
    (net.segments[(l / 2) as usize].length_m * 100.0).floor() as i64
}

/// The turn-aware bound (km) of the passes `problems` hold (one service's),
/// or `None` when it does not apply (an edge among the passes, a re-plan's
/// vehicles out on the road) or the flow has no solution.
pub fn turn_aware_km(
    net: &Network,
    scenario: &Scenario,
    problems: &[&VehicleProblem],
) -> Option<f64> {
    use super::min_cost_flow::{MinCostFlow, UNBOUNDED};
    let tasks: Vec<&CityTask> = problems.iter().flat_map(|p| p.tasks.iter()).collect();
    if tasks.is_empty()
        || problems.iter().any(|p| !p.heads.is_empty())
        || tasks
            .iter()
            .any(|t| t.kind != crate::instance::TaskKind::Arc)
    {
        return None;
    }
    let links = 2 * net.segments.len();
    let (drivable, graph) = service_links(net, scenario, problems);
    // Nodes: 2l "about to drive l", 2l + 1 "having driven l", then the hub.
    let (hub_in, hub_out) = (2 * links as u32, 2 * links as u32 + 1);
    let mut flow = MinCostFlow::new(2 * links + 2);
    let yard = yards(net, problems);
    for l in 0..links as u32 {
        if !drivable[l as usize] {
            continue;
        }
        flow.arc(2 * l, 2 * l + 1, link_cm(net, l), UNBOUNDED);
        for &(b, _) in graph.successors(l) {
            flow.arc(2 * l + 1, 2 * b, 0, UNBOUNDED);
        }
        let (u, v) = net.link_ends(l);
        if yard[v as usize] {
            flow.arc(2 * l + 1, hub_in, 0, UNBOUNDED);
        }
        if yard[u as usize] {
            flow.arc(hub_out, 2 * l, 0, UNBOUNDED);
        }
    }
    for t in &tasks {
        let l = t.links[0];
        flow.supply(2 * l + 1, 1);
        flow.supply(2 * l, -1);
    }
    let passes = yard_passes(scenario, problems);
    // More passes through the yards than forced are allowed (a refill, a
    // turn in the yard): the hub returns flow at no cost.
    flow.arc(hub_in, hub_out, 0, UNBOUNDED);
    flow.supply(hub_out, passes);
    flow.supply(hub_in, -passes);
    flow.solve().map(|cm| cm as f64 / 100_000.0)
}

/// The links any vehicle of the service may drive, and the legal turns
/// between them: turn restrictions, and the U-turn ban outside dead ends when
/// every vehicle type of the service has it (a penalised U-turn has no
/// length, so it is free here).
pub(super) fn service_links(
    net: &Network,
    scenario: &Scenario,
    problems: &[&VehicleProblem],
) -> (Vec<bool>, crate::city::turns::LinkGraph) {
    use crate::city::turns::{LinkGraph, UTurnRule};
    let links = 2 * net.segments.len();
    let drivable: Vec<bool> = (0..links as u32)
        .map(|l| problems.iter().any(|p| p.graph.drivable(l)))
        .collect();
    let banned = problems
        .iter()
        .all(|p| p.spec(scenario).u_turns == crate::scenario::UTurns::DeadEndsOnly);
    let rule = if banned {
        UTurnRule::Forbidden
    } else {
        UTurnRule::Cost(0)
    };
    let graph = LinkGraph::new(net, rule, |l| drivable[l as usize].then_some(1));
    (drivable, graph)
}

/// Whether each node is a yard of the service (a depot or a refill site).
pub(super) fn yards(net: &Network, problems: &[&VehicleProblem]) -> Vec<bool> {
    let mut yard = vec![false; net.nodes.len()];
    for p in problems {
        yard[p.depot_node as usize] = true;
        for &(_, n) in &p.refills {
            yard[n as usize] = true;
        }
    }
    yard
}

/// Passes through the yards the fleet forces: every route leaves and enters
/// a depot and every refill enters and leaves a refill site, so at least
/// `max(routes, trips)`, where routes ≥ the service time over the shift (at
/// the fastest service speed) and trips ≥ the material over the largest
/// capacity.
pub(super) fn yard_passes(scenario: &Scenario, problems: &[&VehicleProblem]) -> i64 {
    let tasks = problems.iter().flat_map(|p| p.tasks.iter());
    let specs: Vec<_> = problems.iter().map(|p| p.spec(scenario)).collect();
    let fastest = specs.iter().map(|s| s.service_kmh).fold(0.0, f64::max);
    let capacity = specs.iter().map(|s| s.capacity).fold(0.0, f64::max);
    let metres: f64 = tasks.clone().map(|t| t.length_m).sum();
    let material: f64 = tasks.map(|t| t.material).sum();
    let shift = scenario.shift_seconds();
    let routes = if fastest > 0.0 && shift > 0.0 {
        (metres / (fastest / 3.6) / shift).ceil()
    } else {
        1.0
    };
    let trips = if capacity > 0.0 {
        (material / capacity - 1e-9).ceil()
    } else {
        1.0
    };
    routes.max(trips).max(1.0) as i64
}

/// Both bounds over all services, summed: the node-balance bound and, where
/// it applies, the turn-aware one (else the node bound again);
/// `(node, turn_aware)` in km. Tasks are pooled per service (salting,
/// sweeping, …) whatever the vehicle type or district the planner gave them
/// to, so the bounds hold for any plan, not only for plans with this
/// decomposition.
pub fn bounds_km(net: &Network, scenario: &Scenario, problems: &[VehicleProblem]) -> (f64, f64) {
    let adj = [adjacency(net, true), adjacency(net, false)];
    let mut by_service: std::collections::BTreeMap<&str, Vec<&VehicleProblem>> = Default::default();
    for p in problems {
        by_service
            .entry(p.spec(scenario).service.name())
            .or_default()
            .push(p);
    }
    let mut node = 0.0;
    let mut turn = 0.0;
    for ps in by_service.values() {
        let tasks: Vec<&CityTask> = ps.iter().flat_map(|p| p.tasks.iter()).collect();
        let b = bound_km(net, &adj, &tasks);
        node += b;
        let t = turn_aware_km(net, scenario, ps)
            .or_else(|| super::mixed_bound::mixed_turn_aware_km(net, scenario, ps, MIXED_BUDGET));
        turn += t.map_or(b, |t| t.max(b));
    }
    (node, turn)
}
