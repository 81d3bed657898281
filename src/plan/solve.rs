//! Solving a city problem: each vehicle type's instance in turn, the time
//! limit shared between them (used by `plan`, `replan` and `batch`).

use crate::instance::city::{CityProblem, VehicleProblem};
use crate::solver::{self, Params, Progress, Solution};

/// One solution per vehicle problem; `warm_starts[k]`, when given, seeds
/// problem `k`; `on_progress` hears each problem's improving incumbents.
pub fn solve_city(
    problem: &CityProblem,
    params: &Params,
    warm_starts: &[Vec<u32>],
    mut on_progress: impl FnMut(&VehicleProblem, Option<&Progress>),
) -> Vec<Solution> {
    let n = problem.problems.len().max(1) as u32;
    problem
        .problems
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let mut pp = params.clone();
            pp.time_limit = params.time_limit.map(|t| t / n);
            pp.warm_start = warm_starts.get(k).cloned().unwrap_or_default();
            on_progress(p, None);
            let out = solver::solve(&p.instance, &pp, |pr| on_progress(p, Some(pr)));
            out.best
        })
        .collect()
}
