//! SWAP* between two routes (Vidal 2022, "Hybrid genetic search for the CVRP:
//! open-source implementation and SWAP* neighborhood"), for arc routing.
//!
//! A task `u` of one route and a task `v` of another trade places, each
//! going to the *best* position of the other route rather than to the place
//! the other left. With the three cheapest insertion slots of every task in
//! the other route computed once per route pair, the best swap of the pair is
//! found in O(|U|·|V|): the cheapest slot that does not touch the task taken
//! out, or the place it leaves. Relocations of one task to its best slot come
//! free with the same tables.
//!
//! The tables are estimates with the routes' current service directions (and
//! both directions of the task inserted); the move chosen is then priced
//! exactly from the cached segments, which re-optimise every direction, and
//! applied only if it improves. For the classical CARP the estimate is never
//! below the exact cost, so an improving estimate is an improving move.
//!
//! Route pairs are those with a granular-neighbour link between them
//! (coordinates are not needed, unlike the polar sectors of the CVRP
//! version), tested again only when one of the two routes changed.

use super::{LocalSearch, Piece, R, T};
use crate::solver::segment::{Segment, INF};

/// No slot: a table entry not filled.
const NONE: u32 = u32::MAX;

/// One route of the pair being tried (`route`), as points in its current
/// directions: `ends[p]` and `starts[p]` of position `p` (the depot at 0 and `m + 1`),
/// `link[p]` the deadhead from `p` to `p + 1`, `skip[p]` from `p - 1` to
/// `p + 1`.
#[derive(Default)]
pub(super) struct Side {
    route: usize,
    ends: Vec<u32>,
    starts: Vec<u32>,
    link: Vec<i64>,
    skip: Vec<i64>,
}

impl<S: Segment> LocalSearch<'_, S> {
    /// One sweep over the linked route pairs; whether any move was applied.
    pub(super) fn swap_star_sweep(&mut self, loop_id: usize) -> bool {
        let nr = self.routes.len();
        self.linked.clear();
        self.linked.resize(nr * nr, false);
        for u in 0..self.data.num_tasks() {
            let ru = self.route_of[u];
            if ru == super::UNROUTED {
                continue;
            }
            for &v in &self.neighbours[u] {
                let rv = self.route_of[v as usize];
                if rv != super::UNROUTED && rv != ru {
                    self.linked[ru * nr + rv] = true;
                    self.linked[rv * nr + ru] = true;
                }
            }
        }
        self.swap_tested.resize(nr, 0);
        let mut improved = false;
        for r1 in 0..nr {
            if self.routes[r1].is_empty() {
                continue;
            }
            if self
                .deadline
                .is_some_and(|d| std::time::Instant::now() >= d)
            {
                return improved;
            }
            let last = self.swap_tested[r1];
            self.swap_tested[r1] = self.counter;
            for r2 in r1 + 1..nr {
                if !self.linked[r1 * nr + r2] || self.routes[r2].is_empty() {
                    continue;
                }
                let changed = self.last_modified[r1].max(self.last_modified[r2]) > last;
                if (loop_id == 0 || changed) && self.swap_star(r1, r2) {
                    improved = true;
                }
            }
        }
        improved
    }

    /// Fills side `k` with route `r`'s points in its current directions.
    fn load_side(&mut self, k: usize, r: usize) {
        let o = &self.data.inst.oracle;
        let depot = o.depot_point();
        let route = &self.routes[r];
        let segs = &self.data.task_seg;
        let side = &mut self.sides[k];
        side.route = r;
        side.ends.clear();
        side.starts.clear();
        side.ends.push(depot);
        side.starts.push(depot);
        for (&t, &d) in route.tasks.iter().zip(&route.dirs) {
            side.ends.push(segs[t as usize].end()[d as usize]);
            side.starts.push(segs[t as usize].start()[d as usize]);
        }
        side.starts.push(depot);
        let m = route.len();
        side.link.clear();
        side.link
            .extend((0..=m).map(|p| o.dist(side.ends[p], side.starts[p + 1])));
        side.skip.clear();
        side.skip.push(0);
        side.skip
            .extend((1..=m).map(|p| o.dist(side.ends[p - 1], side.starts[p + 1])));
    }

    /// Extra deadhead of putting task `x` between points `a` and `b` (whose
    /// direct deadhead is `ab`), in its better direction (its service cost
    /// left out).
    #[inline]
    fn detour(&self, x: u32, a: u32, b: u32, ab: i64) -> i64 {
        let o = &self.data.inst.oracle;
        let seg = &self.data.task_seg[x as usize];
        let (s, e, c) = (seg.start(), seg.end(), seg.cost());
        let mut best = INF;
        for d in 0..2 {
            if c[d][d] < INF {
                best = best.min(o.dist(a, s[d]) + o.dist(e[d], b));
            }
        }
        best - ab
    }

    /// Fills the three cheapest slots in the route of side `into` of every
    /// task of the route of side `from` (slot `p`: between positions `p` and
    /// `p + 1`), and the deadhead saved by taking each task out of its own.
    fn tabulate(&mut self, from: usize, into: usize) {
        let o = &self.data.inst.oracle;
        let (f, i) = (&self.sides[from], &self.sides[into]);
        let mf = f.ends.len() - 1;
        for p in 1..=mf {
            let x = self.routes[f.route].at(p);
            let mut top = [(INF, NONE); 3];
            for slot in 0..i.link.len() {
                let c = self.detour(x, i.ends[slot], i.starts[slot + 1], i.link[slot]);
                if c < top[2].0 {
                    top[2] = (c, slot as u32);
                    if top[2].0 < top[1].0 {
                        top.swap(1, 2);
                        if top[1].0 < top[0].0 {
                            top.swap(0, 1);
                        }
                    }
                }
            }
            self.slots[x as usize] = top;
            self.gain[x as usize] =
                o.dist(f.ends[p - 1], f.starts[p]) + o.dist(f.ends[p], f.starts[p + 1]) - f.skip[p];
        }
    }

    /// Cheapest estimated slot for `x` in the route of side `k` once the
    /// task at `pu` has left it: a tabulated slot away from `pu`, or `pu`'s
    /// own place (slot `pu - 1` of the original indexing).
    #[inline]
    fn best_slot_without(&self, x: u32, k: usize, pu: usize) -> (i64, usize) {
        let side = &self.sides[k];
        let mut best = (
            self.detour(x, side.ends[pu - 1], side.starts[pu + 1], side.skip[pu]),
            pu - 1,
        );
        for &(c, slot) in &self.slots[x as usize] {
            let slot = slot as usize;
            if slot as u32 != NONE && slot + 1 != pu && slot != pu {
                if c < best.0 {
                    best = (c, slot);
                }
                break;
            }
        }
        best
    }

    /// Capacity price of a route with this load.
    #[inline]
    fn load_price(&self, load: i64) -> i64 {
        self.penalty.excess((load - self.data.capacity).max(0), 0)
    }

    /// Estimated price, capacity included, of moving `x` alone to its
    /// cheapest tabulated slot in the other route (loads `from` and `to`
    /// before the move), and that slot.
    #[inline]
    fn relocation(&self, x: u32, from: i64, to: i64) -> (i64, usize) {
        let d = self.data.inst.tasks[x as usize].demand;
        let (c, slot) = self.slots[x as usize][0];
        let price = c - self.gain[x as usize] + self.load_price(from - d) + self.load_price(to + d);
        (price, slot as usize)
    }

    /// The best SWAP* or relocation between routes `r1` and `r2`, applied
    /// if its exact price improves. Whether a move was applied.
    fn swap_star(&mut self, r1: usize, r2: usize) -> bool {
        self.load_side(0, r1);
        self.load_side(1, r2);
        self.tabulate(0, 1);
        self.tabulate(1, 0);
        let (l1, l2) = (self.routes[r1].load, self.routes[r2].load);
        let base = self.load_price(l1) + self.load_price(l2);
        let (m1, m2) = (self.routes[r1].len(), self.routes[r2].len());
        let demand = |t: u32| self.data.inst.tasks[t as usize].demand;
        // (estimated change, position out of r1, slot in r1, position out of
        // r2, slot in r2); position 0: nothing leaves.
        let mut best = (0i64, 0usize, 0usize, 0usize, 0usize);
        for pu in 1..=m1 {
            let u = self.routes[r1].at(pu);
            let du = demand(u);
            let (delta, slot) = self.relocation(u, l1, l2);
            if delta - base < best.0 {
                best = (delta - base, pu, 0, 0, slot);
            }
            for pv in 1..=m2 {
                let v = self.routes[r2].at(pv);
                let dv = demand(v);
                let caps = self.load_price(l1 - du + dv) + self.load_price(l2 - dv + du) - base;
                let out = caps - self.gain[u as usize] - self.gain[v as usize];
                let (cv, sv) = self.best_slot_without(v, 0, pu);
                let (cu, su) = self.best_slot_without(u, 1, pv);
                let delta = out + cv + cu;
                if delta < best.0 {
                    best = (delta, pu, sv, pv, su);
                }
            }
        }
        for pv in 1..=m2 {
            let (delta, slot) = self.relocation(self.routes[r2].at(pv), l2, l1);
            if delta - base < best.0 {
                best = (delta - base, 0, slot, pv, 0);
            }
        }
        if best.0 >= 0 {
            return false;
        }
        let (_, pu, s1, pv, s2) = best;
        let into1 = (pv > 0).then(|| (self.routes[r2].at(pv), s1));
        let into2 = (pu > 0).then(|| (self.routes[r1].at(pu), s2));
        let (pa, na) = self.rebuilt(r1, pu, into1);
        let (pb, nb) = self.rebuilt(r2, pv, into2);
        let old = self.routes[r1].penalized + self.routes[r2].penalized;
        let new = self.price(&pa[..na]);
        if new >= old {
            return false;
        }
        if new + self.price(&pb[..nb]) < old {
            self.apply(&[(r1, &pa[..na]), (r2, &pb[..nb])]);
            return true;
        }
        false
    }

    /// Route `r` with position `out` taken out (0: none) and `into` = (task,
    /// slot) put in (slot in the original positions; `out - 1` or `out`:
    /// where `out` was).
    fn rebuilt(&self, r: usize, out: usize, into: Option<(u32, usize)>) -> ([Piece; 4], usize) {
        let m = self.routes[r].len();
        let pad = R(r, 1, 0);
        match (out, into) {
            (0, Some((x, p))) => ([R(r, 0, p), T(x), R(r, p + 1, m + 1), pad], 3),
            (pu, None) => ([R(r, 0, pu - 1), R(r, pu + 1, m + 1), pad, pad], 2),
            (pu, Some((x, p))) if p + 1 == pu || p == pu => {
                ([R(r, 0, pu - 1), T(x), R(r, pu + 1, m + 1), pad], 3)
            }
            (pu, Some((x, p))) if p < pu => (
                [R(r, 0, p), T(x), R(r, p + 1, pu - 1), R(r, pu + 1, m + 1)],
                4,
            ),
            (pu, Some((x, p))) => (
                [R(r, 0, pu - 1), R(r, pu + 1, p), T(x), R(r, p + 1, m + 1)],
                4,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::LocalSearch;
    use crate::instance::{Instance, InstanceSpec, Link, Task, TaskKind};
    use crate::solver::data::{Penalty, SolverData};
    use crate::solver::segment::{LeanSeg, Segment};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A ring with chords, edges and arcs to serve.
    fn instance(seed: u64, tasks: usize) -> Instance {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let n = 14;
        let mut links: Vec<Link> = (0..n)
            .map(|i| Link {
                from: i as u32,
                to: ((i + 1) % n) as u32,
                cost: rng.random_range(1..10),
                directed: false,
            })
            .collect();
        for _ in 0..n / 2 {
            links.push(Link {
                from: rng.random_range(0..n as u32),
                to: rng.random_range(0..n as u32),
                cost: rng.random_range(1..15),
                directed: rng.random_bool(0.3),
            });
        }
        let tasks = (0..tasks)
            .map(|_| {
                let c = rng.random_range(1..20);
                Task {
                    from: rng.random_range(0..n as u32),
                    to: rng.random_range(0..n as u32),
                    kind: if rng.random_bool(0.3) {
                        TaskKind::Arc
                    } else {
                        TaskKind::Edge
                    },
                    demand: rng.random_range(1..6),
                    serve_cost: c + rng.random_range(0..3),
                    deadhead_cost: c,
                    class: None,
                }
            })
            .collect();
        Instance::new(InstanceSpec::plain(
            &format!("swap-star-{seed}"),
            n,
            12,
            tasks,
            links,
        ))
        .unwrap()
    }

    /// Cost of serving `tasks` in the given directions from the depot and
    /// back, from the oracle alone; `None` for a direction a task lacks.
    fn walk(inst: &Instance, tasks: &[(u32, u8)]) -> Option<i64> {
        let o = &inst.oracle;
        let data = SolverData::<LeanSeg>::new(inst, 1);
        let mut at = o.depot_point();
        let mut cost = 0;
        for &(t, d) in tasks {
            let seg = &data.task_seg[t as usize];
            if seg.cost()[d as usize][d as usize] >= crate::solver::segment::INF {
                return None;
            }
            cost += o.dist(at, seg.start()[d as usize]) + seg.cost()[d as usize][d as usize];
            at = seg.end()[d as usize];
        }
        if tasks.is_empty() {
            return Some(0);
        }
        Some(cost + o.dist(at, o.depot_point()))
    }

    /// The route's services with their current directions.
    fn services(ls: &LocalSearch<LeanSeg>, r: usize) -> Vec<(u32, u8)> {
        let route = &ls.routes[r];
        route
            .tasks
            .iter()
            .copied()
            .zip(route.dirs.iter().copied())
            .collect()
    }

    /// Least cost of `route` with `x` put in at `slot` (directions kept, `x`
    /// in its better one).
    fn with_at(inst: &Instance, route: &[(u32, u8)], x: u32, slot: usize) -> i64 {
        (0..2)
            .filter_map(|d| {
                let mut r = route.to_vec();
                r.insert(slot, (x, d));
                walk(inst, &r)
            })
            .min()
            .unwrap()
    }

    #[test]
    fn tables_hold_the_three_cheapest_slots_and_the_gain_of_each_removal() {
        for seed in 0..20 {
            let inst = instance(seed, 24);
            let data = SolverData::<LeanSeg>::new(&inst, 8);
            let penalty = Penalty {
                capacity_milli: 1000,
                duration_milli: 1000,
            };
            let mut ls = LocalSearch::new(&data, penalty);
            let order: Vec<u32> = (0..24).collect();
            ls.load(&[&order[..7], &order[7..16], &order[16..]]);
            ls.load_side(0, 0);
            ls.load_side(1, 1);
            ls.tabulate(0, 1);
            let (r0, r1) = (services(&ls, 0), services(&ls, 1));
            let base1 = walk(&inst, &r1).unwrap();
            for (p, &(x, _)) in r0.iter().enumerate() {
                let mut costs: Vec<i64> = (0..=r1.len())
                    .map(|slot| with_at(&inst, &r1, x, slot) - base1)
                    .collect();
                costs.sort_unstable();
                let serve = inst.tasks[x as usize].serve_cost;
                let table: Vec<i64> = ls.slots[x as usize].iter().map(|s| s.0 + serve).collect();
                assert_eq!(table, costs[..3], "seed {seed}, task {x}");
                let mut without = r0.clone();
                without.remove(p);
                let gain = walk(&inst, &r0).unwrap() - walk(&inst, &without).unwrap() - serve;
                assert_eq!(ls.gain[x as usize], gain, "seed {seed}, task {x}");
            }
        }
    }

    #[test]
    fn after_the_search_no_swap_between_linked_routes_is_estimated_to_improve() {
        for seed in 0..12 {
            let inst = instance(seed, 30);
            let data = SolverData::<LeanSeg>::new(&inst, 6);
            let penalty = Penalty {
                capacity_milli: 2000,
                duration_milli: 1000,
            };
            let mut ls = LocalSearch::new(&data, penalty);
            assert!(ls.swap_star);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let order: Vec<u32> = (0..30).collect();
            let chunks: Vec<&[u32]> = order.chunks(5).collect();
            ls.run(&chunks, &mut rng);
            let cap = |load: i64| penalty.excess((load - inst.capacity).max(0), 0);
            let demand = |t: u32| inst.tasks[t as usize].demand;
            let nr = ls.routes.len();
            let mut tried = 0;
            for r1 in 0..nr {
                for r2 in r1 + 1..nr {
                    let linked = (0..30).any(|u| {
                        let ru = ls.route_of[u];
                        ls.neighbours[u].iter().any(|&v| {
                            let rv = ls.route_of[v as usize];
                            (ru, rv) == (r1, r2) || (ru, rv) == (r2, r1)
                        })
                    });
                    if !linked {
                        continue;
                    }
                    let (a, b) = (services(&ls, r1), services(&ls, r2));
                    let load = |r: &[(u32, u8)]| r.iter().map(|s| demand(s.0)).sum::<i64>();
                    let old = ls.routes[r1].penalized + ls.routes[r2].penalized;
                    for pu in 0..a.len() {
                        for pv in 0..b.len() {
                            let (u, v) = (a[pu].0, b[pv].0);
                            let (mut a2, mut b2) = (a.clone(), b.clone());
                            a2.remove(pu);
                            b2.remove(pv);
                            for s1 in 0..=a2.len() {
                                for s2 in 0..=b2.len() {
                                    tried += 1;
                                    let new = with_at(&inst, &a2, v, s1)
                                        + with_at(&inst, &b2, u, s2)
                                        + cap(load(&a2) + demand(v))
                                        + cap(load(&b2) + demand(u));
                                    assert!(new >= old, "seed {seed}: swap {u}/{v} improves");
                                }
                            }
                        }
                    }
                }
            }
            assert!(tried > 0, "seed {seed}: no linked route pair");
        }
    }
}
