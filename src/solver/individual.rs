//! A solution in the genetic search: its giant tour, its routes and costs, and
//! the neighbourhood structure the diversity measure compares.

use super::data::{Penalty, RouteCost, SolverData};
use super::segment::Segment;

#[derive(Clone, Debug)]
pub struct Individual {
    /// Giant tour: the tasks of all routes, in order, without directions or refills.
    pub tour: Vec<u32>,
    /// Routes as `(element, direction)`: tasks and refill elements.
    pub routes: Vec<Vec<(u32, u8)>>,
    /// The objective: distance (fixed trip costs included) plus weighted lateness.
    pub cost: i64,
    /// Lateness over all routes and priority classes (unweighted).
    pub lateness: i64,
    /// Total load above capacity, over all routes and trips.
    pub excess: i64,
    /// Total duration above the limit, over all routes.
    pub excess_duration: i64,
    /// Successor and predecessor of each task (`n` = the depot).
    succ: Vec<u32>,
    pred: Vec<u32>,
    /// Biased fitness in its sub-population (lower is better).
    pub fitness: f64,
}

impl Individual {
    pub fn from_routes<S: Segment>(
        data: &SolverData<S>,
        routes: Vec<Vec<(u32, u8)>>,
    ) -> Individual {
        let n = data.num_tasks();
        let oracle = &data.inst.oracle;
        let mut total = RouteCost::default();
        let mut succ = vec![n as u32; n];
        let mut pred = vec![n as u32; n];
        let mut tour = Vec::with_capacity(n);
        for r in &routes {
            if r.is_empty() {
                continue;
            }
            let mut seg = data.depot_seg;
            let mut prev: Option<u32> = None;
            for &(t, _) in r {
                seg = seg.concat(&data.task_seg[t as usize], oracle);
                if data.is_refill(t) {
                    continue;
                }
                tour.push(t);
                if let Some(p) = prev {
                    succ[p as usize] = t;
                    pred[t as usize] = p;
                }
                prev = Some(t);
            }
            let full = seg.concat(&data.depot_seg, oracle);
            let c = RouteCost::of(&full, data);
            total.distance += c.distance;
            total.lateness += c.lateness;
            total.excess_load += c.excess_load;
            total.excess_duration += c.excess_duration;
        }
        Individual {
            tour,
            routes: routes.into_iter().filter(|r| !r.is_empty()).collect(),
            cost: total.objective(data),
            lateness: total.lateness,
            excess: total.excess_load,
            excess_duration: total.excess_duration,
            succ,
            pred,
            fitness: 0.0,
        }
    }

    pub fn feasible(&self) -> bool {
        self.excess == 0 && self.excess_duration == 0
    }

    pub fn penalized(&self, penalty: &Penalty) -> i64 {
        self.cost + penalty.excess(self.excess, self.excess_duration)
    }

    /// Broken-pairs distance in [0, 1]: the share of tasks whose neighbours differ.
    pub fn distance(&self, other: &Individual) -> f64 {
        let n = self.succ.len();
        let depot = n as u32;
        let mut diff = 0usize;
        for t in 0..n {
            let s = self.succ[t];
            if s != other.succ[t] && s != other.pred[t] {
                diff += 1;
            }
            if self.pred[t] == depot && other.pred[t] != depot && other.succ[t] != depot {
                diff += 1;
            }
        }
        diff as f64 / n.max(1) as f64
    }
}

/// Granular-neighbour links between routes, `r × r` row-major and symmetric:
/// for each element of route `a` and each of its first `per_task` neighbours
/// that route `b ≠ a` holds, one link `a`–`b`.
pub fn route_links<S: Segment>(
    data: &SolverData<S>,
    routes: &[Vec<(u32, u8)>],
    per_task: usize,
) -> Vec<u32> {
    let r = routes.len();
    let mut route_of = vec![usize::MAX; data.num_elements()];
    for (k, route) in routes.iter().enumerate() {
        for &(t, _) in route {
            route_of[t as usize] = k;
        }
    }
    let mut w = vec![0u32; r * r];
    for (k, route) in routes.iter().enumerate() {
        for &(t, _) in route {
            for &v in data.neighbours[t as usize].iter().take(per_task) {
                let j = route_of[v as usize];
                if j != usize::MAX && j != k {
                    w[k * r + j] += 1;
                    w[j * r + k] += 1;
                }
            }
        }
    }
    w
}

/// Orders routes so that routes next to each other in the giant tour serve
/// neighbouring streets: a greedy chain, from the route least linked to the
/// others, each time on to the unplaced route with the most granular
/// neighbour links to the last one placed (the arc-routing stand-in for
/// HGS-CVRP's sort by polar angle, which needs coordinates). Crossover then
/// inherits stretches of whole, adjacent routes, which Split can cut well.
pub fn chain_routes<S: Segment>(data: &SolverData<S>, routes: &mut Vec<Vec<(u32, u8)>>) {
    /// Neighbours per task that count as links.
    const LINKS: usize = 5;
    let r = routes.len();
    if r < 3 {
        return;
    }
    let w = route_links(data, routes, LINKS);
    let total = |k: usize| w[k * r..(k + 1) * r].iter().sum::<u32>();
    let mut placed = vec![false; r];
    let mut order = Vec::with_capacity(r);
    let mut last = (0..r).min_by_key(|&k| (total(k), k)).unwrap_or(0);
    placed[last] = true;
    order.push(last);
    while order.len() < r {
        let next = (0..r)
            .filter(|&k| !placed[k])
            .max_by_key(|&k| (w[last * r + k], std::cmp::Reverse(k)))
            .unwrap_or(0);
        placed[next] = true;
        order.push(next);
        last = next;
    }
    let mut old: Vec<Option<Vec<(u32, u8)>>> = routes.drain(..).map(Some).collect();
    routes.extend(order.into_iter().filter_map(|k| old[k].take()));
}

#[cfg(test)]
mod tests {
    use super::chain_routes;
    use crate::instance::{Instance, InstanceSpec, Link, Task, TaskKind};
    use crate::solver::data::SolverData;
    use crate::solver::segment::LeanSeg;

    /// A street of 24 unit edges from the depot, every edge a task.
    fn street() -> Instance {
        let n = 25;
        let links = (0..n - 1)
            .map(|i| Link {
                from: i as u32,
                to: i as u32 + 1,
                cost: 1,
                directed: false,
            })
            .collect();
        let tasks = (0..n - 1)
            .map(|i| Task {
                from: i as u32,
                to: i as u32 + 1,
                kind: TaskKind::Edge,
                demand: 1,
                serve_cost: 1,
                deadhead_cost: 1,
                class: None,
            })
            .collect();
        Instance::new(InstanceSpec::plain("street", n, 4, tasks, links)).unwrap()
    }

    #[test]
    fn neighbouring_routes_end_up_next_to_each_other() {
        let inst = street();
        let data = SolverData::<LeanSeg>::new(&inst, 8);
        // Six routes of four consecutive edges each, listed out of order.
        let block = |b: u32| (4 * b..4 * b + 4).map(|t| (t, 0u8)).collect::<Vec<_>>();
        let listed = [3, 0, 5, 1, 4, 2];
        let mut routes: Vec<_> = listed.iter().map(|&b| block(b)).collect();
        chain_routes(&data, &mut routes);
        let order: Vec<u32> = routes.iter().map(|r| r[0].0 / 4).collect();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4, 5], "the same routes, whole");
        for (k, r) in routes.iter().enumerate() {
            assert_eq!(*r, block(order[k]));
        }
        let ascending: Vec<u32> = (0..6).collect();
        let descending: Vec<u32> = (0..6).rev().collect();
        assert!(
            order == ascending || order == descending,
            "routes along the street in order, got {order:?}"
        );
    }
}
