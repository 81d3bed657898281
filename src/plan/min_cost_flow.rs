//! Minimum-cost flow with node supplies, for the turn-aware deadhead bound.
//!
//! Primal–dual: each phase runs one Dijkstra on reduced costs from every node
//! with supply left, stopped at the first node with demand left, updates the
//! potentials (capped at that distance, so they stay valid), then pushes a
//! blocking flow along arcs of zero reduced cost (depth-first with current-arc
//! pointers), which are exactly the shortest paths. Arc costs must be
//! non-negative; capacities may be "unbounded" ([`UNBOUNDED`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Capacity of an arc without a limit.
pub const UNBOUNDED: i64 = i64::MAX / 4;

pub struct MinCostFlow {
    n: usize,
    /// Arcs in pairs: `2k` forward, `2k + 1` its residual reverse.
    tail: Vec<u32>,
    head: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    supply: Vec<i64>,
}

impl MinCostFlow {
    pub fn new(nodes: usize) -> MinCostFlow {
        MinCostFlow {
            n: nodes,
            tail: Vec::new(),
            head: Vec::new(),
            cap: Vec::new(),
            cost: Vec::new(),
            supply: vec![0; nodes],
        }
    }

    /// An arc `u -> v` with a non-negative cost.
    pub fn arc(&mut self, u: u32, v: u32, cost: i64, cap: i64) {
        debug_assert!(cost >= 0);
        self.tail.extend([u, v]);
        self.head.extend([v, u]);
        self.cap.extend([cap, 0]);
        self.cost.extend([cost, -cost]);
    }

    /// Adds `s` to node `v`'s supply (negative: demand).
    pub fn supply(&mut self, v: u32, s: i64) {
        self.supply[v as usize] += s;
    }

    /// The least cost of a flow that meets every supply and demand, or `None`
    /// when supplies and demands differ or some supply cannot reach a demand.
    pub fn solve(mut self) -> Option<i64> {
        let n = self.n;
        if self.supply.iter().sum::<i64>() != 0 {
            return None;
        }
        // Arcs by tail (CSR).
        let m = self.tail.len();
        let mut start = vec![0u32; n + 1];
        for &u in &self.tail {
            start[u as usize + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let mut out = vec![0u32; m];
        for (k, &u) in self.tail.iter().enumerate() {
            out[fill[u as usize] as usize] = k as u32;
            fill[u as usize] += 1;
        }
        let mut pi = vec![0i64; n];
        let mut dist = vec![i64::MAX; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();
        let mut total = 0i64;
        let mut it = vec![0u32; n];
        let mut on_path = vec![false; n];
        let mut dead = vec![false; n];
        loop {
            let sources: Vec<u32> = (0..n as u32)
                .filter(|&v| self.supply[v as usize] > 0)
                .collect();
            if sources.is_empty() {
                return Some(total);
            }
            for &x in &touched {
                dist[x] = i64::MAX;
            }
            touched.clear();
            heap.clear();
            for &s in &sources {
                dist[s as usize] = 0;
                touched.push(s as usize);
                heap.push(Reverse((0, s)));
            }
            let mut reach: Option<i64> = None;
            while let Some(Reverse((d, u))) = heap.pop() {
                let u = u as usize;
                if d > dist[u] {
                    continue;
                }
                if self.supply[u] < 0 {
                    reach = Some(d);
                    break;
                }
                for &k in &out[start[u] as usize..start[u + 1] as usize] {
                    let k = k as usize;
                    if self.cap[k] <= 0 {
                        continue;
                    }
                    let v = self.head[k] as usize;
                    let nd = d + self.cost[k] + pi[u] - pi[v];
                    if nd < dist[v] {
                        if dist[v] == i64::MAX {
                            touched.push(v);
                        }
                        dist[v] = nd;
                        heap.push(Reverse((nd, v as u32)));
                    }
                }
            }
            let big_d = reach?;
            // pi += min(dist, D), less D everywhere (only differences count).
            for &x in &touched {
                if dist[x] < big_d {
                    pi[x] -= big_d - dist[x];
                }
            }
            // Blocking flow on the arcs of zero reduced cost.
            it[..n].copy_from_slice(&start[..n]);
            dead.fill(false);
            let mut pushed = false;
            for &s in &sources {
                while self.supply[s as usize] > 0 && !dead[s as usize] {
                    match self.path(
                        s as usize,
                        &start,
                        &out,
                        &pi,
                        &mut it,
                        &mut on_path,
                        &mut dead,
                    ) {
                        Some((path, t)) => {
                            let mut f = self.supply[s as usize].min(-self.supply[t]);
                            for &k in &path {
                                f = f.min(self.cap[k as usize]);
                            }
                            for &k in &path {
                                let k = k as usize;
                                self.cap[k] -= f;
                                self.cap[k ^ 1] += f;
                                total += f * self.cost[k];
                            }
                            self.supply[s as usize] -= f;
                            self.supply[t] += f;
                            pushed = true;
                        }
                        None => break,
                    }
                }
            }
            if !pushed {
                // Cannot happen (the Dijkstra found a zero-reduced-cost path);
                // refuse rather than loop.
                return None;
            }
        }
    }

    /// A path of zero-reduced-cost arcs with capacity from `s` to a node with
    /// demand left (the arcs, and that node), depth-first from the current
    /// arcs; nodes found to lead nowhere are marked dead for the phase.
    #[allow(clippy::too_many_arguments)]
    fn path(
        &self,
        s: usize,
        start: &[u32],
        out: &[u32],
        pi: &[i64],
        it: &mut [u32],
        on_path: &mut [bool],
        dead: &mut [bool],
    ) -> Option<(Vec<u32>, usize)> {
        let mut stack: Vec<u32> = Vec::new();
        let mut u = s;
        on_path[s] = true;
        let result = loop {
            if u != s && self.supply[u] < 0 {
                break Some(u);
            }
            let mut advanced = false;
            while it[u] < start[u + 1] {
                let k = out[it[u] as usize] as usize;
                let v = self.head[k] as usize;
                if self.cap[k] > 0 && !dead[v] && !on_path[v] && self.cost[k] + pi[u] - pi[v] == 0 {
                    stack.push(k as u32);
                    on_path[v] = true;
                    u = v;
                    advanced = true;
                    break;
                }
                it[u] += 1;
            }
            if advanced {
                continue;
            }
            dead[u] = true;
            on_path[u] = false;
            match stack.pop() {
                None => break None,
                Some(k) => {
                    u = self.tail[k as usize] as usize;
                    it[u] += 1;
                }
            }
        };
        // Clear the path marks.
        on_path[s] = false;
        for &k in &stack {
            on_path[self.head[k as usize] as usize] = false;
        }
        result.map(|t| (stack, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pathfinding::prelude::{kuhn_munkres_min, Matrix};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// On a random graph, the flow from unit sources to unit sinks costs the
    /// optimal assignment of sources to sinks by shortest path.
    #[test]
    fn unit_flows_cost_the_optimal_assignment() {
        for seed in 0..30u64 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let n = rng.random_range(8..40usize);
            let mut arcs = Vec::new();
            for u in 0..n {
                // A ring keeps every node reachable; some chords.
                arcs.push((u, (u + 1) % n, rng.random_range(0..10i64)));
                for _ in 0..2 {
                    let v = rng.random_range(0..n);
                    if v != u {
                        arcs.push((u, v, rng.random_range(0..30i64)));
                    }
                }
            }
            // Shortest paths (Floyd–Warshall, small n).
            let inf = i64::MAX / 8;
            let mut d = vec![vec![inf; n]; n];
            for (v, row) in d.iter_mut().enumerate() {
                row[v] = 0;
            }
            for &(u, v, c) in &arcs {
                d[u][v] = d[u][v].min(c);
            }
            for k in 0..n {
                for i in 0..n {
                    for j in 0..n {
                        if d[i][k] + d[k][j] < d[i][j] {
                            d[i][j] = d[i][k] + d[k][j];
                        }
                    }
                }
            }
            let units = rng.random_range(1..=n / 2);
            let mut src = Vec::new();
            let mut dst = Vec::new();
            for _ in 0..units {
                src.push(rng.random_range(0..n));
                dst.push(rng.random_range(0..n));
            }
            let mut f = MinCostFlow::new(n);
            for &(u, v, c) in &arcs {
                f.arc(u as u32, v as u32, c, UNBOUNDED);
            }
            for (&s, &t) in src.iter().zip(&dst) {
                f.supply(s as u32, 1);
                f.supply(t as u32, -1);
            }
            let m = Matrix::from_fn(units, units, |(i, j)| d[src[i]][dst[j]]);
            let (want, _) = kuhn_munkres_min(&m);
            assert_eq!(f.solve(), Some(want), "seed {seed}");
        }
    }

    #[test]
    fn unreachable_demand_is_infeasible() {
        let mut f = MinCostFlow::new(3);
        f.arc(0, 1, 1, UNBOUNDED);
        f.supply(0, 1);
        f.supply(2, -1);
        assert_eq!(f.solve(), None);
    }
}
