//! Solving a city problem: its vehicle problems (types, and districts of
//! large types) share the threads and the time limit (used by `plan`,
//! `replan` and `batch`).
//!
//! One problem gets every thread (the solver's islands). Several problems
//! are run side by side, one thread each when there are at least as many
//! problems as threads, largest first from a shared queue (longest
//! processing time first), each with a time limit proportional to its task
//! count, so that all finish together within the overall limit.
//!
//! **Rebalancing.** Districts get their vehicles from a work estimate made
//! before any route exists; where deadheading is denser than estimated (a
//! quarter of one-way streets, a district split by a harbour), a district's
//! work can exceed its vehicles' shifts while a neighbour has time to spare.
//! So when a type is cut into districts, the first pass gets
//! `1 - REBALANCE_SHARE` of the time; then every district that ended
//! infeasible (over the shift or overloaded) takes one vehicle from the
//! district of its type with the most spare time (one that its remaining
//! vehicles can still cover within [`DONOR_FILL`] of their shifts), and both
//! are solved again with the rest of the time, warm-started from their
//! first-pass routes. The exchange is kept only when the donor stays
//! feasible and the receiver becomes so. Every other problem goes on from its
//! best routes for the same time and keeps the better of its two results.

use crate::city::{CityProblem, VehicleProblem};
use crate::instance::{Fleet, Instance};
use crate::solver::{self, Outcome, Params, Progress, Solution};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Share of the time limit kept for the rebalancing pass.
const REBALANCE_SHARE: f64 = 0.2;

/// A donor's routes, shared among one vehicle fewer, must fit in this share
/// of those vehicles' shifts.
const DONOR_FILL: f64 = 0.85;

/// One solver run of the queue.
struct Job<'a> {
    problem: &'a VehicleProblem,
    instance: &'a Instance,
    warm: Vec<u32>,
}

/// One solution per vehicle problem; `warm_starts[k]`, when given, seeds
/// problem `k`; `on_progress` hears each problem's improving incumbents (from
/// the worker threads).
pub fn solve_city(
    problem: &CityProblem,
    params: &Params,
    warm_starts: &[Vec<u32>],
    on_progress: impl Fn(&VehicleProblem, Option<&Progress>) + Sync,
) -> Vec<Solution> {
    solve_city_rebalanced(problem, params, warm_starts, on_progress).0
}

/// [`solve_city`], and the vehicles moved between districts: `(receiver,
/// donor)` problem indices, one vehicle each.
pub fn solve_city_rebalanced(
    problem: &CityProblem,
    params: &Params,
    warm_starts: &[Vec<u32>],
    on_progress: impl Fn(&VehicleProblem, Option<&Progress>) + Sync,
) -> (Vec<Solution>, Vec<(usize, usize)>) {
    let problems = &problem.problems;
    let rebalance = problems
        .iter()
        .any(|p| p.district.1 > 1 && p.heads.is_empty() && p.instance.max_duration.is_some());
    let share = |t: Duration, f: f64| Duration::from_secs_f64(t.as_secs_f64() * f);
    let mut first = params.clone();
    if rebalance {
        first.time_limit = params.time_limit.map(|t| share(t, 1.0 - REBALANCE_SHARE));
    }
    let jobs: Vec<Job> = problems
        .iter()
        .enumerate()
        .map(|(k, p)| Job {
            problem: p,
            instance: &p.instance,
            warm: warm_starts.get(k).cloned().unwrap_or_default(),
        })
        .collect();
    let mut outcomes = run_jobs(&jobs, &first, &on_progress);
    let mut moved = Vec::new();
    if rebalance {
        let mut second = params.clone();
        second.time_limit = params.time_limit.map(|t| share(t, REBALANCE_SHARE));
        moved = rebalance_pass(problems, &mut outcomes, &second, &on_progress);
    }
    (outcomes.into_iter().map(|o| o.best).collect(), moved)
}

/// Runs the jobs side by side (see the module's doc); one outcome per job.
fn run_jobs(
    jobs: &[Job],
    params: &Params,
    on_progress: &(impl Fn(&VehicleProblem, Option<&Progress>) + Sync),
) -> Vec<Outcome> {
    let n = jobs.len();
    let threads = params.threads.max(1);
    let workers = threads.min(n).max(1);
    let per_problem = (threads / workers).max(1);
    // Task counts (at least 1, so that an empty problem still gets a slice).
    let size: Vec<u64> = jobs
        .iter()
        .map(|j| j.instance.num_tasks().max(1) as u64)
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
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..n).map(|_| None).collect());
    let run = |k: usize| {
        let j = &jobs[k];
        let mut pp = params.clone();
        pp.threads = per_problem;
        pp.time_limit = limit_of(k);
        pp.warm_start = j.warm.clone();
        on_progress(j.problem, None);
        let out = solver::solve(j.instance, &pp, |pr| on_progress(j.problem, Some(pr)));
        if let Ok(mut r) = results.lock() {
            r[k] = Some(out);
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

/// Moves vehicles from districts with time to spare to infeasible districts
/// of the same type, and solves both again (see the module's doc). Returns
/// the exchanges kept, `(receiver, donor)`.
fn rebalance_pass(
    problems: &[VehicleProblem],
    outcomes: &mut [Outcome],
    params: &Params,
    on_progress: &(impl Fn(&VehicleProblem, Option<&Progress>) + Sync),
) -> Vec<(usize, usize)> {
    let fleet = |k: usize| match problems[k].instance.fleet {
        Fleet::Limited(v) => v,
        Fleet::Unlimited => 0,
    };
    // Each district's total route time, in instance units.
    let worked: Vec<i64> = outcomes
        .iter()
        .zip(problems)
        .map(|(o, p)| total_duration(&p.instance, &o.best))
        .collect();
    // Receivers, most work per vehicle first; each donor gives once.
    let mut receivers: Vec<usize> = (0..problems.len())
        .filter(|&k| {
            let p = &problems[k];
            !outcomes[k].feasible && p.district.1 > 1 && p.heads.is_empty() && fleet(k) > 0
        })
        .collect();
    receivers.sort_by_key(|&k| (std::cmp::Reverse(worked[k] / fleet(k) as i64), k));
    // `given`: in an exchange (as donor or receiver).
    let mut given = vec![false; problems.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for &a in &receivers {
        let p = &problems[a];
        let donor = (0..problems.len())
            .filter(|&b| {
                let q = &problems[b];
                b != a
                    && !given[b]
                    && q.vehicle == p.vehicle
                    && q.heads.is_empty()
                    && outcomes[b].feasible
                    && fleet(b) >= 2
            })
            .filter_map(|b| {
                let shift = problems[b].instance.max_duration?;
                let room = (fleet(b) - 1) as f64 * shift as f64 * DONOR_FILL;
                let spare = room - worked[b] as f64;
                (spare > 0.0).then_some((spare, b))
            })
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        if let Some((_, b)) = donor {
            given[b] = true;
            given[a] = true;
            pairs.push((a, b));
        }
    }
    let with_fleet = |k: usize, v: usize| {
        let mut inst = problems[k].instance.clone();
        inst.fleet = Fleet::Limited(v);
        inst
    };
    let instances: Vec<(usize, Instance)> = pairs
        .iter()
        .flat_map(|&(a, b)| {
            [
                (a, with_fleet(a, fleet(a) + 1)),
                (b, with_fleet(b, fleet(b) - 1)),
            ]
        })
        .collect();
    // The other problems go on from their best routes for the same time.
    let jobs: Vec<Job> = instances
        .iter()
        .map(|(k, inst)| (*k, inst))
        .chain(
            (0..problems.len())
                .filter(|&k| !given[k])
                .map(|k| (k, &problems[k].instance)),
        )
        .map(|(k, inst)| Job {
            problem: &problems[k],
            instance: inst,
            warm: outcomes[k]
                .best
                .routes
                .iter()
                .flatten()
                .map(|s| s.task)
                .collect(),
        })
        .collect();
    let mut again = run_jobs(&jobs, params, on_progress).into_iter();
    let mut kept = Vec::new();
    for &(a, b) in &pairs {
        let (Some(ra), Some(rb)) = (again.next(), again.next()) else {
            break;
        };
        if ra.feasible && rb.feasible {
            outcomes[a] = ra;
            outcomes[b] = rb;
            kept.push((a, b));
        }
    }
    for k in (0..problems.len()).filter(|&k| !given[k]) {
        let Some(out) = again.next() else { break };
        let key = |o: &Outcome| (!o.feasible, o.best.cost);
        if key(&out) < key(&outcomes[k]) {
            outcomes[k] = out;
        }
    }
    kept
}

/// The durations of all a solution's routes, summed (instance units).
fn total_duration(inst: &Instance, sol: &Solution) -> i64 {
    (0..sol.routes.len())
        .map(|r| route_duration(inst, sol, r))
        .sum()
}

/// A route's duration in the instance's units: travel, service and refills,
/// from the depot and back.
fn route_duration(inst: &Instance, sol: &Solution, r: usize) -> i64 {
    let o = &inst.oracle;
    let route = &sol.routes[r];
    let mut stops = sol.refills.get(r).into_iter().flatten().peekable();
    let mut at = o.depot_point();
    let mut total = 0i64;
    for i in 0..=route.len() {
        while let Some(stop) = stops.next_if(|s| s.before == i) {
            if let Some(site) = inst.refills.get(stop.site as usize) {
                total += o.dist(at, site.point) + site.cost;
                at = site.point;
            }
        }
        if let Some(s) = route.get(i) {
            let (start, end) = o.task_points(s.task as usize, s.dir);
            total += o.dist(at, start) + inst.tasks[s.task as usize].serve_cost;
            at = end;
        }
    }
    total + o.dist(at, o.depot_point())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city;
    use std::path::Path;

    /// The fixture town with six trucks, cut into three districts of two.
    fn districted_town() -> (crate::scenario::Scenario, CityProblem) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/town-frost.toml");
        let text = std::fs::read_to_string(&path)
            .expect("fixture")
            .replace("count = 2", "count = 6");
        let parse = |extra: &str| {
            crate::scenario::load::parse(&path, &format!("{text}\n[planning]\n{extra}\n"))
                .expect("scenario")
        };
        let whole = city::build(&parse("district_tasks = 100000")).expect("build");
        let passes = whole.problems[0].instance.num_tasks();
        // ceil(passes / size) = 3 with size = 2/5 of the passes.
        let scenario = parse(&format!("district_tasks = {}", passes * 2 / 5));
        let problem = city::build(&scenario).expect("build");
        (scenario, problem)
    }

    #[test]
    fn an_infeasible_district_takes_a_vehicle_from_the_one_with_most_time_to_spare() {
        let (scenario, problem) = districted_town();
        let problems = &problem.problems;
        assert_eq!(problems.len(), 3, "three districts");
        assert!(problems
            .iter()
            .all(|p| p.instance.fleet == Fleet::Limited(2) && p.district.1 == 3));
        let params = Params {
            threads: 2,
            time_limit: None,
            max_iterations: Some(60),
            ..Default::default()
        };
        let jobs: Vec<Job> = problems
            .iter()
            .map(|p| Job {
                problem: p,
                instance: &p.instance,
                warm: Vec::new(),
            })
            .collect();
        let mut outcomes = run_jobs(&jobs, &params, &|_, _| {});
        assert!(outcomes.iter().all(|o| o.feasible));
        // District 0 is declared over its shift; the donor is the other
        // district whose routes leave the most time.
        outcomes[0].feasible = false;
        let worked = |k: usize, o: &Outcome| total_duration(&problems[k].instance, &o.best);
        let donor = if worked(1, &outcomes[1]) <= worked(2, &outcomes[2]) {
            1
        } else {
            2
        };
        let pairs = rebalance_pass(problems, &mut outcomes, &params, &|_, _| {});
        assert_eq!(pairs, vec![(0, donor)]);
        let used = |k: usize| {
            outcomes[k]
                .best
                .routes
                .iter()
                .filter(|r| !r.is_empty())
                .count()
        };
        assert!(used(donor) <= 1, "the donor has one truck left");
        assert!(used(0) <= 3);
        // Still six trucks in all, and a valid plan.
        let sols: Vec<Solution> = outcomes.into_iter().map(|o| o.best).collect();
        let plan = crate::plan::shift::build(&scenario, &problem, &sols);
        assert!(plan.vehicles.len() <= 6);
        let report = crate::plan::validate::validate(&scenario, &problem.network, &plan);
        assert!(
            report.ok(),
            "{:?}",
            &report.errors[..report.errors.len().min(5)]
        );
    }

    #[test]
    fn route_durations_add_up_to_the_plans_shift_times() {
        let (scenario, problem) = districted_town();
        let params = Params {
            threads: 1,
            time_limit: None,
            max_iterations: Some(30),
            ..Default::default()
        };
        let p = &problem.problems[1];
        let out = crate::solver::solve(&p.instance, &params, |_| {});
        let units = total_duration(&p.instance, &out.best);
        let mut sols: Vec<Solution> = problem
            .problems
            .iter()
            .map(|_| Solution {
                routes: Vec::new(),
                refills: Vec::new(),
                cost: 0,
            })
            .collect();
        sols[1] = out.best;
        let plan = crate::plan::shift::build(&scenario, &problem, &sols);
        let seconds: f64 = plan
            .vehicles
            .iter()
            .map(|v| v.legs.last().map_or(0.0, |l| l.end_s))
            .sum();
        let from_units = units as f64 * city::TIME_UNIT_S;
        assert!(
            (seconds - from_units).abs() <= 0.01 * seconds + 5.0,
            "plan {seconds} s, estimate {from_units} s"
        );
    }
}
