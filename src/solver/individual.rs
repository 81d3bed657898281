//! A solution in the genetic search: its giant tour, its routes and costs, and
//! the neighbourhood structure the diversity measure compares.

use super::data::{Penalty, SolverData};

#[derive(Clone, Debug)]
pub struct Individual {
    /// Giant tour: the tasks of all routes, in order, without directions.
    pub tour: Vec<u32>,
    /// Routes as `(task, direction)`.
    pub routes: Vec<Vec<(u32, u8)>>,
    /// Distance cost, fixed trip costs included.
    pub cost: i64,
    /// Total load above capacity, over all routes.
    pub excess: i64,
    /// Successor and predecessor of each task (`n` = the depot).
    succ: Vec<u32>,
    pred: Vec<u32>,
    /// Biased fitness in its sub-population (lower is better).
    pub fitness: f64,
}

impl Individual {
    pub fn from_routes(data: &SolverData, routes: Vec<Vec<(u32, u8)>>) -> Individual {
        let n = data.num_tasks();
        let oracle = &data.inst.oracle;
        let mut cost = 0;
        let mut excess = 0;
        let mut succ = vec![n as u32; n];
        let mut pred = vec![n as u32; n];
        let mut tour = Vec::with_capacity(n);
        for r in &routes {
            if r.is_empty() {
                continue;
            }
            let mut seg = data.depot_seg;
            for (k, &(t, _)) in r.iter().enumerate() {
                seg = seg.concat(&data.task_seg[t as usize], oracle);
                tour.push(t);
                if k + 1 < r.len() {
                    succ[t as usize] = r[k + 1].0;
                    pred[r[k + 1].0 as usize] = t;
                }
            }
            let full = seg.concat(&data.depot_seg, oracle);
            cost += full.best() + data.fixed_cost;
            excess += (full.load - data.capacity).max(0);
        }
        Individual {
            tour,
            routes: routes.into_iter().filter(|r| !r.is_empty()).collect(),
            cost,
            excess,
            succ,
            pred,
            fitness: 0.0,
        }
    }

    pub fn feasible(&self) -> bool {
        self.excess == 0
    }

    pub fn penalized(&self, penalty: &Penalty) -> i64 {
        self.cost + penalty.cost(self.excess)
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
