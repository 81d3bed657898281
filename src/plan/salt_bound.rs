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
    let n = salt.labels.len();
    // The simple undirected graph of node pairs with a link.
    let mut pairs: std::collections::BTreeMap<(u32, u32), Vec<usize>> = Default::default();
    for (l, link) in salt.links.iter().enumerate() {
        if link.from != link.to {
            let key = (link.from.min(link.to), link.from.max(link.to));
            pairs.entry(key).or_default().push(l);
        }
    }
    let edges: Vec<(u32, u32)> = pairs.keys().copied().collect();
    let mut adj: Vec<Vec<(u32, usize)>> = vec![Vec::new(); n];
    for (e, &(u, v)) in edges.iter().enumerate() {
        adj[u as usize].push((v, e));
        adj[v as usize].push((u, e));
    }
    // Bridges by an iterative depth-first search (low-link).
    let mut tin = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut parent_edge = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut timer = 0u32;
    let mut bridges = Vec::new();
    for root in 0..n {
        if tin[root] != u32::MAX {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        tin[root] = timer;
        low[root] = timer;
        timer += 1;
        order.push(root);
        while let Some(&mut (u, ref mut next)) = stack.last_mut() {
            if let Some(&(w, e)) = adj[u].get(*next) {
                *next += 1;
                if e == parent_edge[u] {
                    continue;
                }
                let w = w as usize;
                if tin[w] == u32::MAX {
                    tin[w] = timer;
                    low[w] = timer;
                    timer += 1;
                    parent_edge[w] = e;
                    order.push(w);
                    stack.push((w, 0));
                } else {
                    low[u] = low[u].min(tin[w]);
                }
            } else {
                stack.pop();
                if let Some(&(p, _)) = stack.last() {
                    low[p] = low[p].min(low[u]);
                    if low[u] > tin[p] {
                        bridges.push((p, u, parent_edge[u]));
                    }
                }
            }
        }
    }
    // Each node's subtree in the search tree is `C` for the bridge above it.
    let mut is_home = vec![false; n];
    for v in &salt.vehicles {
        is_home[v.home as usize] = true;
    }
    let mut is_depot = vec![false; n];
    for d in &salt.depots {
        is_depot[d.node as usize] = true;
    }
    let mut work = vec![false; n];
    for item in &salt.items {
        for &l in &item.links {
            work[salt.links[l as usize].from as usize] = true;
            work[salt.links[l as usize].to as usize] = true;
        }
    }
    // Subtree flags, children before parents (reverse discovery order).
    let mut sub = vec![(false, false, false); n];
    for &u in order.iter().rev() {
        sub[u].0 |= work[u];
        sub[u].1 |= is_home[u];
        sub[u].2 |= is_depot[u];
        if parent_edge[u] != usize::MAX {
            let (a, b) = edges[parent_edge[u]];
            let p = if a as usize == u { b } else { a } as usize;
            let (w, h, d) = sub[u];
            sub[p].0 |= w;
            sub[p].1 |= h;
            sub[p].2 |= d;
        }
    }
    bridges
        .into_iter()
        .filter_map(|(p, c, e)| {
            let (w, h, d) = sub[c];
            // Work strictly inside C: the bridge itself may be the only work.
            if !w {
                return None;
            }
            let links = &pairs[&edges[e]];
            let into_c: Vec<usize> = links
                .iter()
                .copied()
                .filter(|&l| salt.links[l].from as usize == p)
                .collect();
            let out_of_c: Vec<usize> = links
                .iter()
                .copied()
                .filter(|&l| salt.links[l].from as usize == c)
                .collect();
            let need_in = !h;
            let need_out = end == EndRule::Depot && !d;
            Some((into_c, out_of_c, need_in, need_out))
        })
        .collect()
}
