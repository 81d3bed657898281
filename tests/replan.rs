//! Re-planning on the fixture town: no event keeps the plan; a breakdown is
//! covered by the rest of the fleet without redoing finished work; a storm
//! upgrade's tighter deadline is met; the stability price reduces the services
//! that move between vehicles; bad events are refused. Every plan goes through
//! the independent validator.

mod common;

use arcplan::city;
use arcplan::plan::shift::{self, LegKind, Plan};
use arcplan::plan::validate::{validate, validate_with};
use arcplan::replan::{self, changes, events};
use arcplan::scenario::Scenario;
use arcplan::solver::Params;
use common::{arcplan, fixture};

fn params(iterations: u64) -> Params {
    Params {
        seed: 1,
        threads: 2,
        time_limit: None,
        max_iterations: Some(iterations),
        ..Default::default()
    }
}

fn scenario(edit: impl Fn(&str) -> String) -> Scenario {
    let path = fixture("town-frost.toml");
    let text = edit(&std::fs::read_to_string(&path).unwrap());
    arcplan::scenario::parse(&path, &text).expect("scenario")
}

fn plan_of(s: &Scenario) -> Plan {
    plan_with(s, 1500)
}

fn plan_with(s: &Scenario, iterations: u64) -> Plan {
    let problem = city::build(s).expect("build");
    let sols = arcplan::plan::solve::solve_city(&problem, &params(iterations), &[], |_, _| {});
    let plan = shift::build(s, &problem, &sols);
    let rep = validate(s, &problem.network, &plan);
    assert!(rep.ok(), "plan invalid: {:?}", rep.errors);
    plan
}

fn events_of(s: &Scenario, plan: &Plan, text: &str) -> arcplan::Result<events::Events> {
    events::parse(
        std::path::Path::new("events.toml"),
        text,
        s,
        &replan::vehicle_ids(plan),
    )
}

/// The clock time `seconds` after the fixture's shift start (03:00 +01:00).
fn at(seconds: f64) -> String {
    let t = 3 * 3600 + seconds.round() as i64;
    format!(
        "2026-12-01T{:02}:{:02}:{:02}+01:00",
        t / 3600,
        (t / 60) % 60,
        t % 60
    )
}

/// Re-plans and validates; returns the new plan and its changes.
fn replan_with(
    s: &Scenario,
    plan: &Plan,
    events: &events::Events,
    stability_s: f64,
) -> (Plan, changes::Changes) {
    let r = replan::prepare(s, plan, events, stability_s).expect("prepare");
    let sols: Vec<_> = if r.changed {
        arcplan::plan::solve::solve_city(&r.city, &params(800), &r.warm_starts, |_, _| {})
    } else {
        r.current.clone()
    };
    let new = shift::build_replan(&r.scenario, &r.city, &sols, &r.history);
    let rep = validate_with(&r.scenario, &r.city.network, &new, &r.closures);
    assert!(rep.ok(), "re-plan invalid: {:?}", rep.errors);
    let ch = changes::compare(plan, &new, r.time_s);
    (new, ch)
}

#[test]
fn no_event_keeps_the_plan() {
    let s = scenario(|t| t.to_string());
    let plan = plan_of(&s);
    let ev = events_of(&s, &plan, "").unwrap();
    let (new, ch) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    assert_eq!(new.vehicles.len(), plan.vehicles.len());
    for v in &plan.vehicles {
        let w = new
            .vehicles
            .iter()
            .find(|w| w.id == v.id)
            .expect("same ids");
        assert_eq!(w.legs, v.legs, "{} changed", v.id);
    }
    assert!(ch.vehicles_changed.is_empty() && ch.moved.is_empty());
}

/// Every truck down: a plan that keeps what was done and lists the rest as
/// undone (it was "internal error: … missing"), which the validator accepts
/// only because the plan declares it and no vehicle is working; adding a
/// truck takes the work back.
#[test]
fn every_vehicle_down_leaves_the_rest_undone_and_says_so() {
    let s = scenario(|t| t.to_string());
    let plan = plan_of(&s);
    let t = plan.vehicles[0].end_s.min(plan.vehicles[1].end_s) * 0.3;
    let downs: String = plan
        .vehicles
        .iter()
        .map(|v| {
            format!(
                "[[event]]\nat = {}\nkind = \"vehicle_down\"\nvehicle = \"{}\"\n\n",
                at(t),
                v.id
            )
        })
        .collect();
    let ev = events_of(&s, &plan, &downs).unwrap();
    let (new, _) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    let undone: Vec<_> = new
        .violations
        .iter()
        .filter(|v| v.starts_with("left undone:"))
        .collect();
    assert_eq!(undone.len(), 1, "{:?}", new.violations);
    assert!(undone[0].contains("vehicle_added"), "{}", undone[0]);
    assert!(new.vehicles.iter().all(|v| v.down_s.is_some()));
    // Without the declaration the same plan is refused.
    let r = replan::prepare(&s, &plan, &ev, 0.0).unwrap();
    let mut hidden = new.clone();
    hidden.violations.retain(|v| !v.starts_with("left undone:"));
    let rep = validate_with(&r.scenario, &r.city.network, &hidden, &r.closures);
    assert!(!rep.ok(), "undeclared undone work passed");
    // A truck added: nothing left undone.
    let ev = events_of(
        &s,
        &plan,
        &format!(
            "{downs}[[event]]\nat = {}\nkind = \"vehicle_added\"\ntype = \"single-axle spreader\"\n",
            at(t)
        ),
    )
    .unwrap();
    let (new, _) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    assert!(
        !new.violations.iter().any(|v| v.starts_with("left undone:")),
        "{:?}",
        new.violations
    );
}

#[test]
fn breakdown_is_covered_without_redoing_finished_work() {
    let s = scenario(|t| t.to_string());
    let plan = plan_of(&s);
    let victim = &plan.vehicles[0];
    let t_down = victim.end_s * 0.4;
    let ev = events_of(
        &s,
        &plan,
        &format!(
            "[[event]]\nat = {}\nkind = \"vehicle_down\"\nvehicle = \"{}\"\n",
            at(t_down),
            victim.id
        ),
    )
    .unwrap();
    let (new, ch) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    let t_down = ev.time_s();
    // The validator has checked that every required pass is done exactly once.
    let down = new.vehicles.iter().find(|v| v.id == victim.id).unwrap();
    assert_eq!(down.down_s, Some(t_down));
    let kept: Vec<_> = victim
        .legs
        .iter()
        .filter(|l| l.end_s <= t_down)
        .cloned()
        .collect();
    assert_eq!(
        down.legs, kept,
        "the broken vehicle's history is what it did"
    );
    let unfinished = victim
        .legs
        .iter()
        .filter(|l| l.kind == LegKind::Service && l.end_s > t_down)
        .count();
    assert!(unfinished > 0);
    assert_eq!(ch.reassigned_from_down, unfinished);
    // Other vehicles keep what they had finished, leg for leg.
    for v in plan.vehicles.iter().skip(1) {
        let w = new.vehicles.iter().find(|w| w.id == v.id).unwrap();
        let done: Vec<_> = v.legs.iter().filter(|l| l.start_s < t_down).collect();
        assert!(done.iter().zip(&w.legs).all(|(a, b)| *a == b));
    }
}

#[test]
fn storm_upgrade_meets_the_tighter_deadline() {
    let s = scenario(|t| t.to_string());
    let plan = plan_of(&s);
    // At 2 minutes, tertiary streets join bridges, ramps and slopes in class 1,
    // due within 14 minutes.
    let text = format!(
        "[[event]]\nat = {}\nkind = \"storm_upgrade\"\npriorities = [\n  {{ class = 1, deadline_hours = 0.2333, bridges = true, ramps = true, min_grade_pct = 6, road_classes = [\"tertiary\"] }},\n]\n",
        at(120.0)
    );
    let ev = events_of(&s, &plan, &text).unwrap();
    let (new, _) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    let c1 = new.classes.iter().find(|c| c.class == 1).unwrap();
    assert_eq!(c1.late_tasks, 0, "{c1:?}");
    assert!(c1.finished_s.unwrap() <= 0.2333 * 3600.0 + 1e-6);
    // The upgraded class holds the tertiary streets too.
    let old1 = plan.classes.iter().find(|c| c.class == 1).unwrap();
    assert!(c1.tasks > old1.tasks, "{c1:?} vs {old1:?}");
}

/// A storm upgrade that raises the spread rate mid-shift: what was spread
/// before keeps the old rate, every pass after uses the new one, and the
/// validator checks each against the rate in force when it started.
#[test]
fn storm_upgrade_raises_the_spread_rate_from_its_time_on() {
    let s = scenario(|t| t.to_string());
    let plan = plan_of(&s);
    let old = s.vehicles[0].get_ref().spread_g_per_m2.unwrap();
    let width = s.vehicles[0].get_ref().spread_width_m.unwrap();
    let t_up = plan.vehicles[0].end_s * 0.3;
    let text = format!(
        "[[event]]\nat = {}\nkind = \"storm_upgrade\"\nspread_g_per_m2 = {}\n",
        at(t_up),
        2.0 * old
    );
    let ev = events_of(&s, &plan, &text).unwrap();
    let (new, _) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    let t_up = ev.time_s();
    let (mut before, mut after) = (0, 0);
    for v in &new.vehicles {
        for l in v.legs.iter().filter(|l| l.kind == LegKind::Service) {
            let per_m = (l.material_before - l.material_after) / l.distance_m;
            let want = if l.start_s < t_up { old } else { 2.0 * old } * width / 1000.0;
            assert!(
                (per_m - want).abs() < 1e-6,
                "{} leg {}: {per_m} per m, want {want}",
                v.id,
                l.seq
            );
            if l.start_s < t_up {
                before += 1;
            } else {
                after += 1;
            }
        }
    }
    assert!(
        before > 0 && after > 0,
        "{before} passes before, {after} after"
    );
    assert!(new.kpis.material_used > plan.kpis.material_used);
    // Checked against the old rate throughout, the new plan fails: the
    // validator does look at the rate.
    let problem = city::build(&s).expect("build");
    let rep = validate(&s, &problem.network, &new);
    assert!(
        rep.errors.iter().any(|e| e.contains("material")),
        "{:?}",
        rep.errors
    );
}

#[test]
fn stability_price_reduces_moved_services() {
    // Three trucks, one breaks down: the other two share its work; without the
    // price they also reshuffle their own where it saves any time (the plan
    // being driven was made in a hurry). Deadlines are relaxed so that
    // lateness (weighed far above time) does not force the moves either way.
    let s = scenario(|t| {
        t.replace("count = 2", "count = 3")
            .replace("deadline_hours = 0.17", "deadline_hours = 2")
            .replace("deadline_hours = 0.4", "deadline_hours = 4")
    });
    let plan = plan_with(&s, 5);
    assert_eq!(plan.vehicles.len(), 3);
    let victim = &plan.vehicles[2];
    let text = format!(
        "[[event]]\nat = {}\nkind = \"vehicle_down\"\nvehicle = \"{}\"\n",
        at(victim.end_s * 0.3),
        victim.id
    );
    let ev = events_of(&s, &plan, &text).unwrap();
    let (stable, c_stable) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    let (free, c_free) = replan_with(&s, &plan, &ev, 0.0);
    eprintln!(
        "moved between running trucks: {} with the price, {} without; total shift {:.0} s vs {:.0} s",
        c_stable.moved.len(),
        c_free.moved.len(),
        stable.kpis.total_shift_s,
        free.kpis.total_shift_s
    );
    assert!(
        c_stable.moved.len() < c_free.moved.len(),
        "stability: {} moved, free: {} moved",
        c_stable.moved.len(),
        c_free.moved.len()
    );
}

#[test]
fn progress_gps_and_an_added_vehicle() {
    let s = scenario(|t| t.to_string());
    let plan = plan_of(&s);
    let v = &plan.vehicles[0];
    let t = v.end_s * 0.5;
    let text = format!(
        "[[event]]\nat = {a}\nkind = \"progress\"\nvehicle = \"{id}\"\nservices_done = 3\nposition = [10.0100, 45.0060]\nmaterial_left = 100\n\n[[event]]\nat = {a}\nkind = \"vehicle_added\"\ntype = \"single-axle spreader\"\n",
        a = at(t),
        id = v.id
    );
    let ev = events_of(&s, &plan, &text).unwrap();
    let (new, _) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    // The reporting truck keeps exactly its first three services' legs, then
    // drives from its GPS fix.
    let w = new.vehicles.iter().find(|w| w.id == v.id).unwrap();
    let third = v
        .legs
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == LegKind::Service)
        .nth(2)
        .unwrap()
        .0;
    assert_eq!(w.legs[..=third], v.legs[..=third]);
    // The added truck waits at the depot until the event, full.
    let added = new
        .vehicles
        .iter()
        .find(|w| w.id == "single-axle spreader#3")
        .expect("the added truck");
    assert_eq!(added.legs[0].kind, LegKind::Wait);
    assert!((added.legs[0].end_s - ev.time_s()).abs() < 1e-6);
    assert_eq!(added.legs[0].material_before, added.capacity);
}

#[test]
fn bad_events_are_refused_with_their_line() {
    let s = scenario(|t| t.to_string());
    let plan = plan_of(&s);
    let err = |text: &str| match events_of(&s, &plan, text) {
        Err(e) => e.to_string(),
        Ok(ev) => match replan::prepare(&s, &plan, &ev, 0.0) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted: {text}"),
        },
    };
    let e = err(&format!(
        "# storm\n[[event]]\nat = {}\nkind = \"vehicle_down\"\nvehicle = \"truck#9\"\n",
        at(60.0)
    ));
    assert!(
        (e.contains("events.toml:2:") || e.contains("events.toml:3:"))
            && e.contains("unknown vehicle `truck#9`"),
        "{e}"
    );
    let e = err("[[event]]\nat = 2026-12-01T13:00:00+01:00\nkind = \"road_closed\"\nways = [1]\n");
    assert!(e.contains("outside the shift"), "{e}");
    let id = &plan.vehicles[0].id;
    let e = err(&format!(
        "[[event]]\nat = {}\nkind = \"progress\"\nvehicle = \"{id}\"\nservices_done = 999\n",
        at(60.0)
    ));
    assert!(e.contains("999 services done, but its plan has"), "{e}");
    let e = err(&format!(
        "[[event]]\nat = {}\nkind = \"road_closed\"\nways = [42]\n",
        at(60.0)
    ));
    assert!(e.contains("OSM way 42 is not a street"), "{e}");
    let e = err(&format!(
        "[[event]]\nat = {}\nkind = \"vehicle_down\"\nvehicle = \"{id}\"\nways = [1]\n",
        at(60.0)
    ));
    assert!(e.contains("`ways` does not belong"), "{e}");
}

#[test]
fn cli_replan_writes_changes_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let scen = fixture("town-frost.toml");
    let first = dir.path().join("first");
    let (code, out, err) = arcplan(&[
        "plan",
        scen.to_str().unwrap(),
        "--out",
        first.to_str().unwrap(),
        "--max-iterations",
        "500",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let plan_path = first.join("plan.json");
    let plan: Plan = serde_json::from_slice(&std::fs::read(&plan_path).unwrap()).unwrap();
    let before = std::fs::read(&plan_path).unwrap();
    let events = dir.path().join("events.toml");
    std::fs::write(
        &events,
        format!(
            "[[event]]\nat = {}\nkind = \"vehicle_down\"\nvehicle = \"{}\"\n",
            at(plan.vehicles[1].end_s * 0.5),
            plan.vehicles[1].id
        ),
    )
    .unwrap();
    let second = dir.path().join("second");
    let replan_into = |out: &std::path::Path, json: bool| {
        let mut a = vec![
            "replan",
            scen.to_str().unwrap(),
            "--plan",
            plan_path.to_str().unwrap(),
            "--events",
            events.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--max-iterations",
            "300",
        ];
        if json {
            a.push("--json");
        }
        arcplan(&a)
    };
    let (code, out, err) = replan_into(&second, false);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("taken over from vehicles down"), "{out}");
    let ch: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("changes.json")).unwrap()).unwrap();
    assert!(ch["reassigned_from_down"].as_u64().unwrap() > 0, "{ch}");
    let html = std::fs::read_to_string(second.join("report.html")).unwrap();
    assert!(html.contains("Re-plan at"));
    // The same re-plan with `--json`: one object, its changes under `replan`.
    let (code, out, err) = replan_into(&dir.path().join("second-json"), true);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is one JSON object");
    assert_eq!(v["late"], false);
    assert_eq!(
        v["replan"]["taken_over_from_vehicles_down"], ch["reassigned_from_down"],
        "{v}"
    );
    let (code, out, _) = arcplan(&[
        "validate",
        scen.to_str().unwrap(),
        second.join("plan.json").to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    // Without its events, one message that says it is a re-plan (not a page
    // of errors against the scenario alone).
    let (code, out, err) = arcplan(&[
        "validate",
        scen.to_str().unwrap(),
        second.join("plan.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("re-plan") && err.contains("--events events.toml"),
        "{out}{err}"
    );
    assert!(out.is_empty(), "{out}");
    // A bad event: non-zero exit, nothing written, the plan untouched.
    std::fs::write(
        &events,
        format!(
            "[[event]]\nat = {}\nkind = \"vehicle_down\"\nvehicle = \"nobody\"\n",
            at(60.0)
        ),
    )
    .unwrap();
    let third = dir.path().join("third");
    let (code, _, err) = replan_into(&third, false);
    assert_ne!(code, 0);
    assert!(err.contains("unknown vehicle `nobody`"), "{err}");
    assert!(!third.exists());
    assert_eq!(std::fs::read(&plan_path).unwrap(), before);
}

/// A storm upgrade that only tightens deadlines: the classes keep their
/// rules (the same streets), take the new deadlines, and meet them; a class
/// the table does not have, a deadline outside the shift and a class given
/// twice are refused with the line.
#[test]
fn storm_upgrade_tightens_deadlines_and_keeps_the_rules() {
    // Planned with class 1 due within the hour; at 1 minute the forecast
    // turns and class 1 is due at 0.17 h (10 min 12 s) instead.
    let s = scenario(|t| t.replacen("deadline_hours = 0.17", "deadline_hours = 1.0", 1));
    let plan = plan_of(&s);
    let old1 = plan.classes.iter().find(|c| c.class == 1).unwrap().clone();
    let tight_h = 0.17;
    assert!(
        old1.finished_s.unwrap() > tight_h * 3600.0,
        "the loose plan already meets the tight deadline: {old1:?}"
    );
    let text = format!(
        "[[event]]\nat = {}\nkind = \"storm_upgrade\"\ndeadlines = [{{ class = 1, deadline_hours = {tight_h} }}]\n",
        at(60.0)
    );
    let ev = events_of(&s, &plan, &text).unwrap();
    let (new, _) = replan_with(&s, &plan, &ev, replan::DEFAULT_STABILITY_S);
    let c1 = new.classes.iter().find(|c| c.class == 1).unwrap();
    assert_eq!(
        c1.tasks, old1.tasks,
        "the rules changed: {c1:?} vs {old1:?}"
    );
    assert!((c1.deadline_s - tight_h * 3600.0).abs() < 1e-6, "{c1:?}");
    assert_eq!(c1.late_tasks, 0, "{c1:?}");
    assert!(c1.finished_s.unwrap() <= tight_h * 3600.0 + 1e-6, "{c1:?}");
    for c in new.classes.iter().filter(|c| c.class != 1) {
        let old = plan.classes.iter().find(|o| o.class == c.class).unwrap();
        assert_eq!(c.deadline_s, old.deadline_s, "class {} changed", c.class);
    }
    let err = |body: &str| {
        let text = format!(
            "\n[[event]]\nat = {}\nkind = \"storm_upgrade\"\n{body}\n",
            at(60.0)
        );
        match events_of(&s, &plan, &text) {
            Err(e) => e.to_string(),
            Ok(ev) => match replan::prepare(&s, &plan, &ev, 0.0) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("accepted: {body}"),
            },
        }
    };
    let e = err("deadlines = [{ class = 7, deadline_hours = 1 }]");
    assert!(
        e.contains("events.toml:2:") && e.contains("no class 7 (it has 1, 2)"),
        "{e}"
    );
    let e = err("deadlines = [{ class = 1, deadline_hours = 0 }]");
    assert!(
        e.contains("`deadlines[0].deadline_hours` = 0 must be above 0"),
        "{e}"
    );
    let e =
        err("deadlines = [{ class = 1, deadline_hours = 1 }, { class = 1, deadline_hours = 2 }]");
    assert!(e.contains("`deadlines[1]`: class 1 is given twice"), "{e}");
}
