//! Solving a city problem: its vehicle problems (types, and districts of
//! large types) share the threads and the time limit (used by `plan`,
//! `replan` and `batch`).
//!
//! One problem gets every thread (the solver's islands). Several problems
//! are run side by side, one thread each when there are at least as many
//! problems as threads, largest first from a shared queue (longest
//! processing time first), each with a time limit proportional to its task
//! count, so that all finish together within the overall limit.

use crate::instance::city::{CityProblem, VehicleProblem};
use crate::solver::{self, Params, Progress, Solution};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// One solution per vehicle problem; `warm_starts[k]`, when given, seeds
/// problem `k`; `on_progress` hears each problem's improving incumbents (from
/// the worker threads).
pub fn solve_city(
    problem: &CityProblem,
    params: &Params,
    warm_starts: &[Vec<u32>],
    on_progress: impl Fn(&VehicleProblem, Option<&Progress>) + Sync,
) -> Vec<Solution> {
    let problems = &problem.problems;
    let n = problems.len();
    let threads = params.threads.max(1);
    let workers = threads.min(n).max(1);
    let per_problem = (threads / workers).max(1);
    // Task counts (at least 1, so that an empty problem still gets a slice).
    let size: Vec<u64> = problems
        .iter()
        .map(|p| p.instance.num_tasks().max(1) as u64)
        .collect();
    let total: u64 = size.iter().sum::<u64>().max(1);
    // Each worker's share of the time: problem k gets `limit × workers × size_k / total`.
    let limit_of = |k: usize| {
        params.time_limit.map(|t| {
            if n <= workers {
                t
            } else {
                Duration::from_secs_f64(
                    t.as_secs_f64() * workers as f64 * size[k] as f64 / total as f64,
                )
            }
        })
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&k| (std::cmp::Reverse(size[k]), k));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Solution>>> = Mutex::new(vec![None; n]);
    let run = |k: usize| {
        let p = &problems[k];
        let mut pp = params.clone();
        pp.threads = per_problem;
        pp.time_limit = limit_of(k);
        pp.warm_start = warm_starts.get(k).cloned().unwrap_or_default();
        on_progress(p, None);
        let out = solver::solve(&p.instance, &pp, |pr| on_progress(p, Some(pr)));
        if let Ok(mut r) = results.lock() {
            r[k] = Some(out.best);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&k) = order.get(i) else { break };
                run(k);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        // Every slot is filled: a worker that panics re-raises at the scope's end.
        .flatten()
        .collect()
}
