//! The CARP core: readers, solver, validator, on the literature's instances and
//! on random ones.

mod common;
use arcplan::instance::{carp_file, Fleet, Instance, InstanceSpec, Link, Task, TaskKind};
use arcplan::plan::carp_validator::validate;
use arcplan::solver::{self, Params, Service, Solution};
use std::path::Path;
use std::time::Duration;

fn params(seed: u64, threads: usize, secs: f64) -> Params {
    Params {
        seed,
        threads,
        time_limit: Some(Duration::from_secs_f64(secs)),
        ..Default::default()
    }
}

fn solve_checked(inst: &Instance, p: &Params) -> Solution {
    let out = solver::solve(inst, p, |_| {});
    let report = validate(inst, &out.best);
    assert!(report.is_valid(), "{}: {:?}", inst.name, report.errors);
    assert!(
        out.best.cost >= inst.lower_bound(),
        "{}: below the lower bound",
        inst.name
    );
    out.best
}

#[test]
fn known_optima_gdb1_and_val1a() {
    for (rel, opt) in [("carp/gdb/gdb1.dat", 316), ("carp/val/val1A.dat", 173)] {
        let Some(p) = common::shared(rel) else { return };
        let inst = carp_file::read(&p).unwrap();
        let mut prm = params(1, 2, 20.0);
        prm.target_cost = Some(opt);
        let sol = solve_checked(&inst, &prm);
        assert_eq!(sol.cost, opt, "{rel}");
    }
}

#[test]
fn every_gdb_instance_reaches_its_optimum() {
    let Some(dir) = common::shared("carp/gdb") else {
        return;
    };
    let Some(bks) = common::shared("carp/bks.csv") else {
        return;
    };
    let text = std::fs::read_to_string(bks).unwrap();
    for line in text.lines().filter(|l| l.starts_with("gdb,")) {
        let f: Vec<&str> = line.split(',').collect();
        let opt: i64 = f[5].parse().unwrap();
        let inst = carp_file::read(&dir.join(format!("{}.dat", f[1]))).unwrap();
        let mut prm = params(1, 2, 30.0);
        prm.target_cost = Some(opt);
        let sol = solve_checked(&inst, &prm);
        assert_eq!(sol.cost, opt, "{}", f[1]);
    }
}

#[test]
fn mixed_mcarp_instance_is_solved_validly() {
    let Some(p) = common::shared("carp/mcarp/mval1A.txt") else {
        return;
    };
    let inst = carp_file::read(&p).unwrap();
    assert!(
        inst.tasks.iter().any(|t| t.kind == TaskKind::Arc)
            && inst.tasks.iter().any(|t| t.kind == TaskKind::Edge)
    );
    let sol = solve_checked(&inst, &params(1, 1, 2.0));
    // No arc is ever reported against its direction.
    for r in &sol.routes {
        for s in r {
            if inst.tasks[s.task as usize].kind == TaskKind::Arc {
                assert_eq!(s.dir, 0);
            }
        }
    }
    let Some(p) = common::shared("carp/mcarp/Lpr-a-01.txt") else {
        return;
    };
    let inst = carp_file::read(&p).unwrap();
    assert_eq!(inst.route_fixed_cost, 300, "DUMPING_COST counts per trip");
    solve_checked(&inst, &params(1, 1, 1.0));
}

#[test]
fn zero_based_hefei_file_with_empty_list_header() {
    let Some(p) = common::shared("carp/hefei/Hefei-10.txt") else {
        return;
    };
    let inst = carp_file::read(&p).unwrap();
    assert_eq!(inst.node_id_base, 0);
    assert_eq!(inst.depot, 0);
    assert_eq!(inst.num_tasks(), 1212);
    assert!(inst.links.is_empty());
}

#[test]
fn same_seed_and_threads_give_the_same_solution() {
    let Some(p) = common::shared("carp/egl/egl-e1-A.dat") else {
        return;
    };
    let inst = carp_file::read(&p).unwrap();
    let run = |seed| {
        let mut prm = params(seed, 2, 600.0);
        prm.max_iterations = Some(600);
        solver::solve(&inst, &prm, |_| {}).best
    };
    let a = run(7);
    assert_eq!(a, run(7));
    assert!(validate(&inst, &a).is_valid());
}

#[test]
fn restricted_instances_price_routes_as_the_whole_one() {
    let inst = random_instance(11, 14, 40, true);
    let whole = solve_checked(&inst, &{
        let mut p = params(3, 1, 10.0);
        p.max_iterations = Some(200);
        p
    });
    assert!(whole.routes.len() >= 2, "too few routes to split");
    // Two halves of the routes, each checked by the validator against its
    // own sub-instance: their costs add up to the whole solution's.
    let half = whole.routes.len() / 2;
    let mut total = 0;
    for part in [&whole.routes[..half], &whole.routes[half..]] {
        let tasks: Vec<u32> = part.iter().flatten().map(|s| s.task).collect();
        let sub = inst.restricted(&tasks, Fleet::Unlimited).unwrap();
        let mut next = 0u32;
        let routes: Vec<Vec<Service>> = part
            .iter()
            .map(|r| {
                r.iter()
                    .map(|s| {
                        next += 1;
                        Service {
                            task: next - 1,
                            dir: s.dir,
                        }
                    })
                    .collect()
            })
            .collect();
        let mut sol = Solution {
            refills: vec![Vec::new(); routes.len()],
            routes,
            cost: 0,
        };
        sol.cost = validate(&sub, &sol).cost;
        let report = validate(&sub, &sol);
        assert!(report.is_valid(), "{:?}", report.errors);
        total += sol.cost;
        // The sub-instance's oracle is the whole one's, point for point.
        let (o, so) = (&inst.oracle, &sub.oracle);
        for (i, &ti) in tasks.iter().enumerate() {
            for (j, &tj) in tasks.iter().enumerate() {
                for (di, dj) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let whole = o.dist(
                        o.task_points(ti as usize, di).1,
                        o.task_points(tj as usize, dj).0,
                    );
                    let part = so.dist(so.task_points(i, di).1, so.task_points(j, dj).0);
                    assert_eq!(whole, part);
                }
            }
            let whole = o.dist(o.depot_point(), o.task_points(ti as usize, 0).0);
            assert_eq!(whole, so.dist(so.depot_point(), so.task_points(i, 0).0));
        }
        // And the solver's claims on it hold under the validator.
        solve_checked(&sub, &{
            let mut p = params(4, 1, 10.0);
            p.max_iterations = Some(50);
            p
        });
    }
    assert_eq!(total, whole.cost);
}

#[test]
fn decomposition_phase_improves_a_large_solution_and_stays_valid() {
    use arcplan::solver::{data::SolverData, decompose, individual::Individual, segment::LeanSeg};
    let Some(p) = common::shared("carp/hefei/Hefei-4.txt") else {
        return;
    };
    let inst = carp_file::read(&p).unwrap();
    let mut prm = params(5, 1, 600.0);
    assert!(decompose::applies(&inst, &prm));
    // A quick solution of the whole, without decomposition.
    prm.decompose_size = 0;
    prm.max_iterations = Some(20);
    let quick = solve_checked(&inst, &prm);
    prm.decompose_size = Params::default().decompose_size;
    let data = SolverData::<LeanSeg>::new(&inst, prm.granularity);
    let start = Individual::from_routes(
        &data,
        quick
            .routes
            .iter()
            .map(|r| r.iter().map(|s| (s.task, s.dir)).collect())
            .collect(),
    );
    assert_eq!(start.cost, quick.cost);
    let clusters = decompose::clusters(&data, &start.routes, prm.decompose_size, &mut {
        use rand::SeedableRng;
        rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1)
    });
    // Every route in exactly one cluster, most clusters near the target size.
    let mut seen: Vec<usize> = clusters.iter().flatten().copied().collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..start.routes.len()).collect::<Vec<_>>());
    let sizes: Vec<usize> = clusters
        .iter()
        .map(|c| c.iter().map(|&r| start.routes[r].len()).sum())
        .collect();
    let big = sizes.iter().filter(|&&s| s >= prm.decompose_size).count();
    assert!(big * 2 >= sizes.len(), "cluster sizes {sizes:?}");
    let better = decompose::phase(&data, &start, &prm, 1, None, None)
        .expect("a phase improves a 20-generation solution");
    assert!(better.cost < start.cost);
    let sol = Solution {
        refills: vec![Vec::new(); better.routes.len()],
        routes: better
            .routes
            .iter()
            .map(|r| r.iter().map(|&(task, dir)| Service { task, dir }).collect())
            .collect(),
        cost: better.cost,
    };
    let report = validate(&inst, &sol);
    assert!(report.is_valid(), "{:?}", report.errors);
}

#[test]
fn decomposed_runs_are_reproducible() {
    let Some(p) = common::shared("carp/hefei/Hefei-3.txt") else {
        return;
    };
    let inst = carp_file::read(&p).unwrap();
    let run = || {
        let mut prm = params(9, 2, 600.0);
        prm.max_iterations = Some(400);
        prm.decompose_every = 1;
        solve_checked(&inst, &prm)
    };
    assert_eq!(run(), run());
}

#[test]
fn validator_catches_planted_errors() {
    let Some(p) = common::shared("carp/gdb/gdb1.dat") else {
        return;
    };
    let inst = carp_file::read(&p).unwrap();
    let good = solve_checked(&inst, &params(1, 1, 1.0));
    let bad = |mutate: &dyn Fn(&mut Solution), needle: &str| {
        let mut s = good.clone();
        mutate(&mut s);
        let r = validate(&inst, &s);
        assert!(
            r.errors.iter().any(|e| e.contains(needle)),
            "{needle}: {:?}",
            r.errors
        );
    };
    bad(&|s| s.cost += 1, "claimed cost");
    bad(
        &|s| {
            let t = s.routes[0][0];
            s.routes[1].push(t);
        },
        "serviced 2 times",
    );
    bad(
        &|s| {
            s.routes[0].remove(0);
        },
        "never serviced",
    );
    bad(
        &|s| {
            let moved: Vec<Service> = s.routes.drain(1..).flatten().collect();
            s.routes[0].extend(moved);
        },
        "exceeds the capacity",
    );
    bad(&|s| s.routes[0][0].dir = 2, "direction 2");
}

#[test]
fn reader_errors_name_the_line() {
    let cases = [
        ("VERTICES : 3\nCAPACIDAD : 5\nDEPOSITO : 1\nLISTA_ARISTAS_REQ :\n( 1, x) coste 3 demanda 1\n", ":5: bad node"),
        ("VERTICES : 3\nCAPACIDAD : 5\nDEPOSITO : 1\nLISTA_ARISTAS_REQ :\n( 1, 9) coste 3 demanda 1\n", ":5: node 9 is outside"),
        ("VERTICES : 3\nCAPACIDAD : 5\nFOO : 1\n", ":3: unknown keyword"),
        ("VERTICES : 3\nCAPACIDAD : 5\nARISTAS_REQ : 2\nDEPOSITO : 1\nLISTA_ARISTAS_REQ :\n( 1, 2) coste 3 demanda 1\n", ":3: declares 2 links but its list has 1"),
        ("VERTICES : 3\nCAPACIDAD : 5\nDEPOSITO : 1\nLISTA_ARISTAS_REQ :\n( 1, 2) coste 3 demanda 9\n", "above the vehicle capacity"),
        ("VERTICES : 3\nDEPOSITO : 1\n", "no CAPACIDAD"),
    ];
    for (text, needle) in cases {
        let err = carp_file::parse(Path::new("x.dat"), text)
            .expect_err(needle)
            .to_string();
        assert!(
            err.contains(needle) && err.starts_with("x.dat"),
            "{err} should contain {needle}"
        );
    }
}

/// kw-large files put a line of dashes in the header; a stray word still fails.
#[test]
fn reader_skips_header_separators() {
    let text = "NAME : x\nNODES : 3\nCAPACITY : 5\n----\nDEPOSITO : 1\nLISTA_ARISTAS_REQ :\n( 1, 2) coste 3 demanda 1\n";
    let inst = carp_file::parse(Path::new("x.txt"), text).expect("separator accepted");
    assert_eq!(inst.num_tasks(), 1);
    let err = carp_file::parse(Path::new("x.txt"), &text.replace("----", "--x--"))
        .expect_err("not a separator")
        .to_string();
    assert!(err.contains(":4: cannot read"), "{err}");
}

#[test]
fn cli_solve_writes_checkable_json() {
    let Some(p) = common::shared("carp/gdb/gdb1.dat") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sol.json");
    let (code, stdout, err) = common::arcplan(&[
        "carp",
        "solve",
        p.to_str().unwrap(),
        "--time-limit",
        "2s",
        "--threads",
        "1",
        "--target",
        "316",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("cost 316") && stdout.contains("valid"),
        "{stdout}"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["cost"], 316);
    // Recount the cost from the file's own data: services in file node ids.
    let inst = carp_file::read(&p).unwrap();
    let mut served = vec![0; inst.num_tasks()];
    for r in v["routes"].as_array().unwrap() {
        for s in r.as_array().unwrap() {
            let t = &inst.tasks[s["task"].as_u64().unwrap() as usize];
            let (a, b) = (
                s["from"].as_u64().unwrap() as u32 - 1,
                s["to"].as_u64().unwrap() as u32 - 1,
            );
            assert!((a, b) == (t.from, t.to) || (a, b) == (t.to, t.from));
            served[s["task"].as_u64().unwrap() as usize] += 1;
        }
    }
    assert!(served.iter().all(|&c| c == 1));
}

// ---- random instances ----

fn random_instance(seed: u64, n: usize, tasks: usize, arcs: bool) -> Instance {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut rnd = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut links = Vec::new();
    // A ring both ways keeps it strongly connected.
    for i in 0..n {
        links.push(Link {
            from: i as u32,
            to: ((i + 1) % n) as u32,
            cost: 1 + rnd(9) as i64,
            directed: false,
        });
    }
    let mut ts = Vec::new();
    for _ in 0..tasks {
        let a = rnd(n as u64) as u32;
        let b = rnd(n as u64) as u32;
        let kind = if arcs && rnd(3) == 0 {
            TaskKind::Arc
        } else {
            TaskKind::Edge
        };
        let c = 1 + rnd(20) as i64;
        ts.push(Task {
            class: None,
            from: a,
            to: b,
            kind,
            demand: 1 + rnd(5) as i64,
            serve_cost: c + rnd(3) as i64,
            deadhead_cost: c,
        });
    }
    Instance::new(InstanceSpec {
        name: format!("random-{seed}"),
        num_nodes: n,
        depot: 0,
        capacity: 10,
        fleet: Fleet::Unlimited,
        vehicles_in_file: None,
        route_fixed_cost: rnd(3) as i64 * 5,
        tasks: ts,
        links,
        node_id_base: 0,
    })
    .unwrap()
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

        #[test]
        fn solutions_are_valid_and_above_the_lower_bound(seed in 0u64..1_000_000, n in 3usize..12, t in 1usize..25, arcs in any::<bool>()) {
            let inst = random_instance(seed, n, t, arcs);
            let mut p = params(seed, 1, 5.0);
            p.max_iterations = Some(60);
            let out = solver::solve(&inst, &p, |_| {});
            let r = validate(&inst, &out.best);
            prop_assert!(r.is_valid(), "{:?}", r.errors);
            prop_assert!(out.best.cost >= inst.lower_bound());
        }

        #[test]
        fn segment_folds_equal_brute_force_over_directions(seed in 0u64..1_000_000, len in 1usize..7) {
            use arcplan::solver::data::SolverData;
            use arcplan::solver::segment::{FleetSeg, LeanSeg, Segment};
            let inst = random_instance(seed, 8, 10, true);
            let o = &inst.oracle;
            let tasks: Vec<usize> = (0..len).map(|k| (seed as usize + 3 * k) % inst.num_tasks()).collect();
            fn fold<S: Segment>(inst: &Instance, tasks: &[usize]) -> i64 {
                let data = SolverData::<S>::new(inst, 5);
                let o = &inst.oracle;
                let mut seg = data.depot_seg;
                for &t in tasks {
                    seg = seg.concat(&data.task_seg[t], o);
                }
                seg.concat(&data.depot_seg, o).best()
            }
            let mut best = i64::MAX;
            for mask in 0..(1u32 << len) {
                let mut cost = 0;
                let mut at = o.depot_point();
                for (k, &t) in tasks.iter().enumerate() {
                    let (s, e) = o.task_points(t, ((mask >> k) & 1) as u8);
                    cost += o.dist(at, s) + inst.tasks[t].serve_cost;
                    at = e;
                }
                cost += o.dist(at, o.depot_point());
                best = best.min(cost);
            }
            prop_assert_eq!(fold::<LeanSeg>(&inst, &tasks), best);
            prop_assert_eq!(fold::<FleetSeg>(&inst, &tasks), best);
        }
    }
}
