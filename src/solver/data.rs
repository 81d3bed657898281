//! What the solver precomputes once from an instance: one segment per task and
//! the granular neighbour lists.

use super::segment::Seg;
use crate::instance::{Fleet, Instance};

/// Immutable solver-side view of an instance.
pub struct SolverData<'a> {
    pub inst: &'a Instance,
    pub task_seg: Vec<Seg>,
    pub depot_seg: Seg,
    /// `neighbours[u]`: the tasks closest to `u`, nearest first.
    pub neighbours: Vec<Vec<u32>>,
    pub capacity: i64,
    pub fixed_cost: i64,
    /// Route slots the local search may use.
    pub max_routes: usize,
    /// All tasks are edges and all deadhead costs symmetric: reversing a
    /// stretch of a route keeps its cost, so reversals are priced in O(1).
    pub symmetric: bool,
    /// `serve - deadhead` per task: inserting a task raises a route's cost by at
    /// least this much (triangle inequality), which prunes relocations.
    pub insertion_floor: Vec<i64>,
}

impl<'a> SolverData<'a> {
    pub fn new(inst: &'a Instance, granularity: usize) -> SolverData<'a> {
        let o = &inst.oracle;
        let n = inst.num_tasks();
        let task_seg: Vec<Seg> = (0..n)
            .map(|t| {
                let task = &inst.tasks[t];
                Seg::task(
                    [o.task_points(t, 0), o.task_points(t, 1)],
                    task.serve_cost,
                    task.demand,
                )
            })
            .collect();
        // Closeness of v to u: the cheapest deadhead between them, either order,
        // any directions.
        let closeness = |u: usize, v: usize| -> i64 {
            let (a, b) = (&task_seg[u], &task_seg[v]);
            let mut best = i64::MAX;
            for x in 0..2 {
                for y in 0..2 {
                    best = best
                        .min(o.dist(a.end[x], b.start[y]))
                        .min(o.dist(b.end[y], a.start[x]));
                }
            }
            best
        };
        let g = granularity.min(n.saturating_sub(1));
        let neighbours = (0..n)
            .map(|u| {
                let mut cand: Vec<(i64, u32)> = (0..n)
                    .filter(|&v| v != u)
                    .map(|v| (closeness(u, v), v as u32))
                    .collect();
                if g < cand.len() {
                    cand.select_nth_unstable(g);
                    cand.truncate(g);
                }
                cand.sort_unstable();
                cand.into_iter().map(|(_, v)| v).collect()
            })
            .collect();
        let min_trips = (inst.total_demand() + inst.capacity - 1) / inst.capacity;
        let max_routes = match inst.fleet {
            Fleet::Limited(k) => k.max(1),
            Fleet::Unlimited => ((min_trips as f64 * 1.3).ceil() as usize + 3).min(n),
        };
        let symmetric = inst.all_links().all(|l| !l.directed);
        let insertion_floor = inst
            .tasks
            .iter()
            .map(|t| t.serve_cost - t.deadhead_cost)
            .collect();
        SolverData {
            inst,
            symmetric,
            insertion_floor,
            task_seg,
            depot_seg: Seg::depot(o.depot_point()),
            neighbours,
            capacity: inst.capacity,
            fixed_cost: inst.route_fixed_cost,
            max_routes,
        }
    }

    pub fn num_tasks(&self) -> usize {
        self.task_seg.len()
    }

    /// Whether the fleet may grow beyond `max_routes` (then an empty route is
    /// always kept available).
    pub fn fleet_unlimited(&self) -> bool {
        self.inst.fleet == Fleet::Unlimited
    }
}

/// The penalised objective: distance cost plus a price on capacity excess.
/// Penalty coefficients are in thousandths of a cost unit per unit of load.
#[derive(Clone, Copy, Debug)]
pub struct Penalty {
    pub capacity_milli: i64,
}

impl Penalty {
    #[inline]
    pub fn excess(&self, load: i64, capacity: i64) -> i64 {
        (load - capacity).max(0)
    }

    #[inline]
    pub fn cost(&self, excess: i64) -> i64 {
        (excess * self.capacity_milli) / 1000
    }

    /// Penalised cost of one route from its summary segment (depot to depot).
    #[inline]
    pub fn route(&self, full: &Seg, data: &SolverData) -> i64 {
        if full.len == 0 {
            return 0;
        }
        full.best() + data.fixed_cost + self.cost(self.excess(full.load, data.capacity))
    }
}
