//! One route of the local search, with the segments its moves are built from.
//!
//! Positions run from 0 (the depot at the start) through 1..=m (services) to
//! m+1 (the depot at the end). Prefixes and suffixes are kept as segments,
//! and the inner stretches: for the routes of a benchmark, every stretch of up
//! to [`CHUNK`] services (longer ones are glued from chunks); for the long
//! routes of a city sector ([`SolverData::long_routes`]), a [`RangeTable`]
//! that gives any stretch, and any stretch in reverse order, with one
//! concatenation. So any move that cuts routes into a few pieces and glues
//! them again, reversed or not, is priced in O(1) however long the pieces.

use super::data::{Penalty, SolverData};
use super::range_table::RangeTable;
use super::segment::Segment;

/// Longest inner subsequence kept as a segment.
pub const CHUNK: usize = 16;

#[derive(Clone, Debug)]
pub struct Route<S> {
    pub tasks: Vec<u32>,
    /// Direction of each service, optimal for this order.
    pub dirs: Vec<u8>,
    pre: Vec<S>,
    suf: Vec<S>,
    sub: Vec<S>,
    row: Vec<usize>,
    /// Long routes only: positions `1..=m` in order, and `m..=1` (each
    /// service free to take either direction) when reversals are not free.
    fwd: RangeTable<S>,
    rev: RangeTable<S>,
    long: bool,
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
            fwd: RangeTable::default(),
            rev: RangeTable::default(),
            long: false,
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
        self.long = data.long_routes;
        let seg = |t: &u32| data.task_seg[*t as usize];
        if self.long {
            self.fwd.rebuild(self.tasks.iter().map(seg), oracle);
            if !data.symmetric {
                self.rev.rebuild(self.tasks.iter().rev().map(seg), oracle);
            }
        } else {
            for i in 1..=m {
                self.row.push(self.sub.len());
                let mut s = data.task_seg[self.tasks[i - 1] as usize];
                self.sub.push(s);
                for j in i + 1..=m.min(i + CHUNK - 1) {
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
    /// `i <= j`; `None` for an inner stretch of a long route (see
    /// [`Route::inner`]) or one longer than [`CHUNK`] (glue its chunks with
    /// [`Route::chunks`]).
    #[inline]
    pub fn cached(&self, i: usize, j: usize) -> Option<&S> {
        let m = self.tasks.len();
        if i == 0 {
            Some(&self.pre[j])
        } else if j == m + 1 {
            Some(&self.suf[i])
        } else if !self.long && j - i < CHUNK {
            Some(&self.sub[self.row[i - 1] + (j - i)])
        } else {
            None
        }
    }

    /// The cached chunks that make up the inner stretch `i..=j`, in order.
    #[inline]
    pub fn chunks(&self, i: usize, j: usize) -> impl Iterator<Item = &S> + '_ {
        (i..=j)
            .step_by(CHUNK)
            .map(move |k| &self.sub[self.row[k - 1] + (j.min(k + CHUNK - 1) - k)])
    }

    /// Inner positions `i..=j` (`1 <= i <= j <= m`) of a long route, in one
    /// concatenation; `None` for other routes.
    #[inline]
    pub fn inner(&self, i: usize, j: usize, data: &SolverData<S>) -> Option<S> {
        self.long
            .then(|| self.fwd.query(i - 1, j - 1, &data.inst.oracle))
    }

    /// Inner positions `j, j-1, …, i` (`1 <= i <= j <= m`), each service in
    /// whichever direction is best, in one concatenation; `None` unless the
    /// route is long and reversals are not free.
    #[inline]
    pub fn reversed(&self, i: usize, j: usize, data: &SolverData<S>) -> Option<S> {
        let m = self.tasks.len();
        (self.long && !data.symmetric).then(|| self.rev.query(m - j, m - i, &data.inst.oracle))
    }

    /// Segment of positions `i..=j`; `None` when `i > j`.
    pub fn range(&self, i: usize, j: usize, data: &SolverData<S>) -> Option<S> {
        if i > j {
            return None;
        }
        if let Some(s) = self.cached(i, j) {
            return Some(*s);
        }
        if let Some(s) = self.inner(i, j, data) {
            return Some(s);
        }
        let oracle = &data.inst.oracle;
        let mut parts = self.chunks(i, j);
        let first = *parts.next()?;
        Some(parts.fold(first, |acc, s| acc.concat(s, oracle)))
    }

    /// Task at position `p` (1..=m).
    #[inline]
    pub fn at(&self, p: usize) -> u32 {
        self.tasks[p - 1]
    }
}
