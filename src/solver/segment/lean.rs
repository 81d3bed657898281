//! The lean segment: cost by direction pair and load — all the classical CARP
//! needs, in 64 bytes, so that a route's cached subsequences stay in cache.

use super::{deadheads, min_plus, reverse_cost, Segment, INF};
use crate::instance::CostOracle;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeanSeg {
    start: [u32; 2],
    end: [u32; 2],
    cost: [[i64; 2]; 2],
    load: i64,
    len: u32,
}

impl Segment for LeanSeg {
    const FLEET: bool = false;

    #[inline]
    fn depot(point: u32) -> LeanSeg {
        LeanSeg {
            start: [point; 2],
            end: [point; 2],
            cost: [[0; 2]; 2],
            load: 0,
            len: 0,
        }
    }

    /// The class is ignored: a lean segment tracks no deadline.
    #[inline]
    fn task(points: [(u32, u32); 2], serve: i64, demand: i64, _class: Option<usize>) -> LeanSeg {
        LeanSeg {
            start: [points[0].0, points[1].0],
            end: [points[0].1, points[1].1],
            cost: [[serve, INF], [INF, serve]],
            load: demand,
            len: 1,
        }
    }

    /// A lean segment cannot mark a refill: this is the detour to the sites
    /// without resetting the load (never built by the solver, which picks
    /// [`super::FleetSeg`] for instances with refill sites).
    fn refill(sites: [u32; 2], cost: [i64; 2]) -> LeanSeg {
        debug_assert!(false, "LeanSeg has no refills");
        LeanSeg {
            start: sites,
            end: sites,
            cost: [[cost[0], INF], [INF, cost[1]]],
            load: 0,
            len: 1,
        }
    }

    #[inline]
    fn concat(&self, next: &LeanSeg, oracle: &CostOracle) -> LeanSeg {
        let mid = deadheads(self.end, next.start, oracle);
        LeanSeg {
            start: self.start,
            end: next.end,
            cost: min_plus(&self.cost, &mid, &next.cost),
            load: self.load + next.load,
            len: self.len + next.len,
        }
    }

    #[inline]
    fn reversed(&self) -> LeanSeg {
        LeanSeg {
            start: [self.end[1], self.end[0]],
            end: [self.start[1], self.start[0]],
            cost: reverse_cost(&self.cost),
            ..*self
        }
    }

    #[inline]
    fn start(&self) -> [u32; 2] {
        self.start
    }
    #[inline]
    fn end(&self) -> [u32; 2] {
        self.end
    }
    #[inline]
    fn cost(&self) -> &[[i64; 2]; 2] {
        &self.cost
    }
    #[inline]
    fn load(&self) -> i64 {
        self.load
    }
    #[inline]
    fn len(&self) -> u32 {
        self.len
    }
    #[inline]
    fn trip_load(&self) -> i64 {
        self.load
    }
    #[inline]
    fn excess_load(&self, capacity: i64) -> i64 {
        (self.load - capacity).max(0)
    }
    #[inline]
    fn has_deadlines(&self) -> bool {
        false
    }
    #[inline]
    fn finish(&self, _k: usize) -> Option<i64> {
        None
    }
}
