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
