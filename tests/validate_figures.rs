//! The validator treats every field of a plan as a claim to check: the
//! figures a plan states (per vehicle, per priority class, the KPIs) are
//! recomputed from its legs and the scenario, a leg that names a segment or
//! direction the map does not have is an error that names vehicle, leg and
//! field (never a crash), and each walk starts and ends at its depot.

mod common;

use arcplan::city;
use arcplan::plan::shift::{LegKind, Plan};
use arcplan::plan::validate::validate;
use common::{arcplan, fixture, solve_and_validate};

fn frost() -> (arcplan::scenario::Scenario, city::CityProblem, Plan) {
    let scenario = arcplan::scenario::load(&fixture("town-frost.toml")).expect("scenario");
    let problem = city::build(&scenario).expect("build");
    let params = arcplan::solver::Params {
        max_iterations: Some(200),
        ..arcplan::solver::Params::default()
    };
    let (plan, _) = solve_and_validate(&scenario, &problem, &params);
    (scenario, problem, plan)
}

/// Each edit must give an error whose text holds `expect`.
#[test]
fn edited_figures_are_caught() {
    let (scenario, problem, plan) = frost();
    let net = &problem.network;
    let check = |edit: &dyn Fn(&mut Plan), expect: &str| {
        let mut p = plan.clone();
        edit(&mut p);
        let rep = validate(&scenario, net, &p);
        assert!(
            rep.errors.iter().any(|e| e.contains(expect)),
            "edit expecting `{expect}` gave {:?}",
            &rep.errors[..rep.errors.len().min(5)]
        );
    };
    check(&|p| p.kpis.deadhead_km += 1.0, "kpis.deadhead_km");
    check(&|p| p.kpis.service_km -= 0.5, "kpis.service_km");
    check(&|p| p.kpis.refills += 1, "kpis.refills");
    check(&|p| p.kpis.material_used *= 0.5, "kpis.material_used");
    check(&|p| p.kpis.vehicles_used += 1, "kpis.vehicles_used");
    check(&|p| p.kpis.shift_end_s -= 60.0, "kpis.shift_end_s");
    check(&|p| p.kpis.deadhead_share = 0.01, "kpis.deadhead_share");
    check(&|p| p.vehicles[0].service_km += 0.1, "service_km");
    check(&|p| p.vehicles[1].deadhead_km = 0.0, "deadhead_km");
    check(&|p| p.vehicles[0].material_used = 1.0, "material_used");
    check(&|p| p.vehicles[0].refills += 2, "refills");
    check(&|p| p.vehicles[0].capacity = 10_000.0, "capacity");
    check(&|p| p.vehicles[0].depot = "elsewhere".into(), "depot");
    check(&|p| p.classes[0].finished_s = Some(1.0), "finished_s");
    check(&|p| p.classes[0].deadline_s += 3600.0, "deadline_s");
    check(&|p| p.classes[0].tasks += 1, "tasks");
    check(&|p| p.classes[0].late_tasks += 1, "late_tasks");
    check(
        &|p| p.classes.truncate(p.classes.len() - 1),
        "priority class",
    );
    // A service leg claiming another class than the scenario gives.
    check(
        &|p| {
            let l = p
                .vehicles
                .iter_mut()
                .flat_map(|v| v.legs.iter_mut())
                .find(|l| l.priority == Some(1))
                .unwrap();
            l.priority = Some(2);
        },
        "priority",
    );
    // The walk starts away from the depot: the first leg dropped, times
    // shifted so that only the start is wrong.
    check(
        &|p| {
            let v = &mut p.vehicles[0];
            let first = v.legs.iter().position(|l| !l.steps.is_empty()).unwrap();
            let l = &mut v.legs[first];
            let st = l.steps[0];
            let seg = &net.segments[st.segment as usize];
            // Re-point the leg's first step at a link that leaves elsewhere:
            // its reverse.
            if seg.forward && seg.backward {
                l.steps[0].dir ^= 1;
            } else {
                l.steps.remove(0);
            }
        },
        "depot",
    );
}

#[test]
fn a_segment_the_map_does_not_have_is_an_error_not_a_crash() {
    let (scenario, problem, plan) = frost();
    let net = &problem.network;
    // The first service leg's step.
    fn service_step(p: &mut Plan) -> &mut arcplan::plan::shift::Step {
        let l = p.vehicles[0]
            .legs
            .iter_mut()
            .find(|l| l.kind == LegKind::Service)
            .unwrap();
        &mut l.steps[0]
    }
    type Edit = fn(&mut Plan);
    let cases: [(&str, Edit); 2] = [
        ("segment", |p| service_step(p).segment = 99_999),
        ("dir", |p| service_step(p).dir = 7),
    ];
    for (field, edit) in cases {
        let mut p = plan.clone();
        edit(&mut p);
        let rep = validate(&scenario, net, &p);
        let id = &p.vehicles[0].id;
        assert!(
            rep.errors
                .iter()
                .any(|e| e.contains(id.as_str()) && e.contains("leg") && e.contains(field)),
            "{field}: {:?}",
            &rep.errors[..rep.errors.len().min(5)]
        );
    }

    // The same through the CLI: a clear error, exit 1, for validate and
    // replan alike.
    let dir = tempfile::tempdir().unwrap();
    let mut p = plan.clone();
    p.vehicles[0].legs[0].steps[0].segment = 99_999;
    let bad = dir.path().join("plan.json");
    std::fs::write(&bad, serde_json::to_string(&p).unwrap()).unwrap();
    let scen = fixture("town-frost.toml");
    let (code, out, err) = arcplan(&["validate", scen.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(code, 1, "validate: {out}{err}");
    assert!(
        out.contains("99999") && out.contains(&p.vehicles[0].id),
        "{out}{err}"
    );
    let events = dir.path().join("events.toml");
    std::fs::write(
        &events,
        format!(
            "[[event]]\nat = 2026-12-01T03:10:00+01:00\nkind = \"vehicle_down\"\nvehicle = \"{}\"\n",
            p.vehicles[1].id
        ),
    )
    .unwrap();
    let (code, out, err) = arcplan(&[
        "replan",
        scen.to_str().unwrap(),
        "--plan",
        bad.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
        "--out",
        dir.path().join("re").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "replan: {out}{err}");
    assert!(err.contains("99999"), "{out}{err}");
    assert!(!dir.path().join("re").exists());
}

/// `validate --json`: one JSON object on stdout, valid or not, with every
/// error; the exit status says the same (0 valid, 1 not).
#[test]
fn validate_json_gives_the_verdict_and_every_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("p");
    common::plan_town_into(&out);
    let scenario = fixture("town-frost.toml");
    let plan_path = out.join("plan.json");
    let run = |path: &std::path::Path| {
        let (code, stdout, stderr) = arcplan(&[
            "validate",
            scenario.to_str().unwrap(),
            path.to_str().unwrap(),
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {stdout} / {stderr}"));
        (code, v)
    };
    let (code, v) = run(&plan_path);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(0));
    assert!(v["services_checked"].as_u64().unwrap() > 10, "{v}");
    // An edited figure and a dropped leg: invalid, each error listed.
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    plan["kpis"]["deadhead_km"] =
        serde_json::json!(plan["kpis"]["deadhead_km"].as_f64().unwrap() + 1.0);
    plan["vehicles"][0]["legs"]
        .as_array_mut()
        .unwrap()
        .remove(1);
    let edited = dir.path().join("edited.json");
    std::fs::write(&edited, serde_json::to_vec(&plan).unwrap()).unwrap();
    let (code, v) = run(&edited);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["valid"], false);
    let errors: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(errors.len() >= 2, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("kpis.deadhead_km")),
        "{errors:?}"
    );
}
