//! One hybrid genetic search (HGS) run: two sub-populations (feasible and
//! infeasible), ordered crossover on giant tours (neighbouring routes listed
//! next to each other), Split, local search as the education, adaptive
//! capacity penalty, repair, and restarts on stagnation.

use super::data::{Penalty, SolverData};
use super::individual::{chain_routes, Individual};
use super::local_search::LocalSearch;
use super::population::SubPopulation;
use super::route_first;
use super::ruin;
use super::segment::Segment;
use super::split::{split, Refiller, SplitBuffers};
use super::Params;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::time::{Duration, Instant};

/// Initial individuals when routes are long (see [`Island::long_routes`]) or
/// the instance is large.
const LONG_ROUTE_STARTS: usize = 4;

/// Tasks above which a full initial population (a hundred local searches
/// from random tours) would take minutes: kw-large's 6,000–8,500 tasks never
/// got past it in 120 s. Such instances start from a few nearest-neighbour
/// tours, like long routes.
pub const LARGE_INSTANCE: usize = 2000;

/// Tasks above which the random initial population shrinks in proportion
/// (each start costs a local search from a random tour, which grows with
/// the tasks): Hefei-10's 1,212 tasks took 14 s of a 120 s run on one
/// thread before the first generation.
const FULL_POPULATION_TASKS: usize = 800;

/// Initial individuals from random tours for `n` tasks: `full` up to
/// [`FULL_POPULATION_TASKS`], fewer beyond.
fn full_population(full: usize, n: usize) -> usize {
    if n <= FULL_POPULATION_TASKS {
        full
    } else {
        (full * FULL_POPULATION_TASKS / n).max(LONG_ROUTE_STARTS)
    }
}

pub struct Island<'a, S: Segment> {
    data: &'a SolverData<'a, S>,
    params: &'a Params,
    ls: LocalSearch<'a, S>,
    rng: Xoshiro256PlusPlus,
    feasible: SubPopulation,
    infeasible: SubPopulation,
    penalty: Penalty,
    recent: Vec<bool>,
    split_buf: SplitBuffers,
    starts: Vec<usize>,
    /// This island's number (island 0 starts from the unperturbed
    /// route-first tour).
    index: usize,
    pub best: Option<Individual>,
    pub best_time: Duration,
    pub iterations: u64,
    /// When the initial population was complete (from the run's start).
    pub start_up: Duration,
    since_improvement: u64,
    initialised: bool,
    /// The run's time limit: a local search still running then stops where
    /// it is (its routes are whole); the fallback's repair gets as long again.
    deadline: Option<Instant>,
}

impl<'a, S: Segment> Island<'a, S> {
    pub fn new(data: &'a SolverData<'a, S>, params: &'a Params, index: usize) -> Self {
        let inst = data.inst;
        // Initial penalty: the ratio of a typical deadhead to a typical demand.
        let max_dist = (0..inst.num_tasks())
            .map(|t| {
                let (s, _) = inst.oracle.task_points(t, 0);
                inst.oracle.dist(inst.oracle.depot_point(), s)
            })
            .max()
            .unwrap_or(1);
        let max_demand = inst
            .tasks
            .iter()
            .map(|t| t.demand)
            .max()
            .unwrap_or(1)
            .max(1);
        let milli = ((max_dist * 1000) / max_demand).clamp(100, 100_000_000);
        // A unit of duration excess starts at ten units of cost.
        let penalty = Penalty {
            capacity_milli: milli,
            duration_milli: 10_000,
        };
        let seed = params
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(index as u64);
        let mut ls = LocalSearch::new(data, penalty);
        ls.swap_star = params.swap_star;
        Island {
            data,
            params,
            ls,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            feasible: SubPopulation::new(),
            infeasible: SubPopulation::new(),
            penalty,
            recent: Vec::with_capacity(100),
            split_buf: SplitBuffers::default(),
            starts: Vec::new(),
            index,
            best: None,
            best_time: Duration::ZERO,
            iterations: 0,
            start_up: Duration::ZERO,
            since_improvement: 0,
            initialised: false,
            deadline: None,
        }
    }

    /// Moves priced by this island's local search.
    pub fn evaluations(&self) -> u64 {
        self.ls.evaluations
    }

    /// Runs `iterations` generations (or until the deadline).
    pub fn run_epoch(&mut self, iterations: u64, start: Instant, deadline: Option<Instant>) {
        let past = |d: Option<Instant>| d.is_some_and(|d| Instant::now() >= d);
        self.deadline = deadline;
        self.ls.deadline = deadline;
        if !self.initialised {
            self.initialise(start, deadline);
            self.initialised = true;
            self.start_up = start.elapsed();
        }
        for _ in 0..iterations {
            if past(deadline) {
                return;
            }
            self.generation(start);
            if self.since_improvement >= self.params.restart_after {
                self.feasible.clear();
                self.infeasible.clear();
                self.since_improvement = 0;
                self.initialise(start, deadline);
            }
        }
    }

    fn initialise(&mut self, start: Instant, deadline: Option<Instant>) {
        let n = self.data.num_tasks();
        // Routes of hundreds of services take seconds to educate each: a
        // few good starts, then generations, rather than a full population
        // that would use up the time before the first crossover.
        let count = if self.few_starts() {
            LONG_ROUTE_STARTS
        } else {
            full_population(4 * self.params.mu, n)
        };
        let warm = &self.params.warm_start;
        if !self.initialised && warm.len() == n {
            self.educate(warm.clone(), start);
        }
        for k in 0..count {
            // Past the deadline, stop once there is something to return (the
            // fallback repairs an infeasible population).
            let populated = self.best.is_some() || k > 0 || !self.infeasible.is_empty();
            if deadline.is_some_and(|d| Instant::now() >= d) && populated {
                break;
            }
            let tour = if self.few_starts() {
                // Route-first tours (the first island's first one on the true
                // costs, the others perturbed); with deadlines, every other
                // one layered by priority class; and one nearest neighbour.
                let exact = k == 0 && self.index == 0 && !self.initialised;
                let noise = if exact { 0.0 } else { 0.15 };
                let layered = !self.data.inst.deadlines.is_empty();
                match k % 4 {
                    1 | 3 if layered => self.route_first_tour(noise, true),
                    0 | 2 => self.route_first_tour(noise, false),
                    _ => self.nearest_neighbour_tour(),
                }
            } else {
                let mut tour: Vec<u32> = (0..n as u32).collect();
                tour.shuffle(&mut self.rng);
                tour
            };
            self.educate(tour, start);
        }
    }

    /// Routes of many services (a city sector rather than a benchmark's
    /// dozen): from a random tour, the local search would spend its time on
    /// thousands of small repairs.
    fn long_routes(&self) -> bool {
        self.data.long_routes
    }

    /// Start from a few nearest-neighbour tours rather than a full random
    /// population: long routes, or a large instance.
    fn few_starts(&self) -> bool {
        self.long_routes() || self.data.num_tasks() > LARGE_INSTANCE
    }

    /// A route-first giant tour (see [`route_first`]), layered by priority
    /// class or not, with the route heads
    /// of a re-plan spread over it (each then opens a route in Split).
    fn route_first_tour(&mut self, noise: f64, layered: bool) -> Vec<u32> {
        let inst = self.data.inst;
        let mut tour = if layered {
            route_first::layered_tour(inst, self.data.max_routes, noise, &mut self.rng)
        } else {
            route_first::giant_tour(inst, noise, &mut self.rng)
        };
        let heads = inst.route_heads;
        if heads > 0 {
            let first = (inst.num_tasks() - heads) as u32;
            let len = tour.len();
            for k in (0..heads).rev() {
                tour.insert(k * len / heads, first + k as u32);
            }
        }
        tour
    }

    /// A giant tour that goes on from each task to the nearest unserved task
    /// (ties broken at random). Taking the second or third nearest strands
    /// work all over a street grid.
    fn nearest_neighbour_tour(&mut self) -> Vec<u32> {
        let n = self.data.num_tasks();
        let o = &self.data.inst.oracle;
        let segs = &self.data.task_seg;
        let mut left: Vec<u32> = (0..n as u32).collect();
        let mut tour = Vec::with_capacity(n);
        let mut at = [o.depot_point(); 2];
        while !left.is_empty() {
            let mut best = (i64::MAX, 0usize);
            let mut ties = 0u32;
            for (k, &t) in left.iter().enumerate() {
                let st = segs[t as usize].start();
                let d = (0..2)
                    .flat_map(|a| (0..2).map(move |b| (a, b)))
                    .map(|(a, b)| o.dist(at[a], st[b]))
                    .min()
                    .unwrap_or(i64::MAX);
                if d < best.0 {
                    best = (d, k);
                    ties = 1;
                } else if d == best.0 {
                    // Reservoir sampling among the ties.
                    ties += 1;
                    if self.rng.random_range(0..ties) == 0 {
                        best.1 = k;
                    }
                }
            }
            let pick = best.1;
            let t = left.swap_remove(pick);
            at = segs[t as usize].end();
            tour.push(t);
        }
        tour
    }

    fn generation(&mut self, start: Instant) {
        if self.long_routes() {
            // Long routes: a child is its parent's routes with one region
            // re-done (see [`ruin`]), educated without a new Split.
            // Half the children come from the island's best (a large
            // neighbourhood search around the incumbent), half from a
            // tournament (diversity).
            let parent = match &self.best {
                Some(b) if self.rng.random_bool(0.5) => b.routes.clone(),
                _ => self.tournament_routes(),
            };
            let (routes, cluster) = ruin::ruin_recreate(
                self.data.inst,
                &self.data.neighbours,
                &parent,
                &mut self.rng,
            );
            // The rest is locally optimal already: search around the cluster.
            let mut focus = vec![false; self.data.num_elements()];
            for &t in &cluster {
                focus[t as usize] = true;
                for &v in &self.data.neighbours[t as usize] {
                    focus[v as usize] = true;
                }
            }
            self.ls.focus = Some(focus);
            self.educate_routes(&routes, start);
        } else {
            let p1 = self.tournament();
            let p2 = self.tournament();
            let child = self.crossover(&p1, &p2);
            self.educate(child, start);
        }
        self.iterations += 1;
        self.since_improvement += 1;
        // Long routes make few generations: adapt the penalties sooner.
        let every = if self.long_routes() { 5 } else { 100 };
        if self.iterations.is_multiple_of(every) {
            self.adapt_penalty();
        }
    }

    /// Binary tournament: the fitter of two random members (index over the
    /// feasible then the infeasible sub-population).
    fn tournament_pick(&mut self) -> &Individual {
        let total = self.feasible.len() + self.infeasible.len();
        let ka = self.rng.random_range(0..total);
        let kb = self.rng.random_range(0..total);
        let get = |k: usize| {
            if k < self.feasible.len() {
                &self.feasible.members[k]
            } else {
                &self.infeasible.members[k - self.feasible.len()]
            }
        };
        let (a, b) = (get(ka), get(kb));
        if a.fitness <= b.fitness {
            a
        } else {
            b
        }
    }

    fn tournament_routes(&mut self) -> Vec<Vec<(u32, u8)>> {
        self.tournament_pick().routes.clone()
    }

    fn tournament(&mut self) -> Vec<u32> {
        self.tournament_pick().tour.clone()
    }

    /// Ordered crossover (OX) of two giant tours.
    fn crossover(&mut self, p1: &[u32], p2: &[u32]) -> Vec<u32> {
        let n = p1.len();
        let mut child = vec![u32::MAX; n];
        if n < 2 {
            return p1.to_vec();
        }
        let i = self.rng.random_range(0..n);
        let mut j = self.rng.random_range(0..n);
        while j == i {
            j = self.rng.random_range(0..n);
        }
        let mut used = vec![false; n];
        let mut k = i;
        loop {
            child[k] = p1[k];
            used[p1[k] as usize] = true;
            if k == j {
                break;
            }
            k = (k + 1) % n;
        }
        let mut out = (j + 1) % n;
        for s in 0..n {
            let t = p2[(j + 1 + s) % n];
            if !used[t as usize] {
                child[out] = t;
                out = (out + 1) % n;
            }
        }
        child
    }

    fn improve(&mut self, routes: &[Vec<(u32, u8)>]) -> Individual {
        let tours: Vec<Vec<u32>> = routes
            .iter()
            .map(|r| r.iter().map(|s| s.0).collect())
            .collect();
        let slices: Vec<&[u32]> = tours.iter().map(|r| r.as_slice()).collect();
        self.ls.run(&slices, &mut self.rng);
        let mut routes = self.ls.routes();
        if self.params.chain_routes {
            chain_routes(self.data, &mut routes);
        }
        Individual::from_routes(self.data, routes)
    }

    /// The routes of the current split of `tour`, refills included.
    fn materialise(&self, tour: &[u32]) -> Vec<Vec<(u32, u8)>> {
        let mut refiller = Refiller::new(self.data);
        let mut buf = Vec::new();
        let mut routes: Vec<Vec<(u32, u8)>> = Vec::with_capacity(self.starts.len());
        for (k, &s) in self.starts.iter().enumerate() {
            let e = self.starts.get(k + 1).copied().unwrap_or(tour.len());
            refiller.route(self.data, &tour[s..e], &mut buf);
            routes.push(buf.iter().map(|&t| (t, 0)).collect());
        }
        routes
    }

    /// Split, local search, repair when infeasible, and insertion.
    fn educate(&mut self, mut tour: Vec<u32>, start: Instant) {
        // Route heads (vehicles' starting states) must open routes: start the
        // giant tour at one, so that Split's first route does too.
        let heads = self.data.inst.route_heads;
        if heads > 0 {
            let first_head = (self.data.num_tasks() - heads) as u32;
            if let Some(k) = tour.iter().position(|&t| t >= first_head) {
                tour.rotate_left(k);
            }
        }
        split(
            self.data,
            &self.penalty,
            &tour,
            &mut self.split_buf,
            &mut self.starts,
        );
        let routes = self.materialise(&tour);
        self.educate_routes(&routes, start);
    }

    /// Local search, repair when infeasible, and insertion, from routes.
    fn educate_routes(&mut self, routes: &[Vec<(u32, u8)>], start: Instant) {
        self.ls.penalty = self.penalty;
        let ind = self.improve(routes);
        // A repair below searches everywhere.
        self.ls.focus = None;
        let feasible = ind.feasible();
        if self.recent.len() == 100 {
            self.recent.remove(0);
        }
        self.recent.push(feasible);
        if !feasible && self.rng.random_bool(0.5) {
            let routes = ind.routes.clone();
            self.insert(ind, start);
            self.ls.penalty = self.penalty.scaled(10);
            let mut repaired = self.improve(&routes);
            if !repaired.feasible() {
                self.ls.penalty = self.penalty.scaled(100);
                repaired = self.improve(&repaired.routes.clone());
            }
            self.ls.penalty = self.penalty;
            if repaired.feasible() {
                self.insert(repaired, start);
            }
        } else {
            self.insert(ind, start);
        }
    }

    fn insert(&mut self, ind: Individual, start: Instant) {
        if ind.feasible() && self.best.as_ref().is_none_or(|b| ind.cost < b.cost) {
            self.best = Some(ind.clone());
            self.best_time = start.elapsed();
            self.since_improvement = 0;
        }
        let p = &self.params;
        let sub = if ind.feasible() {
            &mut self.feasible
        } else {
            &mut self.infeasible
        };
        sub.add(ind);
        if sub.len() > p.mu + p.lambda {
            sub.select_survivors(p.mu, &self.penalty, p.n_elite, p.n_close);
        } else {
            sub.update_fitness(&self.penalty, p.n_elite, p.n_close);
        }
    }

    /// A solution made feasible by force, for a run that ends without one: the
    /// best tour found is split and improved under a prohibitive capacity price.
    /// Feasible whenever the fleet is free (every task fits in a vehicle).
    pub fn fallback(&mut self, start: Instant) -> Individual {
        let tour = self
            .infeasible
            .best(&self.penalty)
            .or_else(|| self.feasible.best(&self.penalty))
            .map(|i| i.tour.clone())
            .unwrap_or_else(|| (0..self.data.num_tasks() as u32).collect());
        let saved = self.penalty;
        // Repairing may take as long again as the run's limit, not more: a
        // duty officer waits for the answer (the plan reports what is left).
        self.ls.deadline = self.deadline.map(|d| {
            Instant::now()
                + d.saturating_duration_since(start)
                    .max(Duration::from_millis(200))
        });
        self.penalty = Penalty {
            capacity_milli: 1_000_000,
            duration_milli: 1_000_000,
        };
        self.educate(tour, start);
        self.penalty = saved;
        self.ls.penalty = saved;
        self.ls.deadline = self.deadline;
        match &self.best {
            Some(b) => b.clone(),
            None => {
                let routes = self.ls.routes();
                Individual::from_routes(self.data, routes)
            }
        }
    }

    /// Adds a copy of a solution found elsewhere (migration between islands).
    pub fn inject(&mut self, ind: &Individual, start: Instant) {
        if self.best.as_ref().is_none_or(|b| ind.cost < b.cost) {
            self.insert(ind.clone(), start);
        }
    }

    fn adapt_penalty(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        let frac = self.recent.iter().filter(|&&f| f).count() as f64 / self.recent.len() as f64;
        let target = self.params.target_feasible;
        let factor = if frac < target - 0.05 {
            1.2
        } else if frac > target + 0.05 {
            0.85
        } else {
            1.0
        };
        let scale = |m: i64| ((m as f64 * factor).ceil() as i64).clamp(10, 100_000_000);
        let new = Penalty {
            capacity_milli: scale(self.penalty.capacity_milli),
            duration_milli: scale(self.penalty.duration_milli),
        };
        if factor != 1.0 {
            self.penalty = new;
            let p = self.params;
            self.infeasible
                .update_fitness(&self.penalty, p.n_elite, p.n_close);
        }
    }
}
