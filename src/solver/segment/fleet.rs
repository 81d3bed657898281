//! The fleet segment: cost and load as in [`super::LeanSeg`], plus
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

use super::{deadheads, min_plus, reverse_cost, Segment, INF, MAX_CLASSES, MAX_HOMES};
use crate::instance::CostOracle;

/// "No task of this class in the segment".
const NO_DUE: i32 = i32::MIN;

/// "The segment does not open with a vehicle's starting state".
const NO_HEAD: u8 = u8::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FleetSeg {
    start: [u32; 2],
    end: [u32; 2],
    cost: [[i64; 2]; 2],
    load: i64,
    /// Load before the first refill (the total when there is none).
    first: i64,
    /// Load after the last refill (the total when there is none).
    last: i64,
    /// Largest load of a trip that starts and ends at refills inside the segment.
    closed: i64,
    refills: u32,
    len: u32,
    /// Bit `k`: the segment holds a task of priority class `k`.
    classes: u8,
    /// `due[k][a][b]`: finishing time of the last class-`k` task, from the
    /// segment's start, on the least-cost choice for directions `(a, b)`.
    due: [[[i32; 2]; 2]; MAX_CLASSES],
    /// Tasks per home vehicle, and with a home at all.
    homes: [u16; MAX_HOMES],
    homed: u16,
    /// The vehicle whose starting state opens the segment, and the tasks in
    /// it whose home is another vehicle.
    head: u8,
    foreign: u16,
}

impl FleetSeg {
    const EMPTY: FleetSeg = FleetSeg {
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
        homes: [0; MAX_HOMES],
        homed: 0,
        head: NO_HEAD,
        foreign: 0,
    };

    #[inline]
    fn concat_load(&self, next: &FleetSeg, out: &mut FleetSeg) {
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
        if (self.homed | next.homed) != 0 || self.head != NO_HEAD || next.head != NO_HEAD {
            for (o, (a, b)) in out.homes.iter_mut().zip(self.homes.iter().zip(&next.homes)) {
                *o = a + b;
            }
            out.homed = self.homed + next.homed;
            if self.len == 0 {
                out.head = next.head;
                out.foreign = next.foreign;
            } else if self.head != NO_HEAD {
                out.head = self.head;
                out.foreign =
                    self.foreign + next.homed - next.homes[self.head as usize % MAX_HOMES];
            }
        }
    }
}

impl Segment for FleetSeg {
    const FLEET: bool = true;

    fn depot(point: u32) -> FleetSeg {
        FleetSeg {
            start: [point; 2],
            end: [point; 2],
            ..FleetSeg::EMPTY
        }
    }

    fn task(points: [(u32, u32); 2], serve: i64, demand: i64, class: Option<usize>) -> FleetSeg {
        let mut s = FleetSeg {
            start: [points[0].0, points[1].0],
            end: [points[0].1, points[1].1],
            cost: [[serve, INF], [INF, serve]],
            load: demand,
            first: demand,
            last: demand,
            len: 1,
            ..FleetSeg::EMPTY
        };
        if let Some(k) = class.filter(|&k| k < MAX_CLASSES) {
            s.classes |= 1 << k;
            let serve = serve.min(i32::MAX as i64) as i32;
            s.due[k] = [[serve, NO_DUE], [NO_DUE, serve]];
        }
        s
    }

    fn refill(sites: [u32; 2], cost: [i64; 2]) -> FleetSeg {
        FleetSeg {
            start: sites,
            end: sites,
            cost: [[cost[0], INF], [INF, cost[1]]],
            refills: 1,
            len: 1,
            ..FleetSeg::EMPTY
        }
    }

    #[inline]
    fn concat(&self, next: &FleetSeg, oracle: &CostOracle) -> FleetSeg {
        let mid = deadheads(self.end, next.start, oracle);
        let mut out = FleetSeg {
            start: self.start,
            end: next.end,
            ..FleetSeg::EMPTY
        };
        self.concat_load(next, &mut out);
        if (self.classes | next.classes) == 0 {
            out.cost = min_plus(&self.cost, &mid, &next.cost);
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

    #[inline]
    fn reversed(&self) -> FleetSeg {
        FleetSeg {
            start: [self.end[1], self.end[0]],
            end: [self.start[1], self.start[0]],
            cost: reverse_cost(&self.cost),
            first: self.last,
            last: self.first,
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
        self.last
    }

    #[inline]
    fn excess_load(&self, capacity: i64) -> i64 {
        if self.refills == 0 {
            (self.load - capacity).max(0)
        } else {
            (self.first - capacity).max(0)
                + (self.last - capacity).max(0)
                + (self.closed - capacity).max(0)
        }
    }

    #[inline]
    fn has_deadlines(&self) -> bool {
        self.classes != 0
    }

    fn with_home(mut self, home: usize, head: bool) -> FleetSeg {
        if home < MAX_HOMES {
            if head {
                self.head = home as u8;
            } else {
                self.homes[home] += 1;
                self.homed += 1;
            }
        }
        self
    }

    #[inline]
    fn foreign(&self) -> u32 {
        self.foreign as u32
    }

    #[inline]
    fn finish(&self, k: usize) -> Option<i64> {
        let (a, b) = self.best_pair();
        let d = self.due[k][a][b];
        (d != NO_DUE).then_some(d as i64)
    }
}
