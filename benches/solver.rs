//! Solver kernels: Split throughput, local-search move evaluations per second,
//! and the shortest-path oracle on the largest Hefei instance.
//! Run: `cargo bench --bench solver`.

use arcplan::instance::{carp_file, Instance};
use arcplan::solver::data::{Penalty, SolverData};
use arcplan::solver::local_search::LocalSearch;
use arcplan::solver::segment::LeanSeg;
use arcplan::solver::split::{split, SplitBuffers};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::Path;

fn load(rel: &str) -> Option<Instance> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/carp")
        .join(rel);
    if !p.exists() {
        eprintln!("SKIPPED: {} not found", p.display());
        return None;
    }
    Some(carp_file::read(&p).unwrap())
}

fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("solver");
    g.sample_size(10);
    for rel in ["egl/egl-s4-A.dat", "hefei/Hefei-10.txt"] {
        let Some(inst) = load(rel) else { continue };
        let data = SolverData::<LeanSeg>::new(&inst, 20);
        let penalty = Penalty {
            capacity_milli: 1000,
            duration_milli: 1000,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut tour: Vec<u32> = (0..inst.num_tasks() as u32).collect();
        tour.shuffle(&mut rng);
        let mut buf = SplitBuffers::default();
        let mut starts = Vec::new();
        g.throughput(Throughput::Elements(inst.num_tasks() as u64));
        g.bench_function(format!("split/{}", inst.name), |b| {
            b.iter(|| split(&data, &penalty, &tour, &mut buf, &mut starts))
        });
        split(&data, &penalty, &tour, &mut buf, &mut starts);
        let routes: Vec<&[u32]> = starts
            .iter()
            .enumerate()
            .map(|(k, &s)| &tour[s..starts.get(k + 1).copied().unwrap_or(tour.len())])
            .collect();
        // The move kernel alone (SWAP*'s slot estimates are not move
        // evaluations), then the whole descent with SWAP* as the solver runs it.
        let mut ls = LocalSearch::new(&data, penalty);
        ls.swap_star = false;
        ls.run(&routes, &mut Xoshiro256PlusPlus::seed_from_u64(1));
        let per_run = ls.evaluations;
        let plain = ls.penalized_cost();
        let mut with = LocalSearch::new(&data, penalty);
        with.run(&routes, &mut Xoshiro256PlusPlus::seed_from_u64(1));
        eprintln!(
            "{}: local optimum from the split tour {plain} without SWAP*, {} with",
            inst.name,
            with.penalized_cost()
        );
        g.throughput(Throughput::Elements(per_run));
        g.bench_function(format!("local_search_moves/{}", inst.name), |b| {
            b.iter(|| {
                let mut ls = LocalSearch::new(&data, penalty);
                ls.swap_star = false;
                ls.run(&routes, &mut Xoshiro256PlusPlus::seed_from_u64(1));
                ls.evaluations
            })
        });
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("local_search_with_swap_star/{}", inst.name), |b| {
            b.iter(|| {
                let mut ls = LocalSearch::new(&data, penalty);
                ls.run(&routes, &mut Xoshiro256PlusPlus::seed_from_u64(1));
                ls.penalized_cost()
            })
        });
    }
    if let Some(inst) = load("hefei/Hefei-10.txt") {
        g.throughput(Throughput::Elements(inst.oracle.num_points() as u64));
        g.bench_function("oracle/Hefei-10", |b| {
            b.iter(|| {
                arcplan::instance::CostOracle::build(
                    inst.num_nodes,
                    inst.depot,
                    &inst.tasks,
                    &inst.links,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
