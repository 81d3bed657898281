//! A lower bound on the length of any salt-spreading solution: the linear
//! relaxation of a flow model on the turn-aware link graph, solved with an
//! LP solver ([`microlp`]).
//!
//! A node of the flow is "about to drive link l" or "having driven link l";
//! its arcs are the links (the length of the link, times driven) and the
//! legal turns (U-turns only at the nodes of `U`). Each vehicle enters the
//! flow at most once, at its home, and leaves it at a depot (or anywhere in
//! the variant). Every required arc is driven at least once, every required
//! edge at least once in one of its directions. The salt forces depot
//! visits: the trips number at least the salt over the largest capacity and
//! each ends at a depot (with the variant, all but each route's last). The
//! routes' total time is at most the fleet's. Bridges add cuts the
//! fractional flow would otherwise dodge (half a pass each way down a dead
//! end): beyond a bridge (a street whose removal cuts the graph in two), on
//! the side `C` away from the rest, work in `C` and no home in `C` means
//! some vehicle drives into `C`; work in `C` and no depot in `C` (with routes
//! ending at depots) means some vehicle drives out of it. Parity: a walk
//! crosses the boundary of a node set an even number of times unless it
//! starts or ends inside, so where the required items cross it an odd number
//! of times, one more traversal does (or a walk ends inside); single nodes
//! are in the model from the start, larger sets are added while the LP
//! violates them ([`super::odd_cuts`]). Rounded capacity cuts
//! ([`super::capacity_cuts`], the homes counting as yards: vehicles leave
//! them full) make a part far from every home and depot that holds several
//! loads be entered by as many trips and, but for the routes that may end
//! anywhere, left by as many. Relaxed: fractional flows,
//! which vehicle drives what, the capacity of each trip, and where the
//! refills fall. Any solution is such a flow, so its length is at least the
//! optimum of the relaxation.

use super::odd_cuts::OddSet;
use crate::instance::salt_spreading::model::EndRule;
use crate::instance::salt_spreading::SaltInstance;
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Variable};

/// The relaxation's optimum: the bound, and how often it drives each link.
pub struct Relaxation {
    /// Lower bound, km.
    pub km: f64,
    /// Traversals of each link of the instance (fractional).
    pub traversals: Vec<f64>,
}

impl Relaxation {
    /// A service direction per required item (0: along its first link),
    /// the one the relaxation drives more.
    pub fn directions(&self, salt: &SaltInstance) -> Vec<u8> {
        salt.items
            .iter()
            .map(|i| match i.links[..] {
                [a, b] => {
                    u8::from(self.traversals[b as usize] > self.traversals[a as usize] + 1e-6)
                }
                _ => 0,
            })
            .collect()
    }
}

/// The bound in km, or `None` if the LP could not be solved.
pub fn bound_km(salt: &SaltInstance, end: EndRule) -> Option<f64> {
    relaxation(salt, end, None).map(|r| r.km)
}

/// Rounds of "solve, add the violated odd-set cuts" at most: on instances
/// of up to [`SMALL_ITEMS`] required items (Kerteminde, 266: 0.2 s, and it
/// needs more than 40 rounds to converge with the capacity cuts in), and on
/// larger ones, whose rounds cost more (the Andorra export's 1,832 items:
/// about 0.25 s each).
const ODD_CUT_ROUNDS: [usize; 2] = [80, 40];
const SMALL_ITEMS: usize = 1000;

/// Solves the relaxation (`None` if the LP solver fails); with `integer`,
/// the flow is integral (branch and bound within that time), the bound is
/// the best proven one and the traversals are the incumbent's. The linear
/// relaxation is tightened by odd-set cuts ([`super::odd_cuts`]) for as long
/// as it violates some, and the integral model gets the same cuts.
pub fn relaxation(
    salt: &SaltInstance,
    end: EndRule,
    integer: Option<std::time::Duration>,
) -> Option<Relaxation> {
    let (lp, x, ends_at) = model(salt, end, false);
    let solution = lp.solve().ok()?.into_solution().ok()?;
    let rounds = ODD_CUT_ROUNDS[usize::from(salt.items.len() > SMALL_ITEMS)];
    let link_ends = link_ends(salt);
    let required = required(salt);
    let (solution, cuts) =
        super::odd_cuts::tighten(solution, rounds, None, |s: &microlp::Solution| {
            let value = |v: &Variable| s.var_value(*v);
            let traversals: Vec<f64> = x.iter().map(value).collect();
            let ends: Vec<f64> = ends_at.iter().map(|e| e.iter().map(value).sum()).collect();
            super::odd_cuts::separate(&link_ends, &traversals, &required, &ends)
                .into_iter()
                .map(|c| (cut_expr(&c, &x, &ends_at), c.need, c))
                .collect()
        });
    let (km, traversals) = match integer {
        None => (
            solution.objective(),
            x.iter().map(|&v| solution.var_value(v)).collect(),
        ),
        Some(limit) => {
            let (mut mip, x, ends_at) = model(salt, end, true);
            mip.set_time_limit(limit);
            for cut in &cuts {
                mip.add_constraint(
                    cut_expr(cut, &x, &ends_at).as_slice(),
                    ComparisonOp::Ge,
                    cut.need,
                );
            }
            let s = mip.solve().ok()?.into_solution().ok()?;
            let values = x.iter().map(|&v| s.var_value(v)).collect();
            // The proven bound, never below the cut relaxation's.
            (
                s.stats()
                    .best_bound
                    .unwrap_or(0.0)
                    .max(solution.objective()),
                values,
            )
        }
    };
    // Less the LP's tolerance.
    Some(Relaxation {
        km: (km - 1e-6 * km.max(1.0)).max(0.0),
        traversals,
    })
}

/// The terms of an odd-set cut: the traversals across and the walks'
/// starts and ends inside.
fn cut_expr(cut: &OddSet, x: &[Variable], ends_at: &[Vec<Variable>]) -> Vec<(Variable, f64)> {
    let ends = cut.nodes.iter().flat_map(|&v| ends_at[v as usize].iter());
    let across = cut.across.iter().map(|&l| &x[l]);
    across.chain(ends).map(|&v| (v, 1.0)).collect()
}

/// Each link's (from, to).
fn link_ends(salt: &SaltInstance) -> Vec<(u32, u32)> {
    salt.links.iter().map(|l| (l.from, l.to)).collect()
}

/// The link of each required item (its first; both of an edge's meet the
/// same two nodes).
fn required(salt: &SaltInstance) -> Vec<u32> {
    salt.items.iter().map(|i| i.links[0]).collect()
}

/// The flow model: the LP (integer variables with `integer`), the links'
/// traversal variables, and the variables of walks starting or ending at
/// each node.
fn model(
    salt: &SaltInstance,
    end: EndRule,
    integer: bool,
) -> (Problem, Vec<Variable>, Vec<Vec<Variable>>) {
    let links = &salt.links;
    let mut lp = Problem::new(OptimizationDirection::Minimize);
    let var = |lp: &mut Problem, cost: f64, max: f64| {
        if integer {
            lp.add_integer_var(cost, (0, max.min(1e6) as i32))
        } else {
            lp.add_var(cost, (0.0, max))
        }
    };
    // Traversals of each link, cost in km (well scaled).
    let x: Vec<_> = links
        .iter()
        .map(|l| var(&mut lp, l.len / 1000.0, f64::INFINITY))
        .collect();
    // Flow into "about to drive l" and out of "having driven l".
    let mut into: Vec<LinearExpr> = (0..links.len()).map(|_| LinearExpr::empty()).collect();
    let mut out: Vec<LinearExpr> = (0..links.len()).map(|_| LinearExpr::empty()).collect();
    let mut out_of: Vec<Vec<usize>> = vec![Vec::new(); salt.labels.len()];
    for (l, link) in links.iter().enumerate() {
        out_of[link.from as usize].push(l);
    }
    for (a, link) in links.iter().enumerate() {
        for &b in &out_of[link.to as usize] {
            let back = links[b].to == link.from && link.from != link.to;
            if back && !salt.u_turn[link.to as usize] {
                continue;
            }
            let y = var(&mut lp, 0.0, f64::INFINITY);
            out[a].add(y, 1.0);
            into[b].add(y, 1.0);
        }
    }
    // Routes starting and ending at each node, for the parity cuts.
    let mut ends_at: Vec<Vec<Variable>> = vec![Vec::new(); salt.labels.len()];
    // Starts at the homes, at most one per vehicle.
    for v in &salt.vehicles {
        let mut starts = LinearExpr::empty();
        for &l in &out_of[v.home as usize] {
            let s = var(&mut lp, 0.0, 1.0);
            into[l].add(s, 1.0);
            starts.add(s, 1.0);
            ends_at[v.home as usize].push(s);
        }
        lp.add_constraint(starts, ComparisonOp::Le, 1.0);
    }
    // Ends, and the depot arrivals the salt forces.
    let is_depot = |n: u32| salt.depots.iter().any(|d| d.node == n);
    let largest = salt.vehicles.iter().map(|v| v.capacity).fold(0.0, f64::max);
    let trips = (salt.total_demand() / largest - 1e-9).ceil().max(1.0);
    let mut arrivals = LinearExpr::empty();
    for (l, link) in links.iter().enumerate() {
        if end == EndRule::Anywhere || is_depot(link.to) {
            let t = var(&mut lp, 0.0, f64::INFINITY);
            out[l].add(t, 1.0);
            ends_at[link.to as usize].push(t);
        }
        if is_depot(link.to) {
            arrivals.add(x[l], 1.0);
        }
    }
    let forced = match end {
        EndRule::Depot => trips,
        EndRule::Anywhere => (trips - salt.vehicles.len() as f64).max(0.0),
    };
    if forced > 0.0 {
        lp.add_constraint(arrivals, ComparisonOp::Ge, forced);
    }
    for (l, (i, o)) in into.into_iter().zip(out).enumerate() {
        let mut e = i;
        e.add(x[l], -1.0);
        lp.add_constraint(e, ComparisonOp::Eq, 0.0);
        let mut e = o;
        e.add(x[l], -1.0);
        lp.add_constraint(e, ComparisonOp::Eq, 0.0);
    }
    for item in &salt.items {
        let e: Vec<_> = item.links.iter().map(|&l| (x[l as usize], 1.0)).collect();
        lp.add_constraint(e.as_slice(), ComparisonOp::Ge, 1.0);
    }
    let parity =
        super::odd_cuts::single_nodes(salt.labels.len(), &link_ends(salt), &required(salt));
    for (node, incident, need) in parity {
        let ends = ends_at[node].iter().map(|&v| (v, 1.0));
        let e: Vec<_> = incident.iter().map(|&l| (x[l], 1.0)).chain(ends).collect();
        lp.add_constraint(e.as_slice(), ComparisonOp::Ge, need);
    }
    let at_least = |lp: &mut Problem, links: &[usize], need: f64| {
        let e: Vec<_> = links.iter().map(|&l| (x[l], 1.0)).collect();
        lp.add_constraint(e.as_slice(), ComparisonOp::Ge, need);
    };
    for (into_c, out_of_c, need_in, need_out) in bridge_cuts(salt, end) {
        if need_in {
            at_least(&mut lp, &into_c, 1.0);
        }
        if need_out {
            at_least(&mut lp, &out_of_c, 1.0);
        }
    }
    // Rounded capacity: a part with no home and no depot holding several
    // loads is entered by as many trips, and left by as many, less the
    // routes that may end anywhere with the variant.
    let mut yard = vec![false; salt.labels.len()];
    for v in &salt.vehicles {
        yard[v.home as usize] = true;
    }
    for d in &salt.depots {
        yard[d.node as usize] = true;
    }
    let metres: Vec<_> = links.iter().map(|l| (l.from, l.to, l.len)).collect();
    let loads: Vec<_> = salt
        .items
        .iter()
        .map(|i| (i.links[0], i.dem / largest))
        .collect();
    let drivable = vec![true; links.len()];
    let open_ends = match end {
        EndRule::Depot => 0.0,
        EndRule::Anywhere => salt.vehicles.len() as f64,
    };
    for cut in super::capacity_cuts::capacity_cuts(&metres, &drivable, &loads, &yard) {
        at_least(&mut lp, &cut.into, cut.need);
        if cut.need > open_ends {
            at_least(&mut lp, &cut.out_of, cut.need - open_ends);
        }
    }
    let time: Vec<_> = links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.time > 0.0)
        .map(|(k, l)| (x[k], l.time / salt.max_time))
        .collect();
    if !time.is_empty() {
        lp.add_constraint(
            time.as_slice(),
            ComparisonOp::Le,
            salt.vehicles.len() as f64,
        );
    }
    (lp, x, ends_at)
}

/// Links into and out of the far side `C` of each bridge whose side holds
/// required work, with whether a vehicle must drive in and must drive out.
fn bridge_cuts(salt: &SaltInstance, end: EndRule) -> Vec<(Vec<usize>, Vec<usize>, bool, bool)> {
    const WORK: u8 = 1;
    const HOME: u8 = 2;
    const DEPOT: u8 = 4;
    let n = salt.labels.len();
    let mut flags = vec![0u8; n];
    for v in &salt.vehicles {
        flags[v.home as usize] |= HOME;
    }
    for d in &salt.depots {
        flags[d.node as usize] |= DEPOT;
    }
    for item in &salt.items {
        for &l in &item.links {
            flags[salt.links[l as usize].from as usize] |= WORK;
            flags[salt.links[l as usize].to as usize] |= WORK;
        }
    }
    let links = salt.links.iter().enumerate();
    super::bridges::link_bridges(n, links.map(|(l, k)| (l, k.from, k.to)), &flags)
        .into_iter()
        // Work strictly inside C: the bridge itself may be the only work.
        .filter(|b| b.flags & WORK != 0)
        .map(|b| {
            let need_in = b.flags & HOME == 0;
            let need_out = end == EndRule::Depot && b.flags & DEPOT == 0;
            (b.into_far, b.out_of_far, need_in, need_out)
        })
        .collect()
}
