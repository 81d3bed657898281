//! Route-first giant tours: the tasks chained by a minimum-cost cycle cover,
//! its cycles patched into one tour, which Split then cuts into routes.
//!
//! On a street network where most streets are required (every curb swept,
//! every lane salted), the cheapest way to chain the tasks is almost free: at
//! each intersection the truck leaves by a street it still has to do. A
//! minimum-cost assignment of every task to a successor (rows: where a task
//! ends; columns: where a task starts; cost: the oracle's deadhead, turn rules
//! included when the oracle's points are directed links) is exactly the
//! balancing step of the directed rural postman problem, solved as a
//! transportation problem. Its cycles are then joined by Karp's patching:
//! exchanging the successors of two tasks in different cycles merges them, at
//! the cost change of the two deadheads; where a deadhead of one cycle drives
//! through a street of another, that exchange is free (an Euler-tour splice).
//! Nearest-neighbour tours (the alternative) strand work behind them and pay
//! for it in long empty runs at the end of each route.
//!
//! The assignment is solved exactly on a sparse candidate graph (each task's
//! nearest successors and nearest predecessors) by successive shortest
//! augmenting paths with potentials (Dijkstra on reduced costs), after a
//! greedy matching of the zero-reduced-cost pairs; a row whose candidates run
//! out gets every column. Edges take the cheaper of their directions in each
//! pairing; Split chooses the directions of the tour afterwards.

use crate::instance::Instance;
use rand::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Successors kept per task, and predecessors per task, in the sparse graph.
const SUCCESSORS: usize = 12;
const PREDECESSORS: usize = 6;

/// Deadhead costs between tasks: each task serviced in a fixed direction,
/// or (edges without one) the cheaper direction in each pairing.
/// Tasks are numbered locally: local task `i` is the instance's `ids[i]`
/// (the instance's own numbering without a list).
pub struct Costs<'a> {
    inst: &'a Instance,
    ids: Option<&'a [u32]>,
    dirs: Option<Vec<u8>>,
}

impl<'a> Costs<'a> {
    pub fn new(inst: &'a Instance, ids: &'a [u32], dirs: Option<Vec<u8>>) -> Costs<'a> {
        Costs {
            inst,
            ids: Some(ids),
            dirs,
        }
    }

    /// Costs between the instance's tasks, by their own numbers.
    pub fn all(inst: &'a Instance) -> Costs<'a> {
        Costs {
            inst,
            ids: None,
            dirs: None,
        }
    }

    /// The instance's number of local task `i`.
    #[inline]
    fn id(&self, i: usize) -> usize {
        self.ids.map_or(i, |ids| ids[i] as usize)
    }

    /// The directions task `t` may be serviced in.
    #[inline]
    fn dirs(&self, t: usize) -> std::ops::Range<u8> {
        match &self.dirs {
            Some(d) => d[t]..d[t] + 1,
            None => 0..2,
        }
    }

    /// Cheapest deadhead from the end of task `i` to the start of task `j`.
    #[inline]
    pub fn link(&self, i: usize, j: usize) -> i64 {
        let o = &self.inst.oracle;
        let (ti, tj) = (self.id(i), self.id(j));
        let mut best = i64::MAX;
        for a in self.dirs(i) {
            let (_, e) = o.task_points(ti, a);
            for b in self.dirs(j) {
                let (s, _) = o.task_points(tj, b);
                best = best.min(o.dist(e, s));
            }
        }
        best
    }

    /// Deadhead from the depot to task `j`.
    pub fn from_depot(&self, j: usize) -> i64 {
        let o = &self.inst.oracle;
        self.dirs(j)
            .map(|b| o.dist(o.depot_point(), o.task_points(self.id(j), b).0))
            .min()
            .unwrap_or(i64::MAX)
    }

    /// Deadhead from task `i` to the depot.
    pub fn to_depot(&self, i: usize) -> i64 {
        let o = &self.inst.oracle;
        self.dirs(i)
            .map(|a| o.dist(o.task_points(self.id(i), a).1, o.depot_point()))
            .min()
            .unwrap_or(i64::MAX)
    }
}

/// The sparse candidate graph: per row (task end), `(column, cost)` pairs.
struct Candidates {
    rows: Vec<Vec<(u32, i64)>>,
}

impl Candidates {
    /// Each task's nearest successors, plus each task as a successor of its
    /// nearest predecessors (so every column has candidates). Costs get a
    /// multiplicative noise of up to `noise` (0: the true costs).
    fn new<G: Rng>(k: &Costs, tasks: usize, noise: f64, rng: &mut G) -> Candidates {
        use rayon::prelude::*;
        let n = tasks;
        type Near = Vec<(i64, u32)>;
        let lists: Vec<(Near, Near)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut succ: Vec<(i64, u32)> = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| (k.link(i, j), j as u32))
                    .filter(|c| c.0 < u32::MAX as i64)
                    .collect();
                let mut pred: Vec<(i64, u32)> = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| (k.link(j, i), j as u32))
                    .filter(|c| c.0 < u32::MAX as i64)
                    .collect();
                for (list, k) in [(&mut succ, SUCCESSORS), (&mut pred, PREDECESSORS)] {
                    if list.len() > k {
                        list.select_nth_unstable(k);
                        list.truncate(k);
                    }
                    list.sort_unstable();
                }
                (succ, pred)
            })
            .collect();
        let mut rows: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n];
        for (i, (succ, pred)) in lists.iter().enumerate() {
            rows[i].extend(succ.iter().map(|&(c, j)| (j, c)));
            for &(c, j) in pred {
                rows[j as usize].push((i as u32, c));
            }
        }
        for row in &mut rows {
            row.sort_unstable();
            row.dedup_by_key(|x| x.0);
            if noise > 0.0 {
                for x in row.iter_mut() {
                    let f = 1.0 + noise * rng.random::<f64>();
                    x.1 = (x.1 as f64 * f).round() as i64;
                }
            }
        }
        Candidates { rows }
    }
}

const FREE: u32 = u32::MAX;

/// The state of the successive-shortest-path assignment: matching, and
/// potentials (rows `0..n`, columns `n..2n`; the reduced cost of row `i` to
/// column `j` is `c + pi[i] - pi[n + j]`, never negative, 0 on matched pairs).
struct Assignment {
    n: usize,
    col_of: Vec<u32>,
    row_of: Vec<u32>,
    pi: Vec<i64>,
    dist: Vec<i64>,
    prev: Vec<u32>,
    touched: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

impl Assignment {
    /// Column reduction, then a greedy matching of the zero-reduced-cost pairs.
    fn new(cand: &Candidates) -> Assignment {
        let n = cand.rows.len();
        let mut a = Assignment {
            n,
            col_of: vec![FREE; n],
            row_of: vec![FREE; n],
            pi: vec![0; 2 * n],
            dist: vec![i64::MAX; 2 * n],
            prev: vec![FREE; 2 * n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        };
        let mut col_min = vec![i64::MAX; n];
        for row in &cand.rows {
            for &(j, c) in row {
                col_min[j as usize] = col_min[j as usize].min(c);
            }
        }
        for (j, &m) in col_min.iter().enumerate() {
            a.pi[n + j] = if m == i64::MAX { 0 } else { m };
        }
        for i in 0..n {
            a.raise_row(i, cand);
            let pi = &a.pi;
            if let Some(&(j, _)) = cand.rows[i].iter().find(|&&(j, c)| {
                a.row_of[j as usize] == FREE && c + pi[i] - pi[n + j as usize] == 0
            }) {
                a.col_of[i] = j;
                a.row_of[j as usize] = i as u32;
            }
        }
        a
    }

    /// A free row has no incoming arc: its potential is set so that every arc
    /// out of it has a non-negative reduced cost, one of them 0.
    fn raise_row(&mut self, r: usize, cand: &Candidates) {
        let n = self.n;
        if let Some(p) = cand.rows[r]
            .iter()
            .map(|&(j, c)| self.pi[n + j as usize] - c)
            .max()
        {
            self.pi[r] = p;
        }
    }

    /// One shortest augmenting path from the free row `r` (Dijkstra on reduced
    /// costs, stopped at the first free column); `false` if none exists.
    fn augment(&mut self, r: usize, cand: &Candidates) -> bool {
        let n = self.n;
        self.raise_row(r, cand);
        for &x in &self.touched {
            self.dist[x] = i64::MAX;
            self.prev[x] = FREE;
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[r] = 0;
        self.touched.push(r);
        self.heap.push(Reverse((0, r as u32)));
        let mut found: Option<(usize, i64)> = None;
        while let Some(Reverse((d, x))) = self.heap.pop() {
            let x = x as usize;
            if d > self.dist[x] {
                continue;
            }
            if x >= n {
                let j = x - n;
                if self.row_of[j] == FREE {
                    found = Some((j, d));
                    break;
                }
                // Back along the matched pair, at reduced cost 0.
                let i = self.row_of[j] as usize;
                self.relax(i, d, x);
            } else {
                for &(j, c) in &cand.rows[x] {
                    if self.col_of[x] != j {
                        let y = n + j as usize;
                        let nd = d + c + self.pi[x] - self.pi[y];
                        self.relax(y, nd, x);
                    }
                }
            }
        }
        let Some((j, big_d)) = found else {
            return false;
        };
        for &x in &self.touched {
            if self.dist[x] < big_d {
                self.pi[x] -= big_d - self.dist[x];
            }
        }
        // Flip the path: each row on it takes the column that reached it.
        let mut y = n + j;
        loop {
            let i = self.prev[y] as usize;
            let old = self.col_of[i];
            self.col_of[i] = (y - n) as u32;
            self.row_of[y - n] = i as u32;
            if i == r {
                return true;
            }
            y = n + old as usize;
        }
    }

    #[inline]
    fn relax(&mut self, y: usize, nd: i64, from: usize) {
        if nd < self.dist[y] {
            if self.dist[y] == i64::MAX {
                self.touched.push(y);
            }
            self.dist[y] = nd;
            self.prev[y] = from as u32;
            self.heap.push(Reverse((nd, y as u32)));
        }
    }
}

/// A minimum-cost assignment of a successor to every task (a permutation
/// without fixed points), by successive shortest paths on the candidate
/// graph, then pricing over all pairs: a row with a pair of negative reduced
/// cost gets those pairs and is matched again, until none is left (the
/// potentials then prove the assignment optimal over all pairs, for the
/// costs without noise).
fn assignment(k: &Costs, cand: &mut Candidates) -> Vec<u32> {
    use rayon::prelude::*;
    let n = cand.rows.len();
    let mut a = Assignment::new(cand);
    for round in 0..32 {
        for r in 0..n {
            if a.col_of[r] == FREE && !a.augment(r, cand) {
                // The candidates ran out: give this row every column.
                cand.rows[r] = (0..n)
                    .filter(|&j| j != r)
                    .map(|j| (j as u32, k.link(r, j)))
                    .filter(|x| x.1 < u32::MAX as i64)
                    .collect();
                a.augment(r, cand);
            }
        }
        if round == 31 {
            break;
        }
        let pi = &a.pi;
        let better: Vec<(usize, Vec<(u32, i64)>)> = (0..n)
            .into_par_iter()
            .filter_map(|i| {
                let mut v: Vec<(u32, i64)> = (0..n)
                    .filter(|&j| j != i)
                    .filter_map(|j| {
                        let c = k.link(i, j);
                        (c < u32::MAX as i64 && c + pi[i] - pi[n + j] < 0).then_some((j as u32, c))
                    })
                    .collect();
                v.truncate(SUCCESSORS);
                (!v.is_empty()).then_some((i, v))
            })
            .collect();
        if better.is_empty() {
            break;
        }
        for (i, v) in better {
            cand.rows[i].extend(v);
            cand.rows[i].sort_unstable();
            cand.rows[i].dedup_by_key(|x| x.0);
            let j = a.col_of[i];
            if j != FREE {
                a.row_of[j as usize] = FREE;
                a.col_of[i] = FREE;
            }
        }
    }
    // Rows left free (no finite successor at all) take any free column.
    let mut free_cols: Vec<u32> = (0..n as u32)
        .filter(|&j| a.row_of[j as usize] == FREE)
        .collect();
    let mut col_of = a.col_of;
    for (i, c) in col_of.iter_mut().enumerate() {
        if *c == FREE {
            let k = free_cols.iter().position(|&j| j as usize != i).unwrap_or(0);
            if k < free_cols.len() {
                *c = free_cols.swap_remove(k);
            }
        }
    }
    col_of
}

/// Union-find over cycle ids.
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// Joins the cycles of `succ` into one by exchanging successors (Karp's
/// patching), cheapest exchanges first, over the candidate pairs; cycles the
/// candidates do not link are joined at their cheapest exchange overall.
fn patch(k: &Costs, succ: &mut [u32], cand: &Candidates) {
    let n = succ.len();
    let mut cycle = vec![u32::MAX; n];
    let mut cycles = 0u32;
    for s in 0..n {
        if cycle[s] != u32::MAX {
            continue;
        }
        let mut x = s;
        while cycle[x] == u32::MAX {
            cycle[x] = cycles;
            x = succ[x] as usize;
        }
        cycles += 1;
    }
    let mut parent: Vec<u32> = (0..cycles).collect();
    let mut left = cycles as usize;
    let mut pred = vec![0u32; n];
    let c = |i: usize, j: usize| k.link(i, j);
    while left > 1 {
        for i in 0..n {
            pred[succ[i] as usize] = i as u32;
        }
        // Exchange the successors of i and of p = pred(j): i -> j, p -> succ(i).
        let mut moves: Vec<(i64, u32, u32)> = Vec::new();
        for i in 0..n {
            let ci = find(&mut parent, cycle[i]);
            let si = succ[i] as usize;
            for &(j, _) in &cand.rows[i] {
                let j = j as usize;
                if find(&mut parent, cycle[j]) == ci {
                    continue;
                }
                let p = pred[j] as usize;
                let delta = c(i, j).saturating_add(c(p, si)) - c(i, si) - c(p, j);
                moves.push((delta, i as u32, p as u32));
            }
        }
        if moves.is_empty() {
            // No candidate links two cycles: join the smallest cycle to any
            // other at its cheapest exchange.
            let root: Vec<u32> = (0..n).map(|i| find(&mut parent, cycle[i])).collect();
            let mut size = vec![0usize; cycles as usize];
            for &r in &root {
                size[r as usize] += 1;
            }
            let small = (0..n).min_by_key(|&i| size[root[i] as usize]).unwrap_or(0);
            let cs = root[small];
            let mut best = (i64::MAX, 0u32, 0u32);
            for i in (0..n).filter(|&i| root[i] == cs) {
                let si = succ[i] as usize;
                for p in (0..n).filter(|&p| root[p] != cs) {
                    let j = succ[p] as usize;
                    let delta = c(i, j).saturating_add(c(p, si)) - c(i, si) - c(p, j);
                    if delta < best.0 {
                        best = (delta, i as u32, p as u32);
                    }
                }
            }
            moves.push(best);
        }
        moves.sort_unstable();
        // Apply, cheapest first, every exchange whose tasks are untouched this
        // round (its price is still exact) and whose cycles are still apart.
        let mut touched = vec![false; n];
        for &(_, i, p) in &moves {
            let (i, p) = (i as usize, p as usize);
            if touched[i] || touched[p] {
                continue;
            }
            let (a, b) = (find(&mut parent, cycle[i]), find(&mut parent, cycle[p]));
            if a == b {
                continue;
            }
            succ.swap(i, p);
            touched[i] = true;
            touched[p] = true;
            parent[a as usize] = b;
            left -= 1;
            if left == 1 {
                break;
            }
        }
    }
}

/// Rounds of "orient the edges as the best tour so far services them, chain
/// again" (instances with edges).
const ORIENTATION_ROUNDS: usize = 4;

/// One giant tour (task ids) through every task but the route heads: the
/// patched cycle cover, opened where the way from and back to the depot adds
/// least. `noise` perturbs the costs (0: none) for a diverse population.
///
/// Edges (a street salted once in either direction) are first chained with
/// the cheaper direction in each pairing, a relaxation that may enter and
/// leave an edge at the same end. So the tour's directions are then chosen
/// by dynamic programming, the edges fixed in them, and the tasks chained
/// again as arcs, for as long as the tour gets cheaper.
pub fn giant_tour<G: Rng>(inst: &Instance, noise: f64, rng: &mut G) -> Vec<u32> {
    let ids: Vec<u32> = (0..(inst.num_tasks() - inst.route_heads) as u32).collect();
    tour_of(inst, &ids, None, noise, rng)
}

/// [`giant_tour`] from given service directions (one per task, route heads
/// included or not), for instance the orientation of the edges by a flow
/// that knows the graph: the first round balances the tasks in these
/// directions, the later rounds re-orient as usual. Route heads are left out.
pub fn oriented_tour<G: Rng>(inst: &Instance, dirs: &[u8], rng: &mut G) -> Vec<u32> {
    let ids: Vec<u32> = (0..(inst.num_tasks() - inst.route_heads) as u32).collect();
    let given = ids
        .iter()
        .map(|&t| dirs.get(t as usize).copied().unwrap_or(0) & 1)
        .collect();
    tour_of(inst, &ids, Some(given), 0.0, rng)
}

/// [`giant_tour`] through the tasks `ids` only, the first round in the
/// directions `dirs` (by local index) when given.
fn tour_of<G: Rng>(
    inst: &Instance,
    ids: &[u32],
    mut dirs: Option<Vec<u8>>,
    noise: f64,
    rng: &mut G,
) -> Vec<u32> {
    let n = ids.len();
    if n < 3 {
        return ids.to_vec();
    }
    let edges = ids
        .iter()
        .any(|&t| inst.tasks[t as usize].kind == crate::instance::TaskKind::Edge);
    let rounds = if edges { ORIENTATION_ROUNDS } else { 1 };
    let mut best: Option<(i64, Vec<u32>)> = None;
    for _ in 0..rounds {
        let k = Costs::new(inst, ids, dirs.take());
        let mut cand = Candidates::new(&k, n, noise, rng);
        let mut succ = assignment(&k, &mut cand);
        patch(&k, &mut succ, &cand);
        let tour: Vec<u32> = open(&k, &succ).iter().map(|&i| ids[i as usize]).collect();
        let (cost, d) = orient(inst, &tour);
        if best.as_ref().is_some_and(|b| b.0 <= cost) {
            break;
        }
        best = Some((cost, tour));
        dirs = Some(ids.iter().map(|&t| d[t as usize]).collect());
    }
    best.map(|b| b.1).unwrap_or_default()
}

/// A giant tour in which each of `vehicles` stretches does its share of
/// every priority class in deadline order: a route-first tour per class (and
/// one for the tasks without a class), each cut into `vehicles` pieces of
/// equal service time, the pieces of each class given to the vehicles by a
/// minimum-cost assignment from where each vehicle's stretch ends so far.
/// Split then cuts near the stretches' ends; with tight deadlines this starts
/// every truck on the streets that must be done first.
pub fn layered_tour<G: Rng>(inst: &Instance, vehicles: usize, noise: f64, rng: &mut G) -> Vec<u32> {
    use pathfinding::prelude::{kuhn_munkres_min, Matrix};
    let n = inst.num_tasks() - inst.route_heads;
    let v = vehicles.clamp(1, n.max(1));
    let mut order: Vec<usize> = (0..inst.deadlines.len()).collect();
    order.sort_by_key(|&c| inst.deadlines[c]);
    let mut layers: Vec<Vec<u32>> = order
        .iter()
        .map(|&c| {
            (0..n as u32)
                .filter(|&t| inst.tasks[t as usize].class == Some(c as u8))
                .collect()
        })
        .collect();
    layers.push(
        (0..n as u32)
            .filter(|&t| inst.tasks[t as usize].class.is_none())
            .collect(),
    );
    layers.retain(|l| !l.is_empty());
    let o = &inst.oracle;
    let start_of = |t: u32| o.task_points(t as usize, 0).0;
    let end_of = |t: u32| o.task_points(t as usize, 0).1;
    let mut stretches: Vec<Vec<u32>> = vec![Vec::new(); v];
    for layer in &layers {
        let tour = tour_of(inst, layer, None, noise, rng);
        // Cut into v pieces of equal service time.
        let total: i64 = tour
            .iter()
            .map(|&t| inst.tasks[t as usize].serve_cost)
            .sum();
        let mut pieces: Vec<Vec<u32>> = vec![Vec::new(); v];
        let mut acc = 0i64;
        for &t in &tour {
            let k = ((acc as i128 * v as i128) / (total.max(1) as i128)) as usize;
            pieces[k.min(v - 1)].push(t);
            acc += inst.tasks[t as usize].serve_cost;
        }
        // Piece p to vehicle k at the deadhead from k's last task (or the
        // depot) to p's first.
        let cost = Matrix::from_fn(v, v, |(k, p)| {
            let from = stretches[k].last().map_or(o.depot_point(), |&t| end_of(t));
            pieces[p].first().map_or(0, |&t| o.dist(from, start_of(t)))
        });
        let (_, pick) = kuhn_munkres_min(&cost);
        for (k, &p) in pick.iter().enumerate() {
            stretches[k].extend_from_slice(&pieces[p]);
        }
    }
    stretches.concat()
}

/// The cycle `succ` as a tour from the depot and back, opened where the way
/// out and back adds least.
fn open(k: &Costs, succ: &[u32]) -> Vec<u32> {
    let n = succ.len();
    let at = (0..n)
        .min_by_key(|&i| {
            let j = succ[i] as usize;
            k.to_depot(i)
                .saturating_add(k.from_depot(j))
                .saturating_sub(k.link(i, j))
        })
        .unwrap_or(0);
    let mut tour = Vec::with_capacity(n);
    let mut x = succ[at] as usize;
    for _ in 0..n {
        tour.push(x as u32);
        if x == at {
            break;
        }
        x = succ[x] as usize;
    }
    tour
}

/// The cheapest service directions for `tour` as one route from the depot
/// and back (dynamic programming over the tour), with that route's deadhead;
/// the directions are indexed by task.
fn orient(inst: &Instance, tour: &[u32]) -> (i64, Vec<u8>) {
    let o = &inst.oracle;
    let d0 = o.depot_point();
    let mut dirs = vec![0u8; inst.num_tasks()];
    if tour.is_empty() {
        return (0, dirs);
    }
    let pts = |t: u32, d: u8| o.task_points(t as usize, d);
    // cost[k][d]: cheapest way to have serviced tour[..=k], tour[k] in d.
    let mut cost: Vec<[i64; 2]> = Vec::with_capacity(tour.len());
    let mut from: Vec<[u8; 2]> = Vec::with_capacity(tour.len());
    cost.push([0, 1].map(|d| o.dist(d0, pts(tour[0], d).0)));
    from.push([0, 0]);
    for k in 1..tour.len() {
        let prev = cost[k - 1];
        let mut c = [i64::MAX; 2];
        let mut f = [0u8; 2];
        for d in 0..2u8 {
            let s = pts(tour[k], d).0;
            for p in 0..2u8 {
                let v = prev[p as usize].saturating_add(o.dist(pts(tour[k - 1], p).1, s));
                if v < c[d as usize] {
                    c[d as usize] = v;
                    f[d as usize] = p;
                }
            }
        }
        cost.push(c);
        from.push(f);
    }
    let last = tour.len() - 1;
    let close = |d: u8| cost[last][d as usize].saturating_add(o.dist(pts(tour[last], d).1, d0));
    let mut d = if close(0) <= close(1) { 0 } else { 1 };
    let total = close(d);
    for k in (0..tour.len()).rev() {
        dirs[tour[k] as usize] = d;
        d = from[k][d as usize];
    }
    (total, dirs)
}

/// Sum of the deadheads between consecutive tasks of a closed tour.
#[cfg(test)]
fn cycle_cost(k: &Costs, succ: &[u32]) -> i64 {
    (0..succ.len()).map(|i| k.link(i, succ[i] as usize)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{InstanceSpec, Link, Task, TaskKind};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A random directed instance: a ring plus random arcs, some required.
    fn random_instance(seed: u64, nodes: u32, tasks: usize) -> Instance {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut links = Vec::new();
        for u in 0..nodes {
            links.push(Link {
                from: u,
                to: (u + 1) % nodes,
                cost: rng.random_range(1..20),
                directed: true,
            });
        }
        let mut ts = Vec::new();
        for _ in 0..tasks {
            let from = rng.random_range(0..nodes);
            let mut to = rng.random_range(0..nodes);
            if to == from {
                to = (from + 1) % nodes;
            }
            let c = rng.random_range(1..30);
            ts.push(Task {
                from,
                to,
                kind: if rng.random_bool(0.3) {
                    TaskKind::Edge
                } else {
                    TaskKind::Arc
                },
                demand: 1,
                serve_cost: c,
                deadhead_cost: c,
                class: None,
            });
        }
        Instance::new(InstanceSpec::plain(
            "random",
            nodes as usize,
            1000,
            ts,
            links,
        ))
        .unwrap()
    }

    /// The sparse assignment equals the dense optimum (Kuhn–Munkres on the
    /// full cost matrix, the diagonal forbidden).
    #[test]
    fn sparse_assignment_is_optimal() {
        use pathfinding::prelude::{kuhn_munkres_min, Matrix};
        for seed in 0..20 {
            let inst = random_instance(seed, 15 + seed as u32, 30 + 3 * seed as usize);
            let n = inst.num_tasks();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let ids: Vec<u32> = (0..n as u32).collect();
            let k = Costs::new(&inst, &ids, None);
            let mut cand = Candidates::new(&k, n, 0.0, &mut rng);
            let succ = assignment(&k, &mut cand);
            let mut seen = vec![false; n];
            for (i, &j) in succ.iter().enumerate() {
                assert_ne!(i, j as usize, "seed {seed}: a task follows itself");
                assert!(!seen[j as usize], "seed {seed}: not a permutation");
                seen[j as usize] = true;
            }
            let big = 1_000_000i64;
            let m = Matrix::from_fn(n, n, |(i, j)| if i == j { big } else { k.link(i, j) });
            let (opt, _) = kuhn_munkres_min(&m);
            assert_eq!(cycle_cost(&k, &succ), opt, "seed {seed}");
        }
    }

    /// Patching gives one tour through every task, and never costs less than
    /// the assignment it started from.
    #[test]
    fn patched_tour_visits_every_task_once() {
        for seed in 0..20 {
            let inst = random_instance(100 + seed, 20, 60);
            let n = inst.num_tasks();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let ids: Vec<u32> = (0..n as u32).collect();
            let k = Costs::new(&inst, &ids, None);
            let mut cand = Candidates::new(&k, n, 0.0, &mut rng);
            let mut succ = assignment(&k, &mut cand);
            let lower = cycle_cost(&k, &succ);
            patch(&k, &mut succ, &cand);
            let mut x = 0usize;
            for k in 0..n {
                x = succ[x] as usize;
                assert!(
                    x != 0 || k == n - 1,
                    "seed {seed}: a cycle of {} tasks",
                    k + 1
                );
            }
            assert_eq!(x, 0, "seed {seed}");
            assert!(cycle_cost(&k, &succ) >= lower);
            let tour = giant_tour(&inst, 0.0, &mut rng);
            let mut sorted = tour.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n as u32).collect::<Vec<_>>(), "seed {seed}");
        }
    }
}
