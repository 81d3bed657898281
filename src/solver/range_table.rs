//! Any contiguous stretch of a long route as one segment, with a single
//! concatenation: a disjoint sparse table of segments.
//!
//! Segments concatenate associatively but not idempotently (a service counted
//! twice costs twice), so the overlapping halves of a classical sparse table
//! do not work. A disjoint table keeps, for every level `h` and every block of
//! `2^h` items split at its middle, the segments that run from each item of
//! the left half up to the middle and from the middle to each item of the
//! right half. A stretch `l..=r` with `l < r` lies across the middle of
//! exactly one block (the level is the highest bit in which `l` and `r`
//! differ), so it is one left part followed by one right part. Building takes
//! `m log m` concatenations, the same order as the chunk table of
//! [`super::route`] for routes of a few hundred services.

use super::segment::Segment;
use crate::instance::CostOracle;

#[derive(Clone, Debug)]
pub struct RangeTable<S> {
    /// `levels` rows of `len` segments each (row `h - 1` is level `h`).
    cells: Vec<S>,
    items: Vec<S>,
}

impl<S> Default for RangeTable<S> {
    fn default() -> Self {
        RangeTable {
            cells: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<S: Segment> RangeTable<S> {
    /// Rebuilds the table over `items`, in order (keeps the allocations).
    pub fn rebuild(&mut self, items: impl Iterator<Item = S>, oracle: &CostOracle) {
        self.items.clear();
        self.items.extend(items);
        let m = self.items.len();
        self.cells.clear();
        if m < 2 {
            return;
        }
        let levels = usize::BITS - (m - 1).leading_zeros();
        // Every cell is written below; the fill value is never read.
        self.cells.resize(levels as usize * m, self.items[0]);
        for h in 1..=levels as usize {
            let row = (h - 1) * m;
            let half = 1usize << (h - 1);
            let mut start = 0;
            while start < m {
                let mid = (start + half).min(m);
                // Left half: from each item up to mid - 1.
                let mut acc = self.items[mid - 1];
                self.cells[row + mid - 1] = acc;
                for i in (start..mid - 1).rev() {
                    acc = self.items[i].concat(&acc, oracle);
                    self.cells[row + i] = acc;
                }
                // Right half: from mid to each item.
                let end = (start + 2 * half).min(m);
                if mid < end {
                    let mut acc = self.items[mid];
                    self.cells[row + mid] = acc;
                    for i in mid + 1..end {
                        acc = acc.concat(&self.items[i], oracle);
                        self.cells[row + i] = acc;
                    }
                }
                start += 2 * half;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items `l..=r` (0-based, `l <= r < len`) as one segment.
    #[inline]
    pub fn query(&self, l: usize, r: usize, oracle: &CostOracle) -> S {
        debug_assert!(l <= r && r < self.items.len());
        if l == r {
            return self.items[l];
        }
        let h = (usize::BITS - (l ^ r).leading_zeros()) as usize;
        let row = (h - 1) * self.items.len();
        self.cells[row + l].concat(&self.cells[row + r], oracle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Instance, InstanceSpec, Link, Task, TaskKind};
    use crate::solver::segment::LeanSeg;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Every stretch of the table costs what folding its items one by one
    /// costs, for lengths around powers of two.
    #[test]
    fn every_stretch_equals_the_fold_of_its_items() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let nodes = 12u32;
        let links: Vec<Link> = (0..nodes)
            .flat_map(|u| {
                [
                    Link {
                        from: u,
                        to: (u + 1) % nodes,
                        cost: 3,
                        directed: true,
                    },
                    Link {
                        from: u,
                        to: (u + 5) % nodes,
                        cost: 7,
                        directed: true,
                    },
                ]
            })
            .collect();
        let mut tasks = Vec::new();
        for t in 0..40u32 {
            let from = (t * 7 + rng.random_range(0..3)) % nodes;
            tasks.push(Task {
                kind: TaskKind::Edge,
                from,
                to: (from + 1) % nodes,
                serve_cost: 1 + i64::from(t % 5),
                deadhead_cost: 3,
                demand: 1,
                class: None,
            });
        }
        let inst = Instance::new(InstanceSpec::plain(
            "ring",
            nodes as usize,
            100,
            tasks,
            links,
        ))
        .unwrap();
        let o = &inst.oracle;
        let segs: Vec<LeanSeg> = (0..inst.num_tasks())
            .map(|t| {
                LeanSeg::task(
                    [o.task_points(t, 0), o.task_points(t, 1)],
                    inst.tasks[t].serve_cost,
                    1,
                    None,
                )
            })
            .collect();
        for m in [1usize, 2, 3, 7, 8, 9, 16, 17, 33] {
            let mut table = RangeTable::default();
            table.rebuild(segs[..m].iter().copied(), o);
            assert_eq!(table.len(), m);
            for l in 0..m {
                for r in l..m {
                    let folded = segs[l + 1..=r]
                        .iter()
                        .fold(segs[l], |acc, s| acc.concat(s, o));
                    assert_eq!(
                        table.query(l, r, o).cost(),
                        folded.cost(),
                        "m {m}, stretch {l}..={r}"
                    );
                    assert_eq!(table.query(l, r, o).len(), (r - l + 1) as u32);
                }
            }
        }
    }
}
