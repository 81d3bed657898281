//! Route subsequences whose concatenation is O(1) and re-optimises service
//! directions.
//!
//! A [`Seg`] summarises a sequence of services: for each direction `a` of its
//! first service and `b` of its last, the least cost of servicing the whole
//! sequence (service costs plus the deadheads between them), with every inner
//! direction chosen optimally. Concatenating two segments is a 2×2 min-plus
//! product through the deadhead costs between their ends, so a move rebuilt from
//! a few precomputed segments is evaluated in constant time with all directions
//! re-optimised (Vidal 2017, "Node, edge, arc routing and turn penalties").
//!
//! Two extensions for real fleets keep the concatenation O(1):
//! - **refills** (intermediate facilities) are elements of the sequence whose
//!   two "directions" are two refill sites; the load is summarised as the load
//!   before the first refill, after the last one, and the largest load of a
//!   trip closed inside the segment;
//! - **priority deadlines**: for each priority class (at most
//!   [`MAX_CLASSES`]), the finishing time of the segment's last task of that
//!   class, measured from the segment's start, by direction pair. A route's
//!   lateness per class is then the lateness of its last task of that class:
//!   zero exactly when every task of the class is on time. (The sum over tasks
//!   would need a piecewise-linear function per segment, not O(1).)

#![allow(clippy::needless_range_loop)] // 2×2 min-plus products read best with indices

use crate::instance::CostOracle;

/// Cost that marks an impossible combination (kept far from overflow).
pub const INF: i64 = 1 << 50;

/// Priority classes with a deadline that a segment tracks.
pub const MAX_CLASSES: usize = 3;

/// "No task of this class in the segment".
const NO_DUE: i32 = i32::MIN;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seg {
    /// Oracle point where the segment starts, by direction of its first service.
    pub start: [u32; 2],
    /// Oracle point where it ends, by direction of its last service.
    pub end: [u32; 2],
    /// `cost[a][b]`: least cost with the first service in direction `a`, the last in `b`.
    pub cost: [[i64; 2]; 2],
    /// Total demand of the tasks.
    pub load: i64,
    /// Load before the first refill (the total when there is none).
    pub first: i64,
    /// Load after the last refill (the total when there is none).
    pub last: i64,
    /// Largest load of a trip that starts and ends at refills inside the segment.
    pub closed: i64,
    pub refills: u32,
    /// Number of elements (services and refills).
    pub len: u32,
    /// Bit `k`: the segment holds a task of priority class `k`.
    pub classes: u8,
    /// `due[k][a][b]`: finishing time of the last class-`k` task, from the
    /// segment's start, on the least-cost choice for directions `(a, b)`.
    pub due: [[[i32; 2]; 2]; MAX_CLASSES],
}

impl Seg {
    const EMPTY: Seg = Seg {
        start: [0; 2],
        end: [0; 2],
        cost: [[0; 2]; 2],
        load: 0,
        first: 0,
        last: 0,
        closed: 0,
        refills: 0,
        len: 0,
        classes: 0,
        due: [[[NO_DUE; 2]; 2]; MAX_CLASSES],
    };

    /// The depot alone (both "directions" are the same point).
    pub fn depot(point: u32) -> Seg {
        Seg {
            start: [point; 2],
            end: [point; 2],
            ..Seg::EMPTY
        }
    }

    /// One service of a task with points `(start, end)` per direction.
    pub fn task(points: [(u32, u32); 2], serve: i64, demand: i64) -> Seg {
        Seg {
            start: [points[0].0, points[1].0],
            end: [points[0].1, points[1].1],
            cost: [[serve, INF], [INF, serve]],
            load: demand,
            first: demand,
            last: demand,
            len: 1,
            ..Seg::EMPTY
        }
    }

    /// A task of priority class `class` (0-based, below [`MAX_CLASSES`]).
    pub fn with_class(mut self, class: usize) -> Seg {
        debug_assert!(class < MAX_CLASSES && self.len == 1);
        self.classes |= 1 << class;
        let serve = self.cost[0][0].min(i32::MAX as i64) as i32;
        self.due[class] = [[serve, NO_DUE], [NO_DUE, serve]];
        self
    }

    /// A refill at one of two sites (the element's two "directions"), each
    /// with its own time to refill.
    pub fn refill(sites: [u32; 2], minutes_cost: [i64; 2]) -> Seg {
        Seg {
            start: sites,
            end: sites,
            cost: [[minutes_cost[0], INF], [INF, minutes_cost[1]]],
            refills: 1,
            len: 1,
            ..Seg::EMPTY
        }
    }

    #[inline]
    fn concat_load(&self, next: &Seg, out: &mut Seg) {
        out.load = self.load + next.load;
        out.first = if self.refills > 0 {
            self.first
        } else {
            self.first + next.first
        };
        out.last = if next.refills > 0 {
            next.last
        } else {
            self.last + next.last
        };
        out.closed = self.closed.max(next.closed);
        if self.refills > 0 && next.refills > 0 {
            out.closed = out.closed.max(self.last + next.first);
        }
        out.refills = self.refills + next.refills;
        out.len = self.len + next.len;
    }

    /// `self` followed by `next`, with the deadhead between them.
    #[inline]
    pub fn concat(&self, next: &Seg, oracle: &CostOracle) -> Seg {
        let mut mid = [[0i64; 2]; 2];
        for (b, row) in mid.iter_mut().enumerate() {
            for (c, m) in row.iter_mut().enumerate() {
                *m = oracle.dist(self.end[b], next.start[c]);
            }
        }
        let mut out = Seg {
            start: self.start,
            end: next.end,
            ..Seg::EMPTY
        };
        self.concat_load(next, &mut out);
        if (self.classes | next.classes) == 0 {
            for a in 0..2 {
                // through[c]: best cost ending at the start of `next` in direction c.
                let through = [
                    (self.cost[a][0] + mid[0][0]).min(self.cost[a][1] + mid[1][0]),
                    (self.cost[a][0] + mid[0][1]).min(self.cost[a][1] + mid[1][1]),
                ];
                for d in 0..2 {
                    out.cost[a][d] = (through[0] + next.cost[0][d])
                        .min(through[1] + next.cost[1][d])
                        .min(INF);
                }
            }
            return out;
        }
        // With deadlines: the same minimum, keeping its arg-min to time the tasks.
        out.classes = self.classes | next.classes;
        for a in 0..2 {
            for d in 0..2 {
                let mut best = (INF, 0, 0);
                for b in 0..2 {
                    for c in 0..2 {
                        let v = self.cost[a][b] + mid[b][c] + next.cost[c][d];
                        if v < best.0 {
                            best = (v, b, c);
                        }
                    }
                }
                let (v, b, c) = best;
                out.cost[a][d] = v.min(INF);
                let offset = (self.cost[a][b] + mid[b][c]).min(i32::MAX as i64 / 2) as i32;
                for k in 0..MAX_CLASSES {
                    let mine = self.due[k][a][b];
                    let theirs = next.due[k][c][d];
                    let shifted = if theirs == NO_DUE {
                        NO_DUE
                    } else {
                        offset.saturating_add(theirs)
                    };
                    out.due[k][a][d] = mine.max(shifted);
                }
            }
        }
        out
    }

    /// The same services in reverse order, each in the opposite direction.
    /// Valid only when deadhead costs are symmetric and every task is an edge
    /// (then the reversed sequence costs the same) and no deadline is tracked.
    #[inline]
    pub fn reversed(&self) -> Seg {
        Seg {
            start: [self.end[1], self.end[0]],
            end: [self.start[1], self.start[0]],
            cost: [
                [self.cost[1][1], self.cost[0][1]],
                [self.cost[1][0], self.cost[0][0]],
            ],
            first: self.last,
            last: self.first,
            ..*self
        }
    }

    /// Direction pair `(a, b)` of the least cost.
    #[inline]
    pub fn best_pair(&self) -> (usize, usize) {
        let mut best = (0, 0);
        for a in 0..2 {
            for b in 0..2 {
                if self.cost[a][b] < self.cost[best.0][best.1] {
                    best = (a, b);
                }
            }
        }
        best
    }

    /// Least cost over all direction choices (for a segment from depot to depot).
    #[inline]
    pub fn best(&self) -> i64 {
        self.cost[0][0]
            .min(self.cost[0][1])
            .min(self.cost[1][0])
            .min(self.cost[1][1])
    }

    /// Load above `capacity`, summed over the trips between refills.
    #[inline]
    pub fn excess_load(&self, capacity: i64) -> i64 {
        if self.refills == 0 {
            (self.load - capacity).max(0)
        } else {
            (self.first - capacity).max(0)
                + (self.last - capacity).max(0)
                + (self.closed - capacity).max(0)
        }
    }

    /// Finishing time of the last class-`k` task on the least-cost directions
    /// (`None` without such a task).
    #[inline]
    pub fn finish(&self, k: usize) -> Option<i64> {
        let (a, b) = self.best_pair();
        let d = self.due[k][a][b];
        (d != NO_DUE).then_some(d as i64)
    }
}
