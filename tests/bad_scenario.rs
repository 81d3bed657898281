//! Bad scenarios on the fixture town: each is a clear message that names the
//! scenario file and the entry at fault, never a panic; an impossible deadline
//! still gives a (valid) plan with the violation reported.

mod common;

use arcplan::city;
use arcplan::solver::Params;
use common::{arcplan, fixture};

/// The frost fixture with `edit` applied, parsed as if it stood at its own path.
fn edited(edit: impl Fn(&str) -> String) -> arcplan::scenario::Scenario {
    let path = fixture("town-frost.toml");
    let text = edit(&std::fs::read_to_string(&path).unwrap());
    arcplan::scenario::parse(&path, &text).expect("the edited scenario parses")
}

fn build_error(s: &arcplan::scenario::Scenario) -> String {
    match city::build(s) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("the scenario must be refused"),
    }
}

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_vehicle_type_no_street_fits_is_named_with_its_line() {
    let extra = r#"
[[vehicle]]
type = "trunk spreader"
service = "salting"
count = 1
depot = "town-depot"
capacity = 400
spread_g_per_m2 = 15
spread_width_m = 6
service_kmh = 30
deadhead_kmh = 45
service_classes = ["trunk"]
"#;
    let s = edited(|t| format!("{t}{extra}"));
    let err = build_error(&s);
    let line = line_of(&s.text, "type = \"trunk spreader\"");
    assert!(err.contains("`trunk spreader`"), "{err}");
    assert!(err.contains("no street in the area"), "{err}");
    // The span of a [[vehicle]] entry starts at its first key or its header.
    assert!(
        err.contains(&format!("town-frost.toml:{line}:"))
            || err.contains(&format!("town-frost.toml:{}:", line - 1)),
        "{err} (vehicle at line {line})"
    );
}

#[test]
fn material_above_every_trucks_capacity_names_the_way() {
    let s = edited(|t| t.replace("capacity = 400", "capacity = 5"));
    let err = build_error(&s);
    assert!(
        err.contains("above the capacity of every salting vehicle"),
        "{err}"
    );
    assert!(err.contains("OSM way "), "{err}");
    assert!(err.contains("town-frost.toml:"), "{err}");
}

#[test]
fn an_area_with_no_street_is_refused() {
    let s = edited(|t| {
        t.replace(
            "# area = { bbox = [10.0, 44.99, 10.03, 45.02] }",
            "area = { bbox = [10.5, 45.5, 10.51, 45.51] }",
        )
    });
    let err = build_error(&s);
    assert!(err.contains("the planning area holds no street"), "{err}");
    assert!(err.contains("town-frost.toml"), "{err}");
}

#[test]
fn a_dem_that_does_not_cover_the_map_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dem = dir.path().join("elsewhere");
    std::fs::create_dir(&dem).unwrap();
    // A valid tile, but of another cell (N50E020) than the town's (N45E010).
    let tile = std::fs::read(fixture("dem/N45E010.hgt")).unwrap();
    std::fs::write(dem.join("N50E020.hgt"), tile).unwrap();
    let s = edited(|t| {
        t.replace(
            "dem = \"dem\"",
            &format!("dem = {:?}", dem.display().to_string()),
        )
    });
    let err = build_error(&s);
    assert!(err.contains("no DEM tile covers the network"), "{err}");
    assert!(err.contains("N45E010.hgt"), "{err}");

    // Through the CLI: non-zero exit and nothing written.
    let scenario = dir.path().join("frost.toml");
    std::fs::write(
        &scenario,
        s.text.replace(
            "extract = \"town.osm.pbf\"",
            &format!(
                "extract = {:?}",
                fixture("town.osm.pbf").display().to_string()
            ),
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = arcplan(&[
        "plan",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--time-limit",
        "1s",
    ]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("no DEM tile covers the network"),
        "{stderr}"
    );
    assert!(!out.exists(), "no output may be written");
}

#[test]
fn an_impossible_deadline_still_gives_a_plan_with_the_violation() {
    // Class 1 within 3.6 s of the shift start: no truck leaves the depot that fast.
    let s = edited(|t| t.replace("deadline_hours = 0.17", "deadline_hours = 0.001"));
    let problem = city::build(&s).expect("an impossible deadline is not an input error");
    let params = Params {
        seed: 1,
        threads: 1,
        time_limit: None,
        max_iterations: Some(500),
        ..Default::default()
    };
    // The plan is still made, and valid.
    let (plan, rep) = common::solve_and_validate(&s, &problem, &params);
    assert!(
        rep.late.iter().any(|&(c, late)| c == 1 && late > 0.0),
        "the validator must see class-1 services finished late: {:?}",
        rep.late
    );
    assert!(
        plan.violations
            .iter()
            .any(|v| v.starts_with("priority class 1:") && v.contains("after the")),
        "{:?}",
        plan.violations
    );
    let class1 = plan.classes.iter().find(|c| c.class == 1).expect("class 1");
    assert!(
        class1.late_tasks > 0 && class1.lateness_s > 0.0,
        "{class1:?}"
    );
}

#[test]
fn a_bad_district_size_is_named() {
    let path = fixture("town-frost.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let refused = |planning: &str| {
        let t = format!("{text}\n[planning]\n{planning}\n");
        let err = arcplan::scenario::parse(&path, &t)
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        (err, t.lines().count())
    };
    let (err, _) = refused("district_tasks = 3");
    assert!(err.contains("town-frost.toml"), "{err}");
    assert!(err.contains("`planning.district_tasks` = 3"), "{err}");
    let (err, line) = refused("district_size = 300");
    assert!(err.contains("district_size"), "{err}");
    assert!(err.contains(&format!(":{line}:")), "{err} (line {line})");
}

/// No usable refill site for a type whose work exceeds what its trucks carry:
/// refused before solving, with the shortfall and why each site does not
/// count (it was "internal error: … material runs out" after the solve).
#[test]
fn work_beyond_one_load_without_a_usable_refill_site_is_refused_up_front() {
    let refill = |t: &str| {
        let a = t.find("[[refill]]").unwrap();
        let b = t.find("[[vehicle]]").unwrap();
        t[a..b].to_string()
    };
    type Edit = Box<dyn Fn(&str) -> String>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "no refill site",
            Box::new(move |t: &str| t.replace(&refill(t), "")),
            "the scenario has no [[refill]] site",
        ),
        (
            "a water site for salt trucks",
            Box::new(|t: &str| t.replacen("kind = \"salt\"", "kind = \"water\"", 1)),
            "`salt-dome` is a water site",
        ),
        (
            "a dump site for salt trucks",
            Box::new(|t: &str| t.replacen("kind = \"salt\"", "kind = \"dump\"", 1)),
            "`salt-dome` is a dump site",
        ),
        (
            "a single truck, no site",
            Box::new(move |t: &str| t.replace(&refill(t), "").replace("count = 2", "count = 1")),
            "its one vehicle carries 400 kg in all",
        ),
    ];
    for (what, edit, why) in cases {
        let s = edited(|t| edit(t));
        let err = build_error(&s);
        let line = line_of(&s.text, "type = \"single-axle spreader\"");
        assert!(
            err.contains(&format!("town-frost.toml:{line}:"))
                || err.contains(&format!("town-frost.toml:{}:", line - 1)),
            "{what}: {err}"
        );
        assert!(err.contains("kg of salt"), "{what}: {err}");
        assert!(err.contains("cannot be spread"), "{what}: {err}");
        assert!(err.contains(why), "{what}: {err}");
        assert!(err.contains("kind = \"salt\""), "{what}: {err}");
    }
    // Through the CLI: exit 1, the message, nothing written.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-dome.toml");
    let text = common::fixture_text_anywhere("town-frost.toml").replacen(
        "kind = \"salt\"",
        "kind = \"water\"",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = arcplan(&[
        "plan",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("is a water site"), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn two_deadlines_for_one_class_are_refused_with_both_lines() {
    let path = fixture("town-frost.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("[[priority]]\nclass = 2", "[[priority]]\nclass = 1");
    let err = arcplan::scenario::parse(&path, &text)
        .expect_err("two deadlines for class 1 must be refused")
        .to_string();
    assert!(
        err.contains("class 1 already has `deadline_hours` = 0.17"),
        "{err}"
    );
    assert!(err.contains("priority[1]"), "{err}");
}

#[test]
fn silent_scenario_mistakes_are_warned_and_idle_vehicles_listed() {
    // No DEM, a class matching no street, a depot 430 m off the streets, and
    // more trucks than the town needs.
    let s = edited(|t| {
        t.replace("dem = \"dem\"", "# dem = \"dem\"")
            .replace("count = 2", "count = 5")
            .replace(
                "road_classes = [\"tertiary\"]",
                "road_classes = [\"primary\"]",
            )
            .replace(
                "lon = 10.0030\nlat = 45.0020",
                "lon = 10.0030\nlat = 44.9975",
            )
    });
    let problem = city::build(&s).expect("builds");
    let params = Params {
        time_limit: Some(std::time::Duration::from_secs(1)),
        ..Params::default()
    };
    let (plan, _) = common::solve_and_validate(&s, &problem, &params);
    let w = plan.warnings.join("\n");
    assert!(w.contains("`min_grade_pct` = 6 without `map.dem`"), "{w}");
    assert!(w.contains("(class 2) matches no street"), "{w}");
    assert!(
        w.contains("depot `town-depot`") && w.contains("from the nearest street"),
        "{w}"
    );
    assert_eq!(plan.vehicles.len() + plan.idle.len(), 5);
    assert!(!plan.idle.is_empty(), "five trucks for a 12 km town");
    assert!(plan
        .idle
        .iter()
        .all(|v| v.reason.starts_with("no work assigned")));
    // The validator holds the plan to the scenario's fleet.
    let mut cut = plan.clone();
    cut.idle.pop();
    let rep = arcplan::plan::validate::validate(&s, &problem.network, &cut);
    assert!(
        rep.errors.iter().any(|e| e.contains("the plan lists")),
        "{:?}",
        rep.errors
    );
}
