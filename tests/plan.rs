//! Shift plans on the fixture town: the frost scenario salted with bridges and
//! steep streets first, refills when the salt runs out, every plan through the
//! independent plan validator, and the validator catching planted errors.

mod common;

use arcplan::city;
use arcplan::plan::shift::{self, LegKind, Plan};
use arcplan::plan::validate::validate;
use arcplan::solver::Params;
use common::{arcplan, fixture};

fn frost_plan() -> (arcplan::scenario::Scenario, city::CityProblem, Plan) {
    let scenario = arcplan::scenario::load(&fixture("town-frost.toml")).expect("scenario");
    let problem = city::build(&scenario).expect("build");
    let params = Params {
        seed: 1,
        threads: 2,
        time_limit: None,
        max_iterations: Some(3000),
        ..Default::default()
    };
    let (plan, _) = common::solve_and_validate(&scenario, &problem, &params);
    (scenario, problem, plan)
}

#[test]
fn frost_plan_salts_bridges_and_slopes_first_within_their_deadline() {
    let (scenario, problem, plan) = frost_plan();
    let net = &problem.network;
    // Class 1 from the map itself: bridges, ramps, |grade| >= 6 %.
    let urgent = |seg: u32| {
        let w = net.way_of(seg);
        w.bridge
            || w.class.is_ramp()
            || net.segments[seg as usize]
                .grade_pct
                .is_some_and(|g| g.abs() >= 6.0)
    };
    let deadline = scenario.priorities[0].get_ref().deadline_hours * 3600.0;
    let mut urgent_done = Vec::new();
    let mut other_done = Vec::new();
    for v in &plan.vehicles {
        for l in v.legs.iter().filter(|l| l.kind == LegKind::Service) {
            if urgent(l.steps[0].segment) {
                urgent_done.push(l.end_s);
            } else {
                other_done.push(l.end_s);
            }
        }
    }
    assert!(
        urgent_done.len() >= 5,
        "the town has bridges and hill streets"
    );
    let last_urgent = urgent_done.iter().cloned().fold(0.0, f64::max);
    let last_other = other_done.iter().cloned().fold(0.0, f64::max);
    assert!(
        last_urgent <= deadline,
        "class 1 finished at {last_urgent} s, deadline {deadline} s"
    );
    assert!(
        last_urgent < last_other,
        "class 1 ({last_urgent} s) must be finished before the rest ({last_other} s)"
    );
    assert!(plan.classes[0].late_tasks == 0 && plan.violations.is_empty());
}

#[test]
fn frost_plan_refills_when_the_salt_runs_out() {
    let (scenario, _, plan) = frost_plan();
    let cap = scenario.vehicles[0].get_ref().capacity;
    let mut refilled = 0;
    for v in &plan.vehicles {
        let used: f64 = v.material_used;
        let refills = v.legs.iter().filter(|l| l.kind == LegKind::Refill).count();
        // Each trip carries at most a full load.
        assert!(used <= cap * (refills as f64 + 1.0) + 1e-6);
        for (k, l) in v.legs.iter().enumerate() {
            if l.kind == LegKind::Refill {
                refilled += 1;
                assert_eq!(l.site.as_deref(), Some("salt-dome"));
                assert!((l.material_after - cap).abs() < 1e-9);
                // The refill is needed: the services after it, up to the next
                // refill, need more than what was left.
                let next: f64 = v.legs[k + 1..]
                    .iter()
                    .take_while(|x| x.kind != LegKind::Refill)
                    .filter(|x| x.kind == LegKind::Service)
                    .map(|x| x.material_before - x.material_after)
                    .sum();
                assert!(
                    next > l.material_before,
                    "refill at leg {k} of {} not needed",
                    v.id
                );
            }
        }
    }
    let total: f64 = plan.vehicles.iter().map(|v| v.material_used).sum();
    let trucks = scenario.vehicles[0].get_ref().count as f64;
    assert!(total > cap * trucks, "the scenario needs refills");
    assert!(refilled >= 1);
}

#[test]
fn validator_catches_planted_errors() {
    let (scenario, problem, plan) = frost_plan();
    let net = &problem.network;
    let check = |p: &Plan, what: &str| {
        let rep = validate(&scenario, net, p);
        assert!(!rep.ok(), "validator missed: {what}");
    };
    // A service left out.
    let mut p = plan.clone();
    let v = &mut p.vehicles[0];
    let k = v
        .legs
        .iter()
        .position(|l| l.kind == LegKind::Service)
        .unwrap();
    v.legs.remove(k);
    check(&p, "a missing service");
    // A one-way street driven backwards.
    let mut p = plan.clone();
    let oneway = (0..net.segments.len() as u32)
        .find(|&s| !net.segments[s as usize].backward)
        .expect("the town has one-way streets");
    p.vehicles[0].legs[0]
        .steps
        .push(arcplan::plan::shift::Step {
            segment: oneway,
            dir: 1,
            way: net.way_of(oneway).osm_id,
        });
    check(&p, "a one-way driven backwards");
    // Times that do not add up.
    let mut p = plan.clone();
    p.vehicles[0].legs[1].end_s += 30.0;
    check(&p, "a leg too long");
    // Salt that runs out.
    let mut p = plan.clone();
    for v in &mut p.vehicles {
        v.legs.retain(|l| l.kind != LegKind::Refill);
    }
    check(&p, "refills removed");
    // A shift that ends too late.
    let mut p = plan.clone();
    p.shift_max_s = 60.0;
    check(&p, "shift limit");
}

#[test]
fn cli_plan_writes_every_output_and_validate_accepts_it() {
    let dir = std::env::temp_dir().join(format!("arcplan-plan-{}", std::process::id()));
    let scen = fixture("town-frost.toml");
    let (code, out, err) = arcplan(&[
        "plan",
        scen.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--max-iterations",
        "500",
        "--threads",
        "2",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("priority 1") && out.contains("validated"),
        "{out}"
    );
    let plan: Plan =
        serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan.schema, shift::SCHEMA);
    let geo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("routes.geojson")).unwrap()).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let legs: usize = plan.vehicles.iter().map(|v| v.legs.len()).sum();
    assert!(geo["features"].as_array().unwrap().len() >= legs - plan.vehicles.len());
    for v in &plan.vehicles {
        let id = v.id.replace([' ', '#'], "_");
        let csv = std::fs::read_to_string(dir.join(format!("itinerary-{id}.csv"))).unwrap();
        // One row per street run (tests/cab_files.rs checks the rows).
        assert!(csv.lines().count() > 1 && csv.lines().count() <= v.legs.len() + 1);
        let gpx = std::fs::read_to_string(dir.join(format!("track-{id}.gpx"))).unwrap();
        assert!(gpx.contains("<trkpt"));
    }
    let (code, out, _) = arcplan(&[
        "validate",
        scen.to_str().unwrap(),
        dir.join("plan.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    // A tampered plan is refused.
    let mut bad = plan.clone();
    bad.vehicles[0].legs.retain(|l| l.kind != LegKind::Service);
    std::fs::write(dir.join("bad.json"), serde_json::to_vec(&bad).unwrap()).unwrap();
    let (code, out, _) = arcplan(&[
        "validate",
        scen.to_str().unwrap(),
        dir.join("bad.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("missing"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn depot_off_the_map_names_the_line() {
    let text = std::fs::read_to_string(fixture("town-frost.toml"))
        .unwrap()
        .replace("lon = 10.0030", "lon = 11.5");
    let path = fixture("town-frost.toml");
    let s = arcplan::scenario::parse(&path, &text).expect("parses");
    let err = match city::build(&s) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a depot off the map must be refused"),
    };
    assert!(
        err.contains("town-frost.toml:") && err.contains("depot `town-depot`"),
        "{err}"
    );
    assert!(err.contains("km from the nearest street"), "{err}");
}

/// `--out` is one plan, whole: a smaller fleet's plan written over a larger
/// one's leaves none of the old vehicles' files; an output that cannot be
/// written fails before the solve; a folder of other files is not replaced.
#[test]
fn the_output_folder_holds_one_plan_and_is_checked_first() {
    let dir = tempfile::tempdir().unwrap();
    let text = common::fixture_text_anywhere("town-frost.toml");
    let scen = |count: u32| {
        let p = dir.path().join(format!("town-{count}.toml"));
        std::fs::write(&p, text.replace("count = 2", &format!("count = {count}"))).unwrap();
        p
    };
    let out = dir.path().join("out");
    let plan = |s: &std::path::Path, o: &std::path::Path| {
        arcplan(&[
            "plan",
            s.to_str().unwrap(),
            "--out",
            o.to_str().unwrap(),
            "--max-iterations",
            "100",
        ])
    };
    let files = |d: &std::path::Path| {
        let mut f: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        f.sort();
        f
    };
    let (code, o, e) = plan(&scen(4), &out);
    assert_eq!(code, 0, "{o}{e}");
    let four = files(&out);
    assert!(four.iter().any(|f| f.contains("spreader_3")), "{four:?}");
    let (code, o, e) = plan(&scen(2), &out);
    assert_eq!(code, 0, "{o}{e}");
    let two = files(&out);
    assert!(
        !two.iter().any(|f| f.contains("_3") || f.contains("_4")),
        "{two:?}"
    );
    let written: Plan =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    assert_eq!(written.vehicles.len(), 2);
    assert_eq!(
        two.iter().filter(|f| f.starts_with("itinerary-")).count(),
        written.vehicles.len()
    );
    // Nothing left beside it.
    let hidden: Vec<String> = files(dir.path())
        .into_iter()
        .filter(|f| f.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");

    // An existing file as --out: refused before the solve (no summary).
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (code, o, e) = arcplan(&[
        "plan",
        scen(2).to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
        "--time-limit",
        "600s",
    ]);
    assert_eq!(code, 1, "{o}{e}");
    assert!(e.contains("is a file"), "{e}");
    assert!(o.is_empty(), "solved before refusing: {o}");
    // A folder of someone's files: refused, untouched.
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("notes.txt"), "mine").unwrap();
    let (code, o, e) = plan(&scen(2), &docs);
    assert_eq!(code, 1, "{o}{e}");
    assert!(e.contains("not an earlier output of arcplan"), "{e}");
    assert_eq!(files(&docs), vec!["notes.txt".to_string()]);
}

/// A plan that is written and valid but late exits with its own status (4),
/// so a nightly job can alert; a plan on time exits 0.
#[test]
fn a_late_plan_is_written_and_exits_with_its_own_status() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("town-frost.toml"))
        .unwrap()
        .replace("deadline_hours = 0.17", "deadline_hours = 0.02")
        .replace(
            "extract = \"town.osm.pbf\"",
            &format!("extract = {:?}", fixture("town.osm.pbf")),
        )
        .replace("dem = \"dem\"", &format!("dem = {:?}", fixture("dem")));
    let scen = tmp.path().join("late-frost.toml");
    std::fs::write(&scen, text).unwrap();
    let out = tmp.path().join("late");
    let args = |s: &str, o: &str| {
        [
            "plan",
            s,
            "--out",
            o,
            "--max-iterations",
            "300",
            "--threads",
            "2",
        ]
        .map(String::from)
    };
    let a = args(scen.to_str().unwrap(), out.to_str().unwrap());
    let (code, stdout, err) = arcplan(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, arcplan::cli::EXIT_LATE, "{stdout}{err}");
    assert!(
        stdout.contains("LATE") && stdout.contains("validated"),
        "{stdout}"
    );
    let plan = Plan::read(&out.join("plan.json")).unwrap();
    assert!(plan.is_late() && plan.classes[0].late_tasks > 0);
    // The violation gives the deadline as the clock time a planner reads
    // (the fixture's shift starts at 03:00), with the time into the shift.
    let late = plan
        .violations
        .iter()
        .find(|v| v.starts_with("priority class"))
        .expect("a lateness violation");
    assert!(
        late.contains("after the 03:") && late.contains(" (+0:"),
        "{late}"
    );
    // `--json`: the summary is one JSON object on stdout, saying the same.
    let mut a = args(
        scen.to_str().unwrap(),
        tmp.path().join("late-json").to_str().unwrap(),
    )
    .to_vec();
    a.push("--json".into());
    let (code, stdout, err) = arcplan(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, arcplan::cli::EXIT_LATE, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is one JSON object");
    assert_eq!(v["late"], true);
    assert_eq!(v["exit_status"], arcplan::cli::EXIT_LATE);
    assert_eq!(v["vehicles"].as_array().unwrap().len(), plan.vehicles.len());
    assert!(v["classes"][0]["late_tasks"].as_u64().unwrap() > 0);
    assert!(v["kpis"]["deadhead_km"].as_f64().is_some());
    // The same scenario with its own deadlines: on time, exit 0.
    let on_time = tmp.path().join("on-time");
    let a = args(
        fixture("town-frost.toml").to_str().unwrap(),
        on_time.to_str().unwrap(),
    );
    let (code, stdout, _) = arcplan(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{stdout}");
    assert!(!Plan::read(&on_time.join("plan.json")).unwrap().is_late());
}

/// `--quiet` prints nothing (the files are still written and the status
/// still tells), `--quiet --json` only the JSON, `--verbose` logs each
/// improvement on stderr in hours even when stderr is not a terminal, and
/// the two together are refused.
#[test]
fn quiet_and_verbose_say_what_they_promise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        (common::plan_town_cli(&out, 200, extra), out)
    };
    let ((code, stdout, stderr), out) = run("quiet", &["--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.is_empty() && stderr.is_empty(),
        "{stdout} / {stderr}"
    );
    assert!(out.join("plan.json").exists() && out.join("report.html").exists());

    let ((code, stdout, _), _) = run("quiet-json", &["-q", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("only the JSON");
    assert!(v["kpis"]["deadhead_km"].as_f64().is_some(), "{v}");

    let ((code, stdout, stderr), _) = run("verbose", &["--verbose"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("validated"), "the summary stays: {stdout}");
    let logged: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("h of driving") && l.trim_start().starts_with('['))
        .collect();
    assert!(!logged.is_empty(), "improvements logged: {stderr}");

    let ((code, _, stderr), _) = run("both", &["--quiet", "--verbose"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--quiet") && stderr.contains("--verbose"),
        "{stderr}"
    );
}

/// The terminal summary gives clock times in the shift's offset, with the
/// time into the shift beside them, as the report does: the town's shift
/// starts at 03:00 (UTC+01:00) and class 1 is due 10 min 12 s later.
#[test]
fn the_summary_speaks_in_clock_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("p");
    let (code, stdout, stderr) = common::plan_town_cli(&out, 200, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Tue 1 Dec 2026, 03:00 (UTC+01:00)"),
        "{stdout}"
    );
    assert!(stdout.contains("03:00 (+0:00:00) - 03:"), "{stdout}");
    assert!(stdout.contains("deadline 03:10 (+0:10:12)"), "{stdout}");
}

/// The kilometres a running job reports for each improvement
/// (`shift::solution_km`, what `arcplan serve` shows during a run) are the
/// plan's: the last report of every instance sums to the validated plan's
/// service and empty kilometres, and every report before it is at least as
/// long in time as the next (the solver reports improvements only).
#[test]
fn the_kilometres_reported_during_a_run_are_the_plans() {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    let scenario = arcplan::scenario::load(&fixture("town-frost.toml")).expect("scenario");
    let problem = city::build(&scenario).expect("build");
    let params = Params {
        seed: 3,
        threads: 2,
        time_limit: None,
        max_iterations: Some(2000),
        ..Default::default()
    };
    let none = BTreeMap::new();
    // Per instance: (cost, (service km, empty km)) of each improvement.
    type Reports = BTreeMap<String, Vec<(i64, (f64, f64))>>;
    let reports: Mutex<Reports> = Mutex::new(BTreeMap::new());
    let sols = arcplan::plan::solve::solve_city(&problem, &params, &[], |p, pr| {
        if let Some(pr) = pr {
            let km = shift::solution_km(&scenario, &problem, p, &pr.best(), &none);
            reports
                .lock()
                .unwrap()
                .entry(p.instance.name.clone())
                .or_default()
                .push((pr.cost, km));
        }
    });
    let plan = shift::build(&scenario, &problem, &sols);
    let rep = validate(&scenario, &problem.network, &plan);
    assert!(rep.ok(), "{:?}", rep.errors);
    let reports = reports.into_inner().unwrap();
    assert_eq!(reports.len(), problem.problems.len());
    let mut service = 0.0;
    let mut empty = 0.0;
    for (name, r) in &reports {
        assert!(
            r.windows(2).all(|w| w[1].0 < w[0].0),
            "{name}: reports are not improvements: {r:?}"
        );
        let last = r.last().expect("a report").1;
        service += last.0;
        empty += last.1;
    }
    let close = |a: f64, b: f64| (a - b).abs() < 0.05;
    assert!(
        close(service, plan.kpis.service_km) && close(empty, plan.kpis.deadhead_km),
        "reported {service:.2} km serviced, {empty:.2} km empty; the plan has {:.2} and {:.2}",
        plan.kpis.service_km,
        plan.kpis.deadhead_km
    );
    assert!(empty > 0.0 && service > 0.0);
}
