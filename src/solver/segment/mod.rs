//! Route subsequences whose concatenation is O(1) and re-optimises service
//! directions.
//!
//! A segment summarises a sequence of services: for each direction `a` of its
//! first service and `b` of its last, the least cost of servicing the whole
//! sequence (service costs plus the deadheads between them), with every inner
//! direction chosen optimally. Concatenating two segments is a 2×2 min-plus
//! product through the deadhead costs between their ends, so a move rebuilt from
//! a few precomputed segments is evaluated in constant time with all directions
//! re-optimised (Vidal 2017, "Node, edge, arc routing and turn penalties").
//!
//! Two kinds, chosen once per instance (the solver is generic over
//! [`Segment`], so the hot loops are compiled for each):
//! - [`LeanSeg`] (64 bytes): cost and load only — the classical CARP, and any
//!   instance without refill sites or deadlines;
//! - [`FleetSeg`]: adds refills (intermediate facilities) and priority
//!   deadlines, still O(1) to concatenate but three times larger.

mod fleet;
mod lean;

pub use fleet::FleetSeg;
pub use lean::LeanSeg;

use crate::instance::CostOracle;

/// Cost that marks an impossible combination (kept far from overflow).
pub const INF: i64 = 1 << 50;

/// Priority classes with a deadline that a [`FleetSeg`] tracks.
pub const MAX_CLASSES: usize = 3;

/// Vehicles per type whose current work a [`FleetSeg`] tells apart (a
/// re-plan's price on moving a task to another vehicle).
pub const MAX_HOMES: usize = 8;

/// What the solver needs of a route subsequence.
pub trait Segment: Copy + Send + Sync + std::fmt::Debug + 'static {
    /// Whether this kind represents refills and deadlines.
    const FLEET: bool;

    /// The depot alone (both "directions" are the same point).
    fn depot(point: u32) -> Self;

    /// One service of a task with points `(start, end)` per direction, and its
    /// priority class (0-based, below [`MAX_CLASSES`]) if it has a deadline.
    fn task(points: [(u32, u32); 2], serve: i64, demand: i64, class: Option<usize>) -> Self;

    /// A refill at one of two sites (the element's two "directions"), each with
    /// its own time to refill. Only for kinds with `FLEET`.
    fn refill(sites: [u32; 2], cost: [i64; 2]) -> Self;

    /// `self` followed by `next`, with the deadhead between them.
    fn concat(&self, next: &Self, oracle: &CostOracle) -> Self;

    /// The same services in reverse order, each in the opposite direction.
    /// Valid only when deadhead costs are symmetric, every task is an edge and
    /// no deadline is tracked (then the reversed sequence costs the same).
    fn reversed(&self) -> Self;

    /// Oracle point where the segment starts, by direction of its first service.
    fn start(&self) -> [u32; 2];
    /// Oracle point where it ends, by direction of its last service.
    fn end(&self) -> [u32; 2];
    /// `cost()[a][b]`: least cost with the first service in direction `a`, the last in `b`.
    fn cost(&self) -> &[[i64; 2]; 2];
    /// Total demand of the tasks.
    fn load(&self) -> i64;
    /// Number of elements (services and refills).
    fn len(&self) -> u32;
    /// Load since the last refill (the total when there is none).
    fn trip_load(&self) -> i64;
    /// Load above `capacity`, summed over the trips between refills.
    fn excess_load(&self, capacity: i64) -> i64;
    /// Whether the segment holds a task with a deadline.
    fn has_deadlines(&self) -> bool;
    /// Finishing time of the last class-`k` task on the least-cost directions
    /// (`None` without such a task).
    fn finish(&self, k: usize) -> Option<i64>;

    /// Re-plan: the task belongs to vehicle `home` in the current plan, or
    /// (`head`) is that vehicle's starting state. Kinds without `FLEET`
    /// ignore it.
    fn with_home(self, _home: usize, _head: bool) -> Self {
        self
    }

    /// Tasks served by another vehicle than their home (a route opened by a
    /// head).
    fn foreign(&self) -> u32 {
        0
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Direction pair `(a, b)` of the least cost.
    #[inline]
    fn best_pair(&self) -> (usize, usize) {
        let c = self.cost();
        let mut best = (0, 0);
        for (a, row) in c.iter().enumerate() {
            for (b, &v) in row.iter().enumerate() {
                if v < c[best.0][best.1] {
                    best = (a, b);
                }
            }
        }
        best
    }

    /// Least cost over all direction choices (for a segment from depot to depot).
    #[inline]
    fn best(&self) -> i64 {
        let c = self.cost();
        c[0][0].min(c[0][1]).min(c[1][0]).min(c[1][1])
    }
}

/// The 2×2 deadhead matrix between `ends` of one segment and `starts` of the next.
#[inline]
fn deadheads(ends: [u32; 2], starts: [u32; 2], oracle: &CostOracle) -> [[i64; 2]; 2] {
    [
        [
            oracle.dist(ends[0], starts[0]),
            oracle.dist(ends[0], starts[1]),
        ],
        [
            oracle.dist(ends[1], starts[0]),
            oracle.dist(ends[1], starts[1]),
        ],
    ]
}

/// The min-plus product `left · mid · right` of 2×2 matrices (capped at [`INF`]).
#[inline]
fn min_plus(left: &[[i64; 2]; 2], mid: &[[i64; 2]; 2], right: &[[i64; 2]; 2]) -> [[i64; 2]; 2] {
    let mut out = [[0i64; 2]; 2];
    for (a, row) in out.iter_mut().enumerate() {
        // through[c]: best cost ending at the start of the right part in direction c.
        let through = [
            (left[a][0] + mid[0][0]).min(left[a][1] + mid[1][0]),
            (left[a][0] + mid[0][1]).min(left[a][1] + mid[1][1]),
        ];
        for (d, o) in row.iter_mut().enumerate() {
            *o = (through[0] + right[0][d])
                .min(through[1] + right[1][d])
                .min(INF);
        }
    }
    out
}

/// A 2×2 cost matrix reversed: `out[a][b]` services in reverse order, each in
/// the opposite direction.
#[inline]
fn reverse_cost(c: &[[i64; 2]; 2]) -> [[i64; 2]; 2] {
    [[c[1][1], c[0][1]], [c[1][0], c[0][0]]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{carp_file, Instance};

    fn tiny() -> Instance {
        let text = "NOMBRE : t\nCOMENTARIO : x\nVERTICES : 4\nARISTAS_REQ : 3\nARISTAS_NOREQ : 0\nVEHICULOS : 2\nCAPACIDAD : 10\nTIPO_COSTES_ARISTAS : EXPLICITOS\nCOSTE_TOTAL_REQ : 9\nLISTA_ARISTAS_REQ :\n( 1, 2) coste 2 demanda 3\n( 2, 3) coste 3 demanda 4\n( 3, 4) coste 4 demanda 5\nDEPOSITO : 1\n";
        carp_file::parse(std::path::Path::new("tiny.dat"), text).unwrap()
    }

    /// Both kinds agree on cost and load for every sub-sequence and order.
    #[test]
    fn lean_and_fleet_agree() {
        let inst = tiny();
        let o = &inst.oracle;
        let segs = |t: usize| {
            let task = &inst.tasks[t];
            let pts = [o.task_points(t, 0), o.task_points(t, 1)];
            (
                LeanSeg::task(pts, task.serve_cost, task.demand, None),
                FleetSeg::task(pts, task.serve_cost, task.demand, None),
            )
        };
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            let (mut l, mut f) = (
                LeanSeg::depot(o.depot_point()),
                FleetSeg::depot(o.depot_point()),
            );
            for &t in &order {
                let (lt, ft) = segs(t);
                l = l.concat(&lt, o);
                f = f.concat(&ft, o);
                assert_eq!(l.cost(), f.cost());
                assert_eq!(l.load(), f.load());
                assert_eq!(l.len(), f.len());
                assert_eq!(l.reversed().cost(), f.reversed().cost());
            }
            let (l, f) = (
                l.concat(&LeanSeg::depot(o.depot_point()), o),
                f.concat(&FleetSeg::depot(o.depot_point()), o),
            );
            assert_eq!(l.best(), f.best());
            assert!(l.best() < INF);
        }
        assert!(std::mem::size_of::<LeanSeg>() <= 64);
    }
}
