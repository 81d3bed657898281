//! What the solver precomputes once from an instance: one segment per task and
//! per refill element, and the granular neighbour lists.
//!
//! **Elements.** Ids `0..n` are the tasks. When the instance has refill sites,
//! ids `n..n + pool` are refill elements: each is a [`Segment::refill`] over a pair
//! of sites (its two "directions"), so that wherever it stands the better of
//! the two is chosen in O(1). Sites are paired in order (`0,1`, `2,3`, …); a
//! route holds as many refill elements as it needs, each id at most once.

use super::segment::{Segment, INF};
use crate::instance::{Fleet, Instance};

/// Immutable solver-side view of an instance.
pub struct SolverData<'a, S: Segment> {
    pub inst: &'a Instance,
    /// One segment per element: tasks, then refill elements.
    pub task_seg: Vec<S>,
    /// Number of tasks (elements below it are tasks).
    pub tasks: usize,
    /// Site pairs: refill element `n + k` uses pair `k % refill_pairs`.
    pub refill_pairs: usize,
    pub max_duration: Option<i64>,
    pub depot_seg: S,
    /// `neighbours[u]`: the tasks closest to `u`, nearest first.
    pub neighbours: Vec<Vec<u32>>,
    pub capacity: i64,
    pub fixed_cost: i64,
    /// Route slots the local search may use.
    pub max_routes: usize,
    /// All tasks are edges and all deadhead costs symmetric: reversing a
    /// stretch of a route keeps its cost, so reversals are priced in O(1).
    pub symmetric: bool,
    /// Routes of many services (a city sector rather than a benchmark's
    /// dozen): more than 60 tasks per route slot. Their routes keep range
    /// tables (see [`super::route`]) and the local search relocates chains.
    pub long_routes: bool,
    /// `serve - deadhead` per task: inserting a task raises a route's cost by at
    /// least this much (triangle inequality), which prunes relocations.
    pub insertion_floor: Vec<i64>,
}

impl<'a, S: Segment> SolverData<'a, S> {
    pub fn new(inst: &'a Instance, granularity: usize) -> SolverData<'a, S> {
        let o = &inst.oracle;
        let n = inst.num_tasks();
        debug_assert!(S::FLEET || (inst.refills.is_empty() && inst.deadlines.is_empty()));
        let first_head = n - inst.route_heads;
        let mut task_seg: Vec<S> = (0..n)
            .map(|t| {
                let task = &inst.tasks[t];
                let s = S::task(
                    [o.task_points(t, 0), o.task_points(t, 1)],
                    task.serve_cost,
                    task.demand,
                    task.class.map(|c| c as usize),
                );
                match inst.homes.get(t).copied().flatten() {
                    Some(h) => s.with_home(h as usize, t >= first_head),
                    None => s,
                }
            })
            .collect();
        let pairs: Vec<S> = inst
            .refills
            .chunks(2)
            .map(|c| {
                let b = c.get(1).unwrap_or(&c[0]);
                S::refill([c[0].point, b.point], [c[0].cost, b.cost])
            })
            .collect();
        let min_trips = ((inst.total_demand() + inst.capacity - 1) / inst.capacity) as usize;
        let fleet_routes = match inst.fleet {
            Fleet::Limited(k) => k.max(1),
            Fleet::Unlimited => ((min_trips as f64 * 1.3).ceil() as usize + 3).min(n),
        };
        if !pairs.is_empty() {
            // Enough refill elements of every pair for any sensible solution.
            let per_pair = 2 * min_trips + 2 * fleet_routes + 4;
            for _ in 0..per_pair {
                task_seg.extend_from_slice(&pairs);
            }
        }
        let elements = task_seg.len();
        // Closeness of v to u: the cheapest deadhead between them, either order,
        // any directions.
        let closeness = |u: usize, v: usize| -> i64 {
            let (a, b) = (&task_seg[u], &task_seg[v]);
            let mut best = i64::MAX;
            for x in 0..2 {
                for y in 0..2 {
                    best = best
                        .min(o.dist(a.end()[x], b.start()[y]))
                        .min(o.dist(b.end()[y], a.start()[x]));
                }
            }
            best
        };
        let g = granularity.min(n.saturating_sub(1));
        // Tasks are the neighbours of every element (a refill element's are the
        // tasks closest to its sites).
        let distinct = n + pairs.len();
        let mut neighbours: Vec<Vec<u32>> = (0..distinct)
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
        // Every copy of a refill pair shares the first copy's neighbours.
        for e in distinct.min(elements)..elements {
            let first = n + (e - n) % pairs.len();
            neighbours.push(neighbours[first].clone());
        }
        let max_routes = fleet_routes;
        // Reversing a stretch keeps its cost only without deadlines and with
        // symmetric costs on node points (a link-point oracle is never symmetric).
        let symmetric = inst.all_links().all(|l| !l.directed)
            && inst.deadlines.is_empty()
            && inst.refills.is_empty()
            && inst
                .tasks
                .iter()
                .all(|t| t.kind == crate::instance::TaskKind::Edge)
            && (0..n).all(|t| {
                let (a, b) = o.task_points(t, 0);
                o.task_points(t, 1) == (b, a)
            });
        let mut insertion_floor: Vec<i64> = inst
            .tasks
            .iter()
            .map(|t| t.serve_cost - t.deadhead_cost)
            .collect();
        // A refill's detour has no useful floor, nor has any insertion when
        // the costs break the triangle inequality.
        insertion_floor.resize(elements, -INF);
        if inst.perturbed {
            insertion_floor.fill(-INF);
        }
        SolverData {
            inst,
            tasks: n,
            refill_pairs: pairs.len(),
            max_duration: inst.max_duration,
            symmetric,
            long_routes: n > 60 * max_routes.max(1),
            insertion_floor,
            task_seg,
            depot_seg: S::depot(o.depot_point()),
            neighbours,
            capacity: inst.capacity,
            fixed_cost: inst.route_fixed_cost,
            max_routes,
        }
    }

    /// Tasks (ids `0..num_tasks()`).
    pub fn num_tasks(&self) -> usize {
        self.tasks
    }

    /// Tasks and refill elements.
    pub fn num_elements(&self) -> usize {
        self.task_seg.len()
    }

    #[inline]
    pub fn is_refill(&self, e: u32) -> bool {
        e as usize >= self.tasks
    }

    /// Whether the fleet may grow beyond `max_routes` (then an empty route is
    /// always kept available).
    pub fn fleet_unlimited(&self) -> bool {
        self.inst.fleet == Fleet::Unlimited
    }
}

/// What one route contributes, from its summary segment (depot to depot).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouteCost {
    /// Distance (or time) cost with the fixed cost (and, in a re-plan, the
    /// price of tasks moved to another vehicle).
    pub distance: i64,
    /// Lateness over the priority classes, in cost units.
    pub lateness: i64,
    /// Load above capacity (over its trips).
    pub excess_load: i64,
    /// Duration above the limit.
    pub excess_duration: i64,
}

impl RouteCost {
    #[inline]
    pub fn of<S: Segment>(full: &S, data: &SolverData<S>) -> RouteCost {
        if full.is_empty() {
            return RouteCost::default();
        }
        let mut distance = full.best() + data.fixed_cost;
        let mut lateness = 0;
        if full.has_deadlines() {
            for (k, &d) in data.inst.deadlines.iter().enumerate() {
                if let Some(f) = full.finish(k) {
                    lateness += (f - d).max(0);
                    // "Priority first": the class's finish in this route is
                    // priced too (counted with the distance).
                    distance += f * data.inst.first_weight_milli / 1000;
                }
            }
        }
        RouteCost {
            distance: distance + full.foreign() as i64 * data.inst.move_price,
            lateness,
            excess_load: full.excess_load(data.capacity),
            excess_duration: data.max_duration.map_or(0, |h| (full.best() - h).max(0)),
        }
    }

    /// The objective: distance plus weighted lateness.
    #[inline]
    pub fn objective<S: Segment>(&self, data: &SolverData<S>) -> i64 {
        self.distance + self.lateness * data.inst.lateness_weight
    }
}

/// The penalised objective: distance and weighted lateness, plus prices on
/// capacity and duration excess. Coefficients are in thousandths of a cost unit
/// per unit of load or of duration.
#[derive(Clone, Copy, Debug)]
pub struct Penalty {
    pub capacity_milli: i64,
    pub duration_milli: i64,
}

impl Penalty {
    /// Both prices scaled by `factor`.
    pub fn scaled(&self, factor: i64) -> Penalty {
        Penalty {
            capacity_milli: self.capacity_milli.saturating_mul(factor),
            duration_milli: self.duration_milli.saturating_mul(factor),
        }
    }

    /// Price of the excess load and duration.
    #[inline]
    pub fn excess(&self, excess_load: i64, excess_duration: i64) -> i64 {
        (excess_load.saturating_mul(self.capacity_milli)
            + excess_duration.saturating_mul(self.duration_milli))
            / 1000
    }

    /// Penalised cost of one route from its summary segment (depot to depot).
    #[inline]
    pub fn route<S: Segment>(&self, full: &S, data: &SolverData<S>) -> i64 {
        if full.is_empty() {
            return 0;
        }
        // RouteCost::of without building it: this runs for every move priced.
        let best = full.best();
        let mut excess = full
            .excess_load(data.capacity)
            .saturating_mul(self.capacity_milli);
        if let Some(h) = data.max_duration {
            excess += (best - h).max(0).saturating_mul(self.duration_milli);
        }
        let mut cost = best + data.fixed_cost + excess / 1000;
        if S::FLEET {
            cost += full.foreign() as i64 * data.inst.move_price;
        }
        if S::FLEET && full.has_deadlines() {
            for (k, &d) in data.inst.deadlines.iter().enumerate() {
                if let Some(f) = full.finish(k) {
                    cost += (f - d).max(0) * data.inst.lateness_weight
                        + f * data.inst.first_weight_milli / 1000;
                }
            }
        }
        cost
    }
}
