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

use crate::instance::CostOracle;

/// Cost that marks an impossible combination (kept far from overflow).
pub const INF: i64 = 1 << 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seg {
    /// Oracle point where the segment starts, by direction of its first service.
    pub start: [u32; 2],
    /// Oracle point where it ends, by direction of its last service.
    pub end: [u32; 2],
    /// `cost[a][b]`: least cost with the first service in direction `a`, the last in `b`.
    pub cost: [[i64; 2]; 2],
    pub load: i64,
    /// Number of services.
    pub len: u32,
}

impl Seg {
    /// The depot alone (both "directions" are the same point).
    pub fn depot(point: u32) -> Seg {
        Seg {
            start: [point; 2],
            end: [point; 2],
            cost: [[0; 2]; 2],
            load: 0,
            len: 0,
        }
    }

    /// One service of a task with points `(start, end)` per direction.
    pub fn task(points: [(u32, u32); 2], serve: i64, demand: i64) -> Seg {
        Seg {
            start: [points[0].0, points[1].0],
            end: [points[0].1, points[1].1],
            cost: [[serve, INF], [INF, serve]],
            load: demand,
            len: 1,
        }
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
        let mut cost = [[INF; 2]; 2];
        for (a, row) in cost.iter_mut().enumerate() {
            // through[c]: best cost ending at the start of `next` in direction c.
            let through = [
                (self.cost[a][0] + mid[0][0]).min(self.cost[a][1] + mid[1][0]),
                (self.cost[a][0] + mid[0][1]).min(self.cost[a][1] + mid[1][1]),
            ];
            for (d, out) in row.iter_mut().enumerate() {
                *out = (through[0] + next.cost[0][d])
                    .min(through[1] + next.cost[1][d])
                    .min(INF);
            }
        }
        Seg {
            start: self.start,
            end: next.end,
            cost,
            load: self.load + next.load,
            len: self.len + next.len,
        }
    }

    /// The same services in reverse order, each in the opposite direction.
    /// Valid only when deadhead costs are symmetric and every task is an edge
    /// (then the reversed sequence costs the same).
    #[inline]
    pub fn reversed(&self) -> Seg {
        Seg {
            start: [self.end[1], self.end[0]],
            end: [self.start[1], self.start[0]],
            cost: [
                [self.cost[1][1], self.cost[0][1]],
                [self.cost[1][0], self.cost[0][0]],
            ],
            load: self.load,
            len: self.len,
        }
    }

    /// Least cost over all direction choices (for a segment from depot to depot).
    #[inline]
    pub fn best(&self) -> i64 {
        self.cost[0][0]
            .min(self.cost[0][1])
            .min(self.cost[1][0])
            .min(self.cost[1][1])
    }
}
