//! Scenario files: the example loads; mistakes are reported with key path and line.

mod common;
use arcplan::scenario::{self, Direction, ServiceKind};
use std::path::Path;

#[test]
fn the_fixture_scenario_loads() {
    let s = scenario::load(&common::fixture("town-frost.toml")).unwrap();
    assert_eq!(s.depots.len(), 1);
    assert_eq!(s.vehicles[0].get_ref().service, ServiceKind::Salting);
    assert_eq!(
        s.policy(ServiceKind::Salting).unwrap().direction,
        Direction::Either
    );
    assert_eq!(s.priorities.len(), 2);
    assert!(s.base_dir.join(&s.map.extract).is_file());
}

fn error_of(edit: impl Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(common::fixture("town-frost.toml")).unwrap();
    scenario::parse(Path::new("s.toml"), &edit(&text))
        .expect_err("must fail")
        .to_string()
}

fn line_with(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn unknown_keys_and_bad_values_name_key_and_line() {
    let text = std::fs::read_to_string(common::fixture("town-frost.toml")).unwrap();
    let e = error_of(|t| t.replace("spread_width_m = 6", "spread_widht_m = 6"));
    let line = line_with(&text, "spread_width_m = 6");
    assert!(e.starts_with(&format!("s.toml:{line}:")), "{e}");
    assert!(
        e.contains("vehicle[0]") && e.contains("spread_widht_m"),
        "{e}"
    );

    let e = error_of(|t| t.replace("count = 2", "count = \"two\""));
    let line = line_with(&text, "count = 2");
    assert!(
        e.starts_with(&format!("s.toml:{line}:")) && e.contains("vehicle[0].count"),
        "{e}"
    );

    let e = error_of(|t| t.replace("direction = \"either\"", "direction = \"sideways\""));
    assert!(
        e.contains("service.salting.direction") && e.contains("sideways"),
        "{e}"
    );

    let e = error_of(|t| t.replace("\"tertiary\", \"residential\"", "\"tertiary\", \"footway\""));
    assert!(
        e.contains("service.salting.classes") && e.contains("footway"),
        "{e}"
    );

    let e = error_of(|t| t.replace("max_hours = 8.0", "max_hours = 8.0\nmax_hours = 9.0"));
    assert!(e.starts_with("s.toml:"), "syntax errors name the line: {e}");
}

#[test]
fn whole_file_checks_name_the_entry() {
    let text = std::fs::read_to_string(common::fixture("town-frost.toml")).unwrap();
    let vehicle_line = line_with(&text, "[[vehicle]]");
    let e = error_of(|t| t.replace("depot = \"town-depot\"", "depot = \"nowhere\""));
    assert!(
        e.contains("depot `nowhere` is not") && e.contains(&format!(":{vehicle_line}:")),
        "{e}"
    );
    let e = error_of(|t| t.replace("[service.salting]", "[service.sweeping]"));
    assert!(e.contains("no `[service.salting]` policy"), "{e}");
    let e = error_of(|t| t.replace("[service.salting]", "[service.salt]"));
    let line = line_with(&text, "[service.salting]");
    assert!(
        e.contains("`service.salt`: unknown service") && e.contains(&format!(":{line}:")),
        "{e}"
    );
    let e = error_of(|t| t.replace("spread_g_per_m2 = 15", ""));
    assert!(e.contains("spread_g_per_m2"), "{e}");
    let e = error_of(|t| t.replace("deadhead_kmh = 45", ""));
    assert!(e.contains("deadhead_kmh"), "{e}");
    let e = error_of(|t| t.replace("2026-12-01T03:00:00+01:00", "2026-12-01T03:00:00"));
    assert!(e.contains("UTC offset"), "{e}");
}
