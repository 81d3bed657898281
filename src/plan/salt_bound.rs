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
//! ending at depots) means some vehicle drives out of it. Relaxed: fractional flows,
//! which vehicle drives what, the capacity of each trip, and where the
//! refills fall. Any solution is such a flow, so its length is at least the
//! optimum of the relaxation.

use crate::instance::salt_spreading::model::EndRule;
use crate::instance::salt_spreading::SaltInstance;
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};

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

/// Solves the relaxation (`None` if the LP solver fails); with `integer`,
/// the flow is integral (branch and bound within that time), the bound is
/// the best proven one and the traversals are the incumbent's.
pub fn relaxation(
    salt: &SaltInstance,
    end: EndRule,
    integer: Option<std::time::Duration>,
) -> Option<Relaxation> {
    let links = &salt.links;
    let mut lp = Problem::new(OptimizationDirection::Minimize);
    if let Some(t) = integer {
        lp.set_time_limit(t);
    }
    let var = |lp: &mut Problem, cost: f64, max: f64| {
        if integer.is_some() {
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
    // Starts at the homes, at most one per vehicle.
    for v in &salt.vehicles {
        let mut starts = LinearExpr::empty();
        for &l in &out_of[v.home as usize] {
            let s = var(&mut lp, 0.0, 1.0);
            into[l].add(s, 1.0);
            starts.add(s, 1.0);
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
    for (into_c, out_of_c, need_in, need_out) in bridge_cuts(salt, end) {
        if need_in {
            let e: Vec<_> = into_c.iter().map(|&l| (x[l], 1.0)).collect();
            lp.add_constraint(e.as_slice(), ComparisonOp::Ge, 1.0);
        }
        if need_out {
            let e: Vec<_> = out_of_c.iter().map(|&l| (x[l], 1.0)).collect();
            lp.add_constraint(e.as_slice(), ComparisonOp::Ge, 1.0);
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
    let solution = lp.solve().ok()?.into_solution().ok()?;
    // Less the LP's tolerance.
    let km = match integer {
        Some(_) => solution.stats().best_bound.unwrap_or(0.0),
        None => solution.objective(),
    };
    Some(Relaxation {
        km: (km - 1e-6 * km.max(1.0)).max(0.0),
        traversals: x.iter().map(|&v| solution.var_value(v)).collect(),
    })
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
