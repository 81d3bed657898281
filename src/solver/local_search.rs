//! Granular local search over routes of services, every move priced in O(1)
//! from cached segments with service directions re-optimised.
//!
//! A move is written as the pieces its new routes are made of (ranges of the
//! current routes, single tasks, reversed ranges); the same description prices
//! the move and, when it improves, applies it. Moves tried for a task `u` and
//! each of its granular neighbours `v` (with `x`, `y` their successors):
//! relocate `u`, `(u,x)` or `(x,u)` after `v`; swap `u`/`v`, `(u,x)`/`v`,
//! `(u,x)`/`(v,y)`; 2-opt* between routes; 2-opt (a reversed stretch) inside a
//! route; and moves into an empty route. First improvement, until none
//! improves; pairs whose routes did not change since they were last tried are
//! skipped. After each pass over the tasks, SWAP* (see [`swap_star`]) tries the
//! route pairs linked by granular neighbours, best move per pair.

use super::data::{Penalty, SolverData};
use super::route::Route;
use super::segment::Segment;
use rand::seq::SliceRandom;
use rand::Rng;

mod swap_star;

#[derive(Clone, Copy, Debug)]
enum Piece {
    /// Positions `i..=j` of a route (0 and m+1 are its depot); empty if `i > j`.
    Range(usize, usize, usize),
    Task(u32),
    /// Positions `i..=j` of a route, in reverse order.
    Rev(usize, usize, usize),
}
use Piece::{Range as R, Rev, Task as T};

/// Lengths of the chains that [`LocalSearch::try_chains`] moves (pairs and
/// single services are the ordinary relocations).
const CHAINS: [usize; 5] = [3, 5, 8, 13, 21];

/// `route_of` of a refill element no route holds.
const UNROUTED: usize = usize::MAX;

pub struct LocalSearch<'a, S: Segment> {
    data: &'a SolverData<'a, S>,
    pub penalty: Penalty,
    routes: Vec<Route<S>>,
    route_of: Vec<usize>,
    pos_of: Vec<usize>,
    order: Vec<u32>,
    neighbours: Vec<Vec<u32>>,
    last_modified: Vec<u64>,
    last_tested: Vec<u64>,
    counter: u64,
    scratch: [Vec<u32>; 2],
    /// Penalised cost of u's route without u, and without (u, succ u), with the
    /// counter value when computed (valid while the route is unchanged).
    removal: Vec<(u64, i64, i64)>,
    /// The same for the chains of [`CHAINS`] services that start at u
    /// (long routes only).
    chain_removal: Vec<(u64, [i64; CHAINS.len()])>,
    /// Moves priced since creation (for throughput measurements).
    pub evaluations: u64,
    /// Stop improving at this time (the routes stay whole and consistent).
    pub deadline: Option<std::time::Instant>,
    /// Only these elements' moves are tried when set (a child that differs
    /// from its locally optimal parent in one region); `None`: all.
    pub focus: Option<Vec<bool>>,
    /// Whether SWAP* between routes is tried (see [`swap_star`]); instances
    /// with refill elements never try it, whatever this says.
    pub swap_star: bool,
    /// SWAP* tables: per element, its three cheapest slots (estimated
    /// detour, slot) in the other route of the pair, and the deadhead saved
    /// by taking it out of its own.
    slots: Vec<[(i64, u32); 3]>,
    gain: Vec<i64>,
    /// Per route, the counter when its SWAP* pairs were last tried; and the
    /// route pairs linked by granular neighbours (row-major).
    swap_tested: Vec<u64>,
    linked: Vec<bool>,
    /// The two routes of the SWAP* pair being tried, as points.
    sides: [swap_star::Side; 2],
}

impl<'a, S: Segment> LocalSearch<'a, S> {
    pub fn new(data: &'a SolverData<'a, S>, penalty: Penalty) -> Self {
        let n = data.num_elements();
        LocalSearch {
            data,
            penalty,
            routes: Vec::new(),
            route_of: vec![UNROUTED; n],
            pos_of: vec![0; n],
            order: (0..n as u32).collect(),
            neighbours: data.neighbours.clone(),
            last_modified: Vec::new(),
            last_tested: vec![0; n],
            counter: 1,
            scratch: [Vec::new(), Vec::new()],
            removal: vec![(0, 0, 0); n],
            chain_removal: vec![(0, [0; CHAINS.len()]); if data.long_routes { n } else { 0 }],
            evaluations: 0,
            deadline: None,
            focus: None,
            swap_star: true,
            slots: vec![[(0, 0); 3]; n],
            gain: vec![0; n],
            swap_tested: Vec::new(),
            linked: Vec::new(),
            sides: Default::default(),
        }
    }

    /// Loads routes (task orders) and improves them until no move improves.
    pub fn run<G: Rng>(&mut self, routes: &[&[u32]], rng: &mut G) {
        self.load(routes);
        self.order.shuffle(rng);
        for list in &mut self.neighbours {
            list.shuffle(rng);
        }
        self.last_tested.fill(0);
        let mut loop_id = 0;
        let mut improved = true;
        // At least two loops: moves into an empty route start in the second.
        while improved || loop_id < 2 {
            improved = false;
            for idx in 0..self.order.len() {
                if idx % 32 == 0
                    && self
                        .deadline
                        .is_some_and(|d| std::time::Instant::now() >= d)
                {
                    return;
                }
                let u = self.order[idx];
                if self.route_of[u as usize] == UNROUTED
                    || self.focus.as_ref().is_some_and(|f| !f[u as usize])
                {
                    continue;
                }
                if self.data.is_refill(u) && self.try_drop_refill(u) {
                    improved = true;
                    continue;
                }
                let last = self.last_tested[u as usize];
                self.last_tested[u as usize] = self.counter;
                for k in 0..self.neighbours[u as usize].len() {
                    let v = self.neighbours[u as usize][k];
                    let (ru, rv) = (self.route_of[u as usize], self.route_of[v as usize]);
                    if (loop_id == 0 || self.last_modified[ru].max(self.last_modified[rv]) > last)
                        && self.try_pair(u, v)
                    {
                        improved = true;
                    }
                }
                if loop_id > 0 && !self.data.is_refill(u) && self.try_empty(u) {
                    improved = true;
                }
            }
            if self.swap_star && self.data.refill_pairs == 0 && self.swap_star_sweep(loop_id) {
                improved = true;
            }
            loop_id += 1;
        }
    }

    fn load(&mut self, routes: &[&[u32]]) {
        // A new counter value: nothing cached by an earlier run stays valid.
        self.counter += 1;
        self.route_of.fill(UNROUTED);
        let want = routes.len().max(self.data.max_routes);
        self.routes.resize_with(want, Route::default);
        self.routes.truncate(want);
        self.last_modified.clear();
        self.last_modified.resize(want, 1);
        for r in 0..want {
            let tasks = routes.get(r).copied().unwrap_or(&[]);
            self.routes[r].tasks.clear();
            self.routes[r].tasks.extend_from_slice(tasks);
            self.refresh(r);
        }
        self.ensure_empty_route();
    }

    fn refresh(&mut self, r: usize) {
        self.routes[r].rebuild(self.data, &self.penalty);
        for (p, &t) in self.routes[r].tasks.iter().enumerate() {
            self.route_of[t as usize] = r;
            self.pos_of[t as usize] = p + 1;
        }
        self.last_modified[r] = self.counter;
    }

    fn ensure_empty_route(&mut self) {
        if self.data.fleet_unlimited() && !self.routes.iter().any(|r| r.is_empty()) {
            let mut r = Route::default();
            r.rebuild(self.data, &self.penalty);
            self.routes.push(r);
            self.last_modified.push(self.counter);
        }
    }

    /// The improved routes: `(task, direction)` per service, empty routes left out.
    pub fn routes(&self) -> Vec<Vec<(u32, u8)>> {
        self.routes
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| {
                r.tasks
                    .iter()
                    .copied()
                    .zip(r.dirs.iter().copied())
                    .collect()
            })
            .collect()
    }

    /// Penalised cost of the current routes.
    pub fn penalized_cost(&self) -> i64 {
        self.routes.iter().map(|r| r.penalized).sum()
    }

    fn fold(&self, pieces: &[Piece]) -> S {
        let data = self.data;
        let oracle = &data.inst.oracle;
        let mut acc: Option<S> = None;
        let push = |s: &S, acc: &mut Option<S>| {
            *acc = Some(match acc {
                None => *s,
                Some(a) => a.concat(s, oracle),
            })
        };
        for &p in pieces {
            match p {
                R(r, i, j) => {
                    if i > j {
                        continue;
                    }
                    let route = &self.routes[r];
                    if let Some(s) = route.cached(i, j) {
                        push(s, &mut acc);
                    } else if let Some(s) = route.inner(i, j, data) {
                        push(&s, &mut acc);
                    } else {
                        for s in route.chunks(i, j) {
                            push(s, &mut acc);
                        }
                    }
                }
                T(t) => push(&data.task_seg[t as usize], &mut acc),
                Rev(r, i, j) => {
                    if i > j {
                        continue;
                    }
                    let route = &self.routes[r];
                    if data.symmetric {
                        if let Some(s) = route.range(i, j, data) {
                            push(&s.reversed(), &mut acc);
                        }
                    } else if let Some(s) = route.reversed(i, j, data) {
                        push(&s, &mut acc);
                    } else {
                        for k in (i..=j).rev() {
                            push(&data.task_seg[route.at(k) as usize], &mut acc);
                        }
                    }
                }
            }
        }
        acc.unwrap_or(data.depot_seg)
    }

    #[inline]
    fn price(&mut self, pieces: &[Piece]) -> i64 {
        self.evaluations += 1;
        let full = self.fold(pieces);
        self.penalty.route(&full, self.data)
    }

    fn emit(&self, pieces: &[Piece], out: &mut Vec<u32>) {
        out.clear();
        for &p in pieces {
            match p {
                R(r, i, j) => {
                    let m = self.routes[r].len();
                    let (a, b) = (i.max(1), j.min(m));
                    if a <= b {
                        out.extend_from_slice(&self.routes[r].tasks[a - 1..b]);
                    }
                }
                T(t) => out.push(t),
                Rev(r, i, j) => {
                    if i <= j {
                        out.extend(self.routes[r].tasks[i - 1..j].iter().rev())
                    }
                }
            }
        }
    }

    fn apply(&mut self, changes: &[(usize, &[Piece])]) {
        self.counter += 1;
        let mut bufs = std::mem::take(&mut self.scratch);
        for (k, (_, pieces)) in changes.iter().enumerate() {
            self.emit(pieces, &mut bufs[k]);
        }
        for (k, &(r, _)) in changes.iter().enumerate() {
            std::mem::swap(&mut self.routes[r].tasks, &mut bufs[k]);
            self.refresh(r);
        }
        self.scratch = bufs;
        self.ensure_empty_route();
    }

    /// Tries the moves for the pair `(u, v)`; applies the first that improves.
    fn try_pair(&mut self, u: u32, v: u32) -> bool {
        let (ru, pu) = (self.route_of[u as usize], self.pos_of[u as usize]);
        let (rv, pv) = (self.route_of[v as usize], self.pos_of[v as usize]);
        let (mu, mv) = (self.routes[ru].len(), self.routes[rv].len());
        let has_x = pu < mu;
        let has_y = pv < mv;

        macro_rules! two {
            ([$($a:expr),*], [$($b:expr),*]) => {{
                let old = self.routes[ru].penalized + self.routes[rv].penalized;
                let pa = [$($a),*];
                let pb = [$($b),*];
                let new = self.price(&pa);
                if new < old {
                    let new = new + self.price(&pb);
                    if new < old {
                        self.apply(&[(ru, &pa[..]), (rv, &pb[..])]);
                        return true;
                    }
                }
            }};
        }
        macro_rules! one {
            ([$($a:expr),*]) => {{
                let old = self.routes[ru].penalized;
                let pa = [$($a),*];
                if self.price(&pa) < old {
                    self.apply(&[(ru, &pa[..])]);
                    return true;
                }
            }};
        }

        if ru != rv {
            // Relocations: the route left behind is priced once per route change,
            // and inserting never costs less than the insertion floor.
            let (without_u, without_ux) = self.removal_prices(u, ru, pu, mu);
            let old_u = self.routes[ru].penalized;
            let floor_u = self.data.insertion_floor[u as usize];
            if without_u - old_u + floor_u < 0 {
                // Relocate u after v (and before v when v is first).
                two!(
                    [R(ru, 0, pu - 1), R(ru, pu + 1, mu + 1)],
                    [R(rv, 0, pv), T(u), R(rv, pv + 1, mv + 1)]
                );
                if pv == 1 {
                    two!(
                        [R(ru, 0, pu - 1), R(ru, pu + 1, mu + 1)],
                        [R(rv, 0, 0), T(u), R(rv, 1, mv + 1)]
                    );
                }
            }
            if has_x {
                let x = self.routes[ru].at(pu + 1);
                if without_ux - old_u + floor_u + self.data.insertion_floor[x as usize] < 0 {
                    two!(
                        [R(ru, 0, pu - 1), R(ru, pu + 2, mu + 1)],
                        [R(rv, 0, pv), R(ru, pu, pu + 1), R(rv, pv + 1, mv + 1)]
                    );
                    two!(
                        [R(ru, 0, pu - 1), R(ru, pu + 2, mu + 1)],
                        [R(rv, 0, pv), Rev(ru, pu, pu + 1), R(rv, pv + 1, mv + 1)]
                    );
                }
            }
            // Swaps.
            two!(
                [R(ru, 0, pu - 1), T(v), R(ru, pu + 1, mu + 1)],
                [R(rv, 0, pv - 1), T(u), R(rv, pv + 1, mv + 1)]
            );
            if has_x {
                two!(
                    [R(ru, 0, pu - 1), T(v), R(ru, pu + 2, mu + 1)],
                    [R(rv, 0, pv - 1), R(ru, pu, pu + 1), R(rv, pv + 1, mv + 1)]
                );
                if has_y {
                    two!(
                        [R(ru, 0, pu - 1), R(rv, pv, pv + 1), R(ru, pu + 2, mu + 1)],
                        [R(rv, 0, pv - 1), R(ru, pu, pu + 1), R(rv, pv + 2, mv + 1)]
                    );
                }
            }
            // 2-opt*: exchange the tails after u and after v.
            two!(
                [R(ru, 0, pu), R(rv, pv + 1, mv + 1)],
                [R(rv, 0, pv), R(ru, pu + 1, mu + 1)]
            );
            // And before u / before v, so that u follows v.
            two!(
                [R(rv, 0, pv), R(ru, pu, mu + 1)],
                [R(ru, 0, pu - 1), R(rv, pv + 1, mv + 1)]
            );
            if self.data.symmetric {
                // 2-opt* with reversal: u's head joined to v's head reversed.
                two!(
                    [R(ru, 0, pu), Rev(rv, 1, pv), R(ru, mu + 1, mu + 1)],
                    [R(rv, 0, 0), Rev(ru, pu + 1, mu), R(rv, pv + 1, mv + 1)]
                );
            }
            if pv == 1 {
                // 2-opt* cutting v's route at its start: u's tail and v's whole
                // route are exchanged.
                two!(
                    [R(ru, 0, pu), R(rv, 1, mv + 1)],
                    [R(rv, 0, 0), R(ru, pu + 1, mu + 1)]
                );
            }
        } else {
            let m = mu;
            let (a, b) = (pu.min(pv), pu.max(pv));
            // Relocate u after v.
            if pu < pv {
                one!([
                    R(ru, 0, pu - 1),
                    R(ru, pu + 1, pv),
                    T(u),
                    R(ru, pv + 1, m + 1)
                ]);
            } else if pv + 1 < pu {
                one!([
                    R(ru, 0, pv),
                    T(u),
                    R(ru, pv + 1, pu - 1),
                    R(ru, pu + 1, m + 1)
                ]);
            }
            if pv == 1 && pu > 1 {
                one!([R(ru, 0, 0), T(u), R(ru, 1, pu - 1), R(ru, pu + 1, m + 1)]);
            }
            // Relocate (u,x) and (x,u) after v.
            if has_x && pv != pu + 1 {
                if pu < pv {
                    one!([
                        R(ru, 0, pu - 1),
                        R(ru, pu + 2, pv),
                        R(ru, pu, pu + 1),
                        R(ru, pv + 1, m + 1)
                    ]);
                    one!([
                        R(ru, 0, pu - 1),
                        R(ru, pu + 2, pv),
                        Rev(ru, pu, pu + 1),
                        R(ru, pv + 1, m + 1)
                    ]);
                } else if pv + 1 < pu {
                    one!([
                        R(ru, 0, pv),
                        R(ru, pu, pu + 1),
                        R(ru, pv + 1, pu - 1),
                        R(ru, pu + 2, m + 1)
                    ]);
                    one!([
                        R(ru, 0, pv),
                        Rev(ru, pu, pu + 1),
                        R(ru, pv + 1, pu - 1),
                        R(ru, pu + 2, m + 1)
                    ]);
                }
            }
            // Swap u and v.
            let (ta, tb) = (self.routes[ru].at(a), self.routes[ru].at(b));
            one!([
                R(ru, 0, a - 1),
                T(tb),
                R(ru, a + 1, b - 1),
                T(ta),
                R(ru, b + 1, m + 1)
            ]);
            // 2-opt: reverse the stretch after the first of them up to the second
            // (without symmetric costs a reversal of a benchmark's route is
            // priced task by task: only short stretches; long routes price any
            // reversal from their range tables).
            if b > a + 1
                && (self.data.symmetric || self.data.long_routes || b - a <= super::route::CHUNK)
            {
                one!([R(ru, 0, a), Rev(ru, a + 1, b), R(ru, b + 1, m + 1)]);
                one!([R(ru, 0, a - 1), Rev(ru, a, b - 1), R(ru, b, m + 1)]);
            }
        }
        self.data.long_routes && self.try_chains(u, v)
    }

    /// Or-opt for long routes: the chain of [`CHAINS`] services that starts
    /// at `u` moved after `v` (in its route or another), as it is or reversed
    /// (each service then free to change direction). Priced in O(1) from the
    /// range tables of long routes.
    fn try_chains(&mut self, u: u32, v: u32) -> bool {
        let (ru, pu) = (self.route_of[u as usize], self.pos_of[u as usize]);
        let (rv, pv) = (self.route_of[v as usize], self.pos_of[v as usize]);
        let (mu, mv) = (self.routes[ru].len(), self.routes[rv].len());
        // Insertion floor of the chain so far (positions pu..=e).
        let mut floor = 0;
        let mut floor_to = pu - 1;
        for (c, k) in CHAINS.into_iter().enumerate() {
            let e = pu + k - 1;
            if e > mu {
                break;
            }
            if ru != rv {
                let old = self.routes[ru].penalized + self.routes[rv].penalized;
                floor += (floor_to + 1..=e)
                    .map(|p| self.data.insertion_floor[self.routes[ru].at(p) as usize])
                    .sum::<i64>();
                floor_to = e;
                let pa = [R(ru, 0, pu - 1), R(ru, e + 1, mu + 1)];
                let without = self.chain_removal_prices(u, ru, pu, mu)[c];
                if without + floor + self.routes[rv].penalized >= old {
                    continue;
                }
                for chain in [R(ru, pu, e), Rev(ru, pu, e)] {
                    let pb = [R(rv, 0, pv), chain, R(rv, pv + 1, mv + 1)];
                    if without + self.price(&pb) < old {
                        self.apply(&[(ru, &pa[..]), (rv, &pb[..])]);
                        return true;
                    }
                }
            } else if pv > e || pv + 1 < pu {
                let old = self.routes[ru].penalized;
                for chain in [R(ru, pu, e), Rev(ru, pu, e)] {
                    let pa = if pv > e {
                        [
                            R(ru, 0, pu - 1),
                            R(ru, e + 1, pv),
                            chain,
                            R(ru, pv + 1, mu + 1),
                        ]
                    } else {
                        [
                            R(ru, 0, pv),
                            chain,
                            R(ru, pv + 1, pu - 1),
                            R(ru, e + 1, mu + 1),
                        ]
                    };
                    if self.price(&pa) < old {
                        self.apply(&[(ru, &pa[..])]);
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Penalised cost of u's route without the chain of each of [`CHAINS`]
    /// services that starts at `u` (unused where the route ends first);
    /// cached like [`Self::removal_prices`], since every neighbour `v` of `u`
    /// in another route needs the same prices.
    fn chain_removal_prices(
        &mut self,
        u: u32,
        ru: usize,
        pu: usize,
        mu: usize,
    ) -> [i64; CHAINS.len()] {
        let cached = self.chain_removal[u as usize];
        if cached.0 >= self.last_modified[ru] {
            return cached.1;
        }
        let mut prices = [i64::MAX / 4; CHAINS.len()];
        for (c, k) in CHAINS.into_iter().enumerate() {
            let e = pu + k - 1;
            if e > mu {
                break;
            }
            prices[c] = self.price(&[R(ru, 0, pu - 1), R(ru, e + 1, mu + 1)]);
        }
        self.chain_removal[u as usize] = (self.counter, prices);
        prices
    }

    /// Penalised cost of u's route without u, and without u and its successor.
    fn removal_prices(&mut self, u: u32, ru: usize, pu: usize, mu: usize) -> (i64, i64) {
        let cached = self.removal[u as usize];
        if cached.0 >= self.last_modified[ru] {
            return (cached.1, cached.2);
        }
        let a = self.price(&[R(ru, 0, pu - 1), R(ru, pu + 1, mu + 1)]);
        let b = if pu < mu {
            self.price(&[R(ru, 0, pu - 1), R(ru, pu + 2, mu + 1)])
        } else {
            i64::MAX / 4
        };
        self.removal[u as usize] = (self.counter, a, b);
        (a, b)
    }

    /// Removes the refill element `u` from its route when that is cheaper.
    fn try_drop_refill(&mut self, u: u32) -> bool {
        let (ru, pu) = (self.route_of[u as usize], self.pos_of[u as usize]);
        let mu = self.routes[ru].len();
        let pa = [R(ru, 0, pu - 1), R(ru, pu + 1, mu + 1)];
        if self.price(&pa) < self.routes[ru].penalized {
            self.apply(&[(ru, &pa[..])]);
            self.route_of[u as usize] = UNROUTED;
            return true;
        }
        false
    }

    /// Moves of `u` into an empty route: alone, or with the tail of its route.
    fn try_empty(&mut self, u: u32) -> bool {
        let Some(re) = self.routes.iter().position(|r| r.is_empty()) else {
            return false;
        };
        let (ru, pu) = (self.route_of[u as usize], self.pos_of[u as usize]);
        let mu = self.routes[ru].len();
        let old = self.routes[ru].penalized;
        let pa = [R(ru, 0, pu - 1), R(ru, pu + 1, mu + 1)];
        let pb = [R(re, 0, 0), T(u), R(re, 1, 1)];
        if self.price(&pa) + self.price(&pb) < old {
            self.apply(&[(ru, &pa[..]), (re, &pb[..])]);
            return true;
        }
        if pu < mu {
            let pa = [R(ru, 0, pu), R(re, 1, 1)];
            let pb = [R(re, 0, 0), R(ru, pu + 1, mu + 1)];
            if self.price(&pa) + self.price(&pb) < old {
                self.apply(&[(ru, &pa[..]), (re, &pb[..])]);
                return true;
            }
        }
        false
    }
}
