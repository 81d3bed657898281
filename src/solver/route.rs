//! One route of the local search, with the segments its moves are built from.
//!
//! Positions run from 0 (the depot at the start) through 1..=m (services) to
//! m+1 (the depot at the end). Prefixes, suffixes and, for routes of moderate
//! length, every inner subsequence are kept as segmentss, so any move that cuts
//! routes into a few pieces and glues them again is priced in O(1).

use super::data::{Penalty, SolverData};
use super::segment::Segment;

/// Routes longer than this price inner subsequences by folding (O(length))
/// rather than keeping all m²/2 of them.
const SUB_CACHE_MAX: usize = 160;

#[derive(Clone, Debug)]
pub struct Route<S> {
    pub tasks: Vec<u32>,
    /// Direction of each service, optimal for this order.
    pub dirs: Vec<u8>,
    pre: Vec<S>,
    suf: Vec<S>,
    sub: Vec<S>,
    row: Vec<usize>,
    /// Penalised cost (distance, fixed cost, capacity penalty).
    pub penalized: i64,
    /// Distance cost including the fixed cost (0 when empty).
    pub distance: i64,
    pub load: i64,
}

impl<S> Default for Route<S> {
    fn default() -> Self {
        Route {
            tasks: Vec::new(),
            dirs: Vec::new(),
            pre: Vec::new(),
            suf: Vec::new(),
            sub: Vec::new(),
            row: Vec::new(),
            penalized: 0,
            distance: 0,
            load: 0,
        }
    }
}

impl<S: Segment> Route<S> {
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Recomputes every cached segment, the directions and the costs.
    pub fn rebuild(&mut self, data: &SolverData<S>, penalty: &Penalty) {
        let m = self.tasks.len();
        let oracle = &data.inst.oracle;
        self.pre.clear();
        self.pre.push(data.depot_seg);
        for k in 0..m {
            let s = self.pre[k].concat(&data.task_seg[self.tasks[k] as usize], oracle);
            self.pre.push(s);
        }
        let full = self.pre[m].concat(&data.depot_seg, oracle);
        self.pre.push(full);

        self.suf.clear();
        self.suf.resize(m + 2, data.depot_seg);
        for k in (1..=m).rev() {
            self.suf[k] =
                data.task_seg[self.tasks[k - 1] as usize].concat(&self.suf[k + 1], oracle);
        }
        self.suf[0] = full;

        self.sub.clear();
        self.row.clear();
        if m <= SUB_CACHE_MAX {
            for i in 1..=m {
                self.row.push(self.sub.len());
                let mut s = data.task_seg[self.tasks[i - 1] as usize];
                self.sub.push(s);
                for j in i + 1..=m {
                    s = s.concat(&data.task_seg[self.tasks[j - 1] as usize], oracle);
                    self.sub.push(s);
                }
            }
        }

        // Directions: backtrack through the prefixes.
        self.dirs.clear();
        self.dirs.resize(m, 0);
        let mut next_start = [oracle.depot_point(); 2];
        let mut next_dir = 0usize;
        for k in (1..=m).rev() {
            let p = &self.pre[k];
            let score = |b: usize| p.cost()[0][b] + oracle.dist(p.end()[b], next_start[next_dir]);
            let b = if score(1) < score(0) { 1 } else { 0 };
            self.dirs[k - 1] = b as u8;
            next_start = data.task_seg[self.tasks[k - 1] as usize].start();
            next_dir = b;
        }
        self.load = full.load();
        self.distance = if m == 0 {
            0
        } else {
            full.best() + data.fixed_cost
        };
        self.penalized = penalty.route(&full, data);
    }

    /// Recomputes only the penalised cost (after a penalty change).
    pub fn reprice(&mut self, data: &SolverData<S>, penalty: &Penalty) {
        let full = self.pre[self.tasks.len() + 1];
        self.penalized = penalty.route(&full, data);
    }

    /// The cached segment of positions `i..=j` (0 and m+1 are the depot), for
    /// `i <= j`; `None` when it is not cached (an inner stretch of a long route:
    /// fold its tasks instead).
    #[inline]
    pub fn cached(&self, i: usize, j: usize) -> Option<&S> {
        let m = self.tasks.len();
        if i == 0 {
            Some(&self.pre[j])
        } else if j == m + 1 {
            Some(&self.suf[i])
        } else if !self.row.is_empty() {
            Some(&self.sub[self.row[i - 1] + (j - i)])
        } else {
            None
        }
    }

    /// Segment of positions `i..=j`; `None` when `i > j`.
    pub fn range(&self, i: usize, j: usize, data: &SolverData<S>) -> Option<S> {
        if i > j {
            return None;
        }
        if let Some(s) = self.cached(i, j) {
            return Some(*s);
        }
        let oracle = &data.inst.oracle;
        let mut s = data.task_seg[self.tasks[i - 1] as usize];
        for k in i + 1..=j {
            s = s.concat(&data.task_seg[self.tasks[k - 1] as usize], oracle);
        }
        Some(s)
    }

    /// Task at position `p` (1..=m).
    #[inline]
    pub fn at(&self, p: usize) -> u32 {
        self.tasks[p - 1]
    }
}
