//! Route-based decomposition of large instances.
//!
//! On a thousand tasks a generation of the full search is slow (Hefei-10,
//! 1,212 tasks: about 14 per second per island) and most of what a crossover
//! and a local search try mixes tasks that lie far apart. The large-scale
//! literature answers with decomposition: Santini, Schneider, Vidal & Vigo
//! (2023, "Decomposition strategies for vehicle routing heuristics") run
//! decomposition phases inside HGS, clustering the routes of the best solution
//! and solving each cluster as its own problem, and found route-based
//! clustering the best; Mei, Li & Yao (2014) group the routes of a large CARP
//! by the distance between them. Here, every
//! [`Params::decompose_every`](super::Params::decompose_every) meetings of the
//! islands:
//!
//! 1. the routes of the best solution are grouped into clusters of about
//!    [`Params::decompose_size`](super::Params::decompose_size) tasks that lie
//!    close together ([`clusters`]): a random route seeds a cluster, which
//!    grows by the route with the most granular-neighbour links to it. Links
//!    need no coordinates (benchmark files have none) and cost
//!    `O(tasks × granularity)`; a new random seed each phase gives new borders;
//! 2. each cluster is an instance of its own ([`Instance::restricted`]), solved
//!    by a short single-island search warm-started from its current routes
//!    (so never worse) with a generation budget: deterministic per seed;
//! 3. clusters that got cheaper replace their routes, and the reassembled
//!    solution goes to every island, whose crossovers carry the gains across
//!    cluster borders.
//!
//! Clusters are solved side by side on the solver's threads. Only plain
//! instances decompose (see [`Instance::plain`]); the city builder cuts its own
//! districts before the solver (see `city::district`).

use super::data::SolverData;
use super::individual::{route_links, Individual};
use super::segment::Segment;
use super::Params;
use crate::instance::{Fleet, Instance};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use std::time::Instant;

/// Routes as the search holds them: `(task, direction)`.
type Routes = Vec<Vec<(u32, u8)>>;

/// Whether `inst` is large and plain enough to decompose under `params`.
pub fn applies(inst: &Instance, params: &Params) -> bool {
    params.decompose_size > 0
        && inst.num_tasks() >= params.decompose_from
        && inst.num_tasks() >= 2 * params.decompose_size
        && inst.plain()
}

/// Groups the routes (indices into `routes`) into clusters of at least
/// `target` tasks where links allow, each cluster's routes close together.
pub fn clusters<S: Segment>(
    data: &SolverData<S>,
    routes: &[Vec<(u32, u8)>],
    target: usize,
    rng: &mut impl Rng,
) -> Vec<Vec<usize>> {
    let r = routes.len();
    // links[a * r + b]: neighbour links between route a's tasks and route b's.
    let links = route_links(data, routes, usize::MAX);
    let mut free = vec![true; r];
    let mut left = r;
    let mut score = vec![0u64; r];
    let mut out = Vec::new();
    while left > 0 {
        let open: Vec<usize> = (0..r).filter(|&k| free[k]).collect();
        let seed = open[rng.random_range(0..open.len())];
        let mut group = vec![seed];
        free[seed] = false;
        left -= 1;
        let mut size = routes[seed].len();
        score.fill(0);
        let add = |score: &mut [u64], k: usize| {
            for (s, &l) in score.iter_mut().zip(&links[k * r..(k + 1) * r]) {
                *s += l as u64;
            }
        };
        add(&mut score, seed);
        while size < target && left > 0 {
            let next = (0..r)
                .filter(|&k| free[k] && score[k] > 0)
                .max_by_key(|&k| (score[k], std::cmp::Reverse(k)));
            let Some(k) = next else { break };
            group.push(k);
            free[k] = false;
            left -= 1;
            size += routes[k].len();
            add(&mut score, k);
        }
        out.push(group);
    }
    out
}

/// One decomposition phase from `best`: the reassembled solution when it is
/// feasible and cheaper, else `None`. `round` varies the clusters and seeds.
pub fn phase<S: Segment>(
    data: &SolverData<S>,
    best: &Individual,
    params: &Params,
    round: u64,
    deadline: Option<Instant>,
    pool: Option<&rayon::ThreadPool>,
) -> Option<Individual> {
    let inst = data.inst;
    let seed = params
        .seed
        .wrapping_mul(0xD1B5_4A32_D192_ED03)
        .wrapping_add(round);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let groups = clusters(data, &best.routes, params.decompose_size, &mut rng);
    let solve_group = |(g, group): (usize, &Vec<usize>)| -> Option<Routes> {
        if group.len() < 2 {
            return None;
        }
        let old: Routes = group.iter().map(|&k| best.routes[k].clone()).collect();
        let tasks: Vec<u32> = old.iter().flatten().map(|&(t, _)| t).collect();
        let fleet = match inst.fleet {
            Fleet::Limited(_) => Fleet::Limited(group.len()),
            Fleet::Unlimited => Fleet::Unlimited,
        };
        let sub = inst.restricted(&tasks, fleet)?;
        let budget = params.decompose_iterations.max(1);
        let sub_params = Params {
            seed: seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(g as u64),
            threads: 1,
            time_limit: deadline.map(|d| d.saturating_duration_since(Instant::now())),
            max_iterations: Some(4 * budget),
            max_iterations_without_improvement: Some(budget),
            target_cost: None,
            warm_start: (0..tasks.len() as u32).collect(),
            decompose_size: 0,
            ..params.clone()
        };
        let out = super::solve(&sub, &sub_params, |_| {});
        let before = Individual::from_routes(data, old).cost;
        if !out.feasible || out.best.cost >= before {
            return None;
        }
        Some(
            out.best
                .routes
                .iter()
                .map(|r| r.iter().map(|s| (tasks[s.task as usize], s.dir)).collect())
                .collect(),
        )
    };
    let solved: Vec<Option<Routes>> = match pool {
        Some(p) => p.install(|| groups.par_iter().enumerate().map(solve_group).collect()),
        None => groups.iter().enumerate().map(solve_group).collect(),
    };
    if solved.iter().all(|s| s.is_none()) {
        return None;
    }
    let mut routes = Vec::with_capacity(best.routes.len());
    for (group, new) in groups.iter().zip(solved) {
        match new {
            Some(rs) => routes.extend(rs),
            None => routes.extend(group.iter().map(|&k| best.routes[k].clone())),
        }
    }
    let ind = Individual::from_routes(data, routes);
    (ind.feasible() && ind.cost < best.cost).then_some(ind)
}
