//! The arc routing solver: a hybrid genetic search on giant tours, in the spirit
//! of Vidal (2017) and the HGS family, written for arcplan.
//!
//! - [`segment`]: route subsequences priced with service directions re-optimised,
//!   concatenated in O(1);
//! - [`split`]: the giant-tour decoder that also picks each edge's direction;
//! - [`local_search`]: granular moves priced from cached segments, and SWAP*
//!   between routes;
//! - [`population`] and [`individual`]: quality-and-diversity management, and
//!   giant tours that list neighbouring routes next to each other;
//! - [`route_first`]: giant tours from a minimum-cost cycle cover of the
//!   tasks, patched into one tour (the starts of long-route instances);
//! - [`ruin`]: ruin and recreate on routes, the children of long-route
//!   instances (a thousand services per route make crossover useless);
//! - [`island`]: one HGS run;
//! - [`decompose`]: route-based decomposition phases for large instances.
//!
//! **Parallelism.** `threads` islands run the HGS independently, each with its
//! own seed derived from `(seed, island)`, on a rayon pool of that many threads.
//! They meet at the end of every epoch (a fixed number of generations): the
//! best solution over all islands (ties to the lowest island) is recorded and
//! migrated into every island that has not found as good a one. Because epochs
//! are counted in generations, not seconds, a run with the same seed and thread
//! count stopped by an iteration budget gives the same solution every time; a
//! time limit only decides after which epoch the run stops. On large plain
//! instances, every `decompose_every` meetings the best solution's routes are
//! clustered and the clusters solved side by side on the same threads (see
//! [`decompose`]); clusters stop on generation budgets, so this keeps the
//! reproducibility.
//!
//! The solver sees only an [`Instance`]; it knows nothing of OSM, files or CLI.

pub mod data;
pub mod decompose;
pub mod individual;
pub mod island;
pub mod local_search;
pub mod population;
pub mod range_table;
pub mod route;
pub mod route_first;
pub mod ruin;
pub mod segment;
pub mod split;

use crate::instance::Instance;
use data::SolverData;
use island::Island;
use rayon::prelude::*;
use segment::{FleetSeg, LeanSeg, Segment};
use std::time::{Duration, Instant};

/// Solver settings; `Default` gives the tuned values.
#[derive(Clone, Debug)]
pub struct Params {
    pub seed: u64,
    /// Islands (one per thread).
    pub threads: usize,
    pub time_limit: Option<Duration>,
    /// Stop after this many generations in all (summed over islands).
    pub max_iterations: Option<u64>,
    /// Stop after this many generations (summed over islands) without a better solution.
    pub max_iterations_without_improvement: Option<u64>,
    /// Stop as soon as a solution this cheap is found.
    pub target_cost: Option<i64>,
    /// Neighbours per task in the local search.
    pub granularity: usize,
    /// SWAP* between routes in the local search (instances without refill
    /// sites).
    pub swap_star: bool,
    /// Minimum and generation sizes of each sub-population.
    pub mu: usize,
    pub lambda: usize,
    pub n_elite: usize,
    pub n_close: usize,
    pub target_feasible: f64,
    /// Giant tours list neighbouring routes next to each other (see
    /// [`individual::chain_routes`]).
    pub chain_routes: bool,
    /// Generations without improvement before an island restarts.
    pub restart_after: u64,
    /// Generations per island between two meetings.
    pub epoch: u64,
    /// Meetings between two migrations of the overall best into the islands
    /// (rare migration keeps the islands' searches apart).
    pub migrate_every: u64,
    /// A giant tour (task ids) to start from, e.g. the plan being re-planned;
    /// empty: random starts only.
    pub warm_start: Vec<u32>,
    /// Route-based decomposition (see [`decompose`]): tasks per cluster (0:
    /// never decompose), instances from this many tasks on, a phase every
    /// this many meetings, and each cluster's budget of generations without
    /// improvement.
    pub decompose_size: usize,
    pub decompose_from: usize,
    pub decompose_every: u64,
    pub decompose_iterations: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 1,
            threads: 1,
            time_limit: Some(Duration::from_secs(10)),
            max_iterations: None,
            max_iterations_without_improvement: None,
            target_cost: None,
            granularity: 20,
            swap_star: true,
            mu: 25,
            lambda: 40,
            n_elite: 4,
            n_close: 5,
            target_feasible: 0.2,
            chain_routes: true,
            restart_after: 10_000,
            epoch: 50,
            migrate_every: 10,
            warm_start: Vec::new(),
            decompose_size: 100,
            decompose_from: 300,
            decompose_every: 2,
            decompose_iterations: 200,
        }
    }
}

/// One service: a task and the direction it is serviced in (0: as listed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    pub task: u32,
    pub dir: u8,
}

/// A refill stop in a route: before the service at index `before` of the
/// route (`before == len` means after the last one), at refill site `site`
/// (an index into `Instance::refills`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefillStop {
    pub before: usize,
    pub site: u32,
}

/// A solution: routes of services, and the cost the solver claims for it
/// (distance plus weighted lateness).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    pub routes: Vec<Vec<Service>>,
    /// Refill stops per route (empty without refill sites).
    pub refills: Vec<Vec<RefillStop>>,
    pub cost: i64,
}

/// Reported whenever the incumbent improves.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    pub cost: i64,
    pub elapsed: Duration,
    pub iterations: u64,
    inst: &'a Instance,
    refill_pairs: usize,
    incumbent: &'a individual::Individual,
}

impl Progress<'_> {
    /// The new incumbent as a [`Solution`], converted only when asked (most
    /// listeners want the cost alone).
    pub fn best(&self) -> Solution {
        solution_of(self.inst, self.refill_pairs, self.incumbent)
    }
}

/// What a run returns.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub best: Solution,
    pub time_to_best: Duration,
    pub elapsed: Duration,
    pub iterations: u64,
    /// Local-search moves priced, over all islands.
    pub evaluations: u64,
    /// When the last island had its initial population and began its
    /// generations.
    pub start_up: Duration,
    /// Whether the best solution respects the capacity (always, with a free fleet).
    pub feasible: bool,
}

/// Solves `inst`; `on_improve` is called on the calling thread with each new incumbent.
///
/// Instances without refill sites or deadlines (the classical CARP) run on the
/// lean segment, the others on the fleet segment.
pub fn solve(inst: &Instance, params: &Params, on_improve: impl FnMut(&Progress)) -> Outcome {
    if inst.refills.is_empty() && inst.deadlines.is_empty() {
        solve_with::<LeanSeg>(inst, params, on_improve)
    } else {
        solve_with::<FleetSeg>(inst, params, on_improve)
    }
}

/// [`solve`] with a chosen segment kind (a fleet segment solves any instance).
pub fn solve_with<S: Segment>(
    inst: &Instance,
    params: &Params,
    mut on_improve: impl FnMut(&Progress),
) -> Outcome {
    let start = Instant::now();
    let deadline = params.time_limit.map(|t| start + t);
    let threads = params.threads.max(1);
    let data = SolverData::<S>::new(inst, params.granularity);
    // One island runs on the calling thread (a decomposition's clusters do).
    let pool = (threads > 1).then(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("cannot start the solver's threads")
    });
    let decompose = decompose::applies(inst, params);
    // Islands meet after fewer generations on large instances, so that
    // migration and decomposition phases happen within minutes.
    let tasks = inst.num_tasks();
    let epoch = if tasks > island::LARGE_INSTANCE {
        (params.epoch * island::LARGE_INSTANCE as u64 / tasks as u64).max(2)
    } else {
        params.epoch
    };
    let mut islands: Vec<Island<S>> = (0..threads)
        .map(|i| Island::new(&data, params, i))
        .collect();
    let mut best: Option<(individual::Individual, Duration)> = None;
    let mut iterations = 0u64;
    let mut since = 0u64;
    let mut epochs = 0u64;
    loop {
        match &pool {
            Some(pool) => pool.install(|| {
                islands
                    .par_iter_mut()
                    .for_each(|isl| isl.run_epoch(epoch, start, deadline));
            }),
            None => islands
                .iter_mut()
                .for_each(|isl| isl.run_epoch(epoch, start, deadline)),
        }
        let total: u64 = islands.iter().map(|i| i.iterations).sum();
        since += total - iterations;
        iterations = total;
        // The best over the islands, ties to the lowest index.
        let mut round_best: Option<usize> = None;
        for (i, isl) in islands.iter().enumerate() {
            if let Some(b) = &isl.best {
                if round_best
                    .is_none_or(|r| b.cost < islands[r].best.as_ref().map_or(i64::MAX, |x| x.cost))
                {
                    round_best = Some(i);
                }
            }
        }
        if let Some(r) = round_best {
            let cand = islands[r].best.as_ref().expect("island best");
            if best.as_ref().is_none_or(|(b, _)| cand.cost < b.cost) {
                best = Some((cand.clone(), islands[r].best_time));
                since = 0;
                on_improve(&Progress {
                    cost: cand.cost,
                    elapsed: islands[r].best_time,
                    iterations,
                    inst,
                    refill_pairs: data.refill_pairs,
                    incumbent: cand,
                });
            }
        }
        epochs += 1;
        let phase_due = decompose
            && epochs.is_multiple_of(params.decompose_every.max(1))
            && deadline.is_none_or(|d| Instant::now() < d);
        if let Some((b, _)) = best.as_ref().filter(|_| phase_due) {
            if let Some(ind) = decompose::phase(&data, b, params, epochs, deadline, pool.as_ref()) {
                let t = start.elapsed();
                on_improve(&Progress {
                    cost: ind.cost,
                    elapsed: t,
                    iterations,
                    inst,
                    refill_pairs: data.refill_pairs,
                    incumbent: &ind,
                });
                for isl in islands.iter_mut() {
                    isl.inject(&ind, start);
                }
                best = Some((ind, t));
                since = 0;
            }
        }
        if let Some((b, _)) = &best {
            if epochs.is_multiple_of(params.migrate_every.max(1)) {
                for isl in islands.iter_mut() {
                    isl.inject(b, start);
                }
            }
        }
        let done = deadline.is_some_and(|d| Instant::now() >= d)
            || params.max_iterations.is_some_and(|m| iterations >= m)
            || params
                .max_iterations_without_improvement
                .is_some_and(|m| since >= m)
            || (params.target_cost.is_some()
                && best
                    .as_ref()
                    .is_some_and(|(b, _)| Some(b.cost) <= params.target_cost));
        if done {
            break;
        }
    }
    let (b, t) = match best {
        Some(b) => b,
        None => {
            let ind = islands[0].fallback(start);
            let t = start.elapsed();
            (ind, t)
        }
    };
    let feasible = b.feasible();
    Outcome {
        best: solution_of(inst, data.refill_pairs, &b),
        time_to_best: t,
        elapsed: start.elapsed(),
        iterations,
        evaluations: islands.iter().map(|i| i.evaluations()).sum(),
        start_up: islands.iter().map(|i| i.start_up).max().unwrap_or_default(),
        feasible,
    }
}

/// An individual as the solution the caller sees: refill elements become
/// refill stops, arcs are reported in their listed direction.
fn solution_of(inst: &Instance, refill_pairs: usize, ind: &individual::Individual) -> Solution {
    let n = inst.num_tasks() as u32;
    let mut routes = Vec::with_capacity(ind.routes.len());
    let mut refills = Vec::with_capacity(ind.routes.len());
    for r in &ind.routes {
        let mut services = Vec::with_capacity(r.len());
        let mut stops = Vec::new();
        for &(e, dir) in r {
            if e >= n {
                let pair = (e - n) as usize % refill_pairs.max(1);
                let site = (2 * pair + dir as usize).min(inst.refills.len().saturating_sub(1));
                stops.push(RefillStop {
                    before: services.len(),
                    site: site as u32,
                });
            } else {
                // An arc has one direction: report it as listed.
                let arc = inst.tasks[e as usize].kind == crate::instance::TaskKind::Arc;
                services.push(Service {
                    task: e,
                    dir: if arc { 0 } else { dir },
                });
            }
        }
        routes.push(services);
        refills.push(stops);
    }
    Solution {
        routes,
        refills,
        cost: ind.cost,
    }
}
