//! Plans on real extracts (`../shared/data/osm`): night sweeping of central
//! Helsinki (both curbs of every street) and salting Andorra with its DEM
//! (steep mountain roads in class 1). Each plan goes through the validator.
//! Missing data fails in CI and skips elsewhere.

mod common;

use arcplan::instance::city;
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
