//! Plans on real extracts (`../shared/data/osm`): night sweeping of central
//! Helsinki (both curbs of every street) and salting Andorra with its DEM
//! (steep mountain roads in class 1). Each plan goes through the validator.
//! Missing data fails in CI and skips elsewhere.

mod common;

use arcplan::city;
use arcplan::plan::shift::{self, LegKind};
use arcplan::solver::Params;
use common::{fixture, shared};
use std::collections::HashSet;
use std::time::Duration;

fn plan(
    scenario: &str,
    seconds: u64,
) -> (arcplan::scenario::Scenario, city::CityProblem, shift::Plan) {
    let s = arcplan::scenario::load(&fixture(scenario)).expect("scenario");
    let problem = city::build(&s).expect("build");
    let params = Params {
        seed: 1,
        threads: 2,
        time_limit: Some(Duration::from_secs(seconds)),
        ..Default::default()
    };
    let (plan, _) = common::solve_and_validate(&s, &problem, &params);
    (s, problem, plan)
}

#[test]
fn helsinki_night_sweeping_covers_both_curbs() {
    if shared("osm/helsinki.osm.pbf").is_none() {
        return;
    }
    let (_, problem, plan) = plan("helsinki-sweeping.toml", 5);
    let net = &problem.network;
    // Both curbs: every two-way street swept in both directions, every
    // one-way street twice, apart from passes reported unreachable.
    let mut passes: std::collections::HashMap<u32, Vec<u8>> = Default::default();
    for v in &plan.vehicles {
        for l in v.legs.iter().filter(|l| l.kind == LegKind::Service) {
            passes
                .entry(l.steps[0].segment)
                .or_default()
                .push(l.steps[0].dir);
        }
    }
    let excused: HashSet<u32> = problem
        .problems
        .iter()
        .flat_map(|p| p.unreachable.iter().map(|u| u.0))
        .collect();
    let mut two_way = 0;
    for (&seg, dirs) in &passes {
        let s = &net.segments[seg as usize];
        if excused.contains(&seg) {
            continue;
        }
        assert_eq!(dirs.len(), 2, "segment {seg}: {dirs:?}");
        if s.forward && s.backward {
            two_way += 1;
            assert!(
                dirs.contains(&0) && dirs.contains(&1),
                "segment {seg}: {dirs:?}"
            );
        }
    }
    assert!(two_way > 100, "only {two_way} two-way streets swept");
    assert!(plan.kpis.deadhead_km >= plan.kpis.deadhead_km_lower_bound);
    assert!(plan.kpis.service_km > 30.0, "{:?}", plan.kpis);
}

#[test]
fn andorra_salting_puts_steep_roads_in_class_one() {
    if shared("osm/andorra.osm.pbf").is_none() || shared("osm/dem/N42E001.hgt").is_none() {
        return;
    }
    let (_, problem, plan) = plan("andorra-salting.toml", 10);
    let net = &problem.network;
    let mut steep_class1 = 0;
    for v in &plan.vehicles {
        for l in v.legs.iter().filter(|l| l.kind == LegKind::Service) {
            let s = l.steps[0].segment;
            let grade = net.segments[s as usize].grade_pct.map_or(0.0, |g| g.abs());
            let w = net.way_of(s);
            if grade >= 10.0 {
                // The first matching rule is class 1: grade from the DEM.
                assert_eq!(l.priority, Some(1), "OSM way {} at {grade} %", w.osm_id);
                if !w.bridge && !w.ramp() {
                    steep_class1 += 1;
                }
            }
        }
    }
    assert!(
        steep_class1 > 100,
        "only {steep_class1} steep (DEM) services in class 1"
    );
    let depots: HashSet<&str> = plan.vehicles.iter().map(|v| v.depot.as_str()).collect();
    assert_eq!(depots.len(), 2, "both depots send trucks");
    assert!(plan.kpis.deadhead_km >= plan.kpis.deadhead_km_lower_bound);
}

/// Helsinki's 1,500-odd passes stay one instance in a plan (under two
/// districts) but a re-plan, where seconds count, groups the sweepers by
/// their routes: it covers the broken one's work and passes the validator.
#[test]
fn helsinki_replan_groups_vehicles_by_route() {
    if shared("osm/helsinki.osm.pbf").is_none() {
        return;
    }
    let (s, problem, plan) = plan("helsinki-sweeping.toml", 4);
    assert_eq!(problem.problems.len(), 1);
    let victim = &plan.vehicles[0];
    // Early in the shift (30 % into the shortest route), while more work
    // is left than one group may hold.
    let shortest = plan
        .vehicles
        .iter()
        .map(|v| v.end_s)
        .fold(f64::MAX, f64::min);
    let t = shortest * 0.3;
    // The fixture's shift starts at 00:00 +03:00.
    let t = t.round() as i64;
    let text = format!(
        "[[event]]\nat = 2026-05-12T{:02}:{:02}:{:02}+03:00\nkind = \"vehicle_down\"\nvehicle = \"{}\"\n",
        t / 3600,
        (t / 60) % 60,
        t % 60,
        victim.id
    );
    let ev = arcplan::replan::events::parse(
        std::path::Path::new("events.toml"),
        &text,
        &s,
        &arcplan::replan::vehicle_ids(&plan),
    )
    .expect("events");
    let r = arcplan::replan::prepare(&s, &plan, &ev, arcplan::replan::DEFAULT_STABILITY_S)
        .expect("prepare");
    assert!(r.city.problems.len() >= 2, "re-plan not grouped");
    // Each group holds its own vehicles' heads.
    let heads: usize = r.city.problems.iter().map(|p| p.heads.len()).sum();
    assert_eq!(heads, plan.vehicles.len() - 1);
    let params = Params {
        seed: 1,
        threads: 2,
        time_limit: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let sols = arcplan::plan::solve::solve_city(&r.city, &params, &r.warm_starts, |_, _| {});
    let new = shift::build_replan(&r.scenario, &r.city, &sols, &r.history);
    let rep =
        arcplan::plan::validate::validate_with(&r.scenario, &r.city.network, &new, &r.closures);
    assert!(rep.ok(), "{:?}", &rep.errors[..rep.errors.len().min(5)]);
}

/// Malta and Gozo, salted whole: Gozo (no road to Malta) is served by its own
/// depot and nobody else; the island is cut into districts whose cost
/// matrices stay far from quadratic in the city's size.
#[test]
fn malta_is_districted_and_gozo_served_from_gozo() {
    if shared("osm/malta.osm.pbf").is_none() {
        return;
    }
    let s = arcplan::scenario::load(&fixture("malta-salting.toml")).expect("scenario");
    let problem = city::build(&s).expect("build");
    let net = &problem.network;
    let comps = &net.components;
    let tasks: usize = problem.problems.iter().map(|p| p.tasks.len()).sum();
    assert!(tasks > 20_000, "{tasks} tasks");
    let mut gozo = 0;
    for p in &problem.problems {
        let on_gozo = p.spec(&s).type_name.contains("gozo");
        for t in &p.tasks {
            let seg = &net.segments[t.segment as usize];
            assert_eq!(
                comps.of(seg.from) != 0,
                on_gozo,
                "{} serves a street of the other island",
                p.spec(&s).type_name
            );
        }
        if on_gozo {
            gozo += p.tasks.len();
        }
        assert!(
            p.tasks.len() <= 2 * city::DISTRICT_TASKS,
            "district of {}",
            p.tasks.len()
        );
    }
    assert!(gozo > 1000, "{gozo} tasks on Gozo");
    // Memory: the districts' matrices, not a city-wide one.
    let cells: usize = problem.problems.iter().map(|p| p.points.len().pow(2)).sum();
    assert!(cells * 4 < 1 << 30, "{} MB of matrices", (cells * 4) >> 20);
    assert!(
        cells * 20 < (2 * tasks).pow(2),
        "not far below a city-wide matrix"
    );
    // Work per vehicle evened out between Malta's three depots (service
    // hours; nearest-depot sectorisation gave Marsa's trucks half as much
    // again as Ta' Qali's).
    let per: Vec<f64> = problem
        .problems
        .iter()
        .filter(|p| !p.spec(&s).type_name.contains("gozo"))
        .map(|p| {
            let spec = p.spec(&s);
            let vehicles = match p.instance.fleet {
                arcplan::instance::Fleet::Limited(n) => n.max(1) as f64,
                _ => 1.0,
            };
            p.tasks.iter().map(|t| t.length_m).sum::<f64>()
                / (spec.service_kmh / 3.6)
                / 3600.0
                / vehicles
        })
        .collect();
    let (lo, hi) = per
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), &x| (l.min(x), h.max(x)));
    assert!(
        hi / lo < 1.3,
        "service hours per vehicle from {lo:.2} to {hi:.2}"
    );
}
