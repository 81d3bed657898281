//! What a job does: a scenario (TOML text) becomes a validated plan and its
//! files; a plan and the events since version 1 become the next version.
//! The same steps as `arcplan plan` and `arcplan replan`, through the same
//! library code; only the reading (from the database, not files) and the
//! progress (to the job, not a terminal) differ.

use super::db::NewVersion;
use crate::city::VehicleProblem;
use crate::error::{Error, Result};
use crate::plan::shift::{self, Plan};
use crate::plan::validate;
use crate::replan::{self, changes, events};
use crate::scenario::Scenario;
use crate::solver::{Params, Progress};
use std::collections::BTreeMap;
use std::path::{Component, Path};
use std::sync::Mutex;
use std::time::Instant;

/// The name a posted scenario has in error messages.
pub const SCENARIO_NAME: &str = "scenario.toml";
/// The name posted events have in error messages and in a re-plan.
pub const EVENTS_NAME: &str = "events.toml";

/// Parses a posted scenario; its map paths resolve inside `maps` only (a
/// path that is absolute or climbs out of it is refused with its line).
pub fn parse_scenario(text: &str, maps: &Path) -> Result<Scenario> {
    let name = Path::new(SCENARIO_NAME);
    let mut s = crate::scenario::parse(name, text)?;
    let root = maps
        .canonicalize()
        .map_err(|e| Error::io(maps.to_path_buf(), e))?;
    let mut paths = vec![("extract", s.map.extract.clone())];
    if let Some(d) = &s.map.dem {
        paths.push(("dem", d.clone()));
    }
    for (key, p) in paths {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(0, |i| i + 1);
        let refuse = |why: &str| {
            Error::parse(
                name,
                line,
                format!(
                    "`map.{key}` = \"{}\" {why}: map paths are relative to the server's maps \
                     folder",
                    p.display()
                ),
            )
        };
        if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(refuse("leaves the maps folder"));
        }
        let full = root.join(&p);
        match full.canonicalize() {
            Ok(real) if real.starts_with(&root) => {}
            Ok(_) => return Err(refuse("leaves the maps folder (through a link)")),
            Err(_) => return Err(refuse("is not in the maps folder")),
        }
    }
    s.base_dir = root;
    Ok(s)
}

/// What a running job reports: the time against its limit and the best
/// plan so far, in hours of driving (the objective, summed over the
/// instances) and in kilometres (service and empty, the way home included).
///
/// The kilometres are the best routes walked as the plan will walk them
/// ([`shift::solution_km`]), in the solver's thread. On a large city that
/// walk costs tens of milliseconds, so an instance's kilometres are brought
/// up to date at most once a second, and less often when the walk is slow
/// (it may take at most 2 % of the time since the last one): they can lag
/// the hours by that much. A re-plan's kilometres are those of the routes
/// from each vehicle's position on; what was driven before is not counted.
pub struct Tracker {
    started: Instant,
    limit_s: f64,
    best: Mutex<BTreeMap<String, Best>>,
}

/// One instance's best so far.
#[derive(Default)]
struct Best {
    cost: i64,
    iterations: u64,
    /// Service and empty kilometres of the best routes when they were last
    /// walked.
    km: Option<(f64, f64)>,
    walked: Option<Instant>,
    walk_s: f64,
}

/// What the kilometres of a job's routes are measured against.
pub struct Walk<'a> {
    pub scenario: &'a Scenario,
    pub city: &'a crate::city::CityProblem,
    pub history: &'a BTreeMap<String, shift::History>,
}

impl Tracker {
    pub fn new(limit_s: f64) -> Tracker {
        Tracker {
            started: Instant::now(),
            limit_s,
            best: Mutex::new(BTreeMap::new()),
        }
    }

    /// Hears an instance start or improve; returns the job's progress.
    pub fn hear(
        &self,
        walk: &Walk,
        p: &VehicleProblem,
        pr: Option<&Progress>,
    ) -> serde_json::Value {
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pr) = pr {
            let b = best.entry(p.instance.name.clone()).or_default();
            b.cost = pr.cost;
            b.iterations = pr.iterations;
            let due = b.walked.is_none_or(|w| {
                let since = w.elapsed().as_secs_f64();
                since >= 1.0 && since >= 50.0 * b.walk_s
            });
            if due {
                let t = Instant::now();
                b.km = Some(shift::solution_km(
                    walk.scenario,
                    walk.city,
                    p,
                    &pr.best(),
                    walk.history,
                ));
                b.walk_s = t.elapsed().as_secs_f64();
                b.walked = Some(Instant::now());
            }
        }
        self.progress(&best, "solving")
    }

    pub fn stage(&self, stage: &str) -> serde_json::Value {
        let best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        self.progress(&best, stage)
    }

    fn progress(&self, best: &BTreeMap<String, Best>, stage: &str) -> serde_json::Value {
        let hours: f64 = best
            .values()
            .map(|b| b.cost as f64 * crate::city::TIME_UNIT_S / 3600.0)
            .sum();
        let km = best.values().filter_map(|b| b.km);
        let (service, empty) = km.fold((0.0, 0.0), |a, k| (a.0 + k.0, a.1 + k.1));
        let some = |x: f64| if best.is_empty() { None } else { Some(x) };
        serde_json::json!({
            "stage": stage,
            "elapsed_s": self.started.elapsed().as_secs_f64(),
            "time_limit_s": self.limit_s,
            "instances_started": best.len(),
            "best_hours_of_driving": some(hours),
            "best_service_km": some(service),
            "best_deadhead_km": some(empty),
            "generations": best.values().map(|b| b.iterations).sum::<u64>(),
        })
    }
}

/// A one-object account of a plan, stored with its version.
fn summary(plan: &Plan, ch: Option<&changes::Changes>) -> serde_json::Value {
    let k = &plan.kpis;
    let mut v = serde_json::json!({
        "vehicles": plan.vehicles.len(),
        "idle": plan.idle.len(),
        "service_km": k.service_km,
        "deadhead_km": k.deadhead_km,
        "deadhead_km_lower_bound": k.deadhead_km_lower_bound,
        "deadhead_gap_pct": k.deadhead_gap_pct,
        "refills": k.refills,
        "shift_end_s": k.shift_end_s,
        "late": plan.is_late(),
        "late_classes": plan
            .classes
            .iter()
            .filter(|c| c.late_tasks > 0)
            .map(|c| serde_json::json!({
                "class": c.class,
                "late_passes": c.late_tasks,
                "finished_s": c.finished_s,
                "deadline_s": c.deadline_s,
            }))
            .collect::<Vec<_>>(),
        "violations": plan.violations.len(),
        "warnings": plan.warnings.len(),
    });
    if let (Some(c), Some(o)) = (ch, v.as_object_mut()) {
        o.insert("replan".into(), c.counts());
    }
    v
}

/// Plans a scenario: version 1.
pub fn plan(
    scenario_text: &str,
    maps: &Path,
    params: &Params,
    tracker: &Tracker,
    on_progress: &(dyn Fn(serde_json::Value) + Sync),
) -> Result<NewVersion> {
    let scenario = parse_scenario(scenario_text, maps)?;
    on_progress(tracker.stage("reading the map"));
    let problem = crate::city::build(&scenario)?;
    let none = BTreeMap::new();
    let walk = Walk {
        scenario: &scenario,
        city: &problem,
        history: &none,
    };
    let (solutions, _) =
        crate::plan::solve::solve_city_rebalanced(&problem, params, &[], |p, pr| {
            on_progress(tracker.hear(&walk, p, pr))
        });
    on_progress(tracker.stage("checking the plan"));
    let plan = shift::build(&scenario, &problem, &solutions);
    validate::validate(&scenario, &problem.network, &plan).or_internal_error()?;
    let files = crate::export::bundle::files(&plan, &problem, &scenario, None)?;
    Ok(NewVersion {
        plan_json: serde_json::to_string_pretty(&plan).map_err(|e| Error::Other(e.to_string()))?,
        changes: None,
        summary: summary(&plan, None),
        files,
    })
}

/// Reads a stored plan.json.
pub fn read_plan(json: &str) -> Result<Plan> {
    serde_json::from_str(json)
        .map_err(|e| Error::Other(format!("a stored plan does not read: {e}")))
}

/// Checks events (TOML) against the scenario and the plan they change.
pub fn check_events(scenario: &Scenario, plan: &Plan, text: &str) -> Result<events::Events> {
    events::parse(
        Path::new(EVENTS_NAME),
        text,
        scenario,
        &replan::vehicle_ids(plan),
    )
}

/// Re-plans version `base` (its plan.json) for all the events since
/// version 1 (`events_all`, TOML): the next version.
pub fn replan(
    scenario_text: &str,
    maps: &Path,
    base: &str,
    events_all: &str,
    params: &Params,
    tracker: &Tracker,
    on_progress: &(dyn Fn(serde_json::Value) + Sync),
) -> Result<NewVersion> {
    let scenario = parse_scenario(scenario_text, maps)?;
    let old = read_plan(base)?;
    let events = check_events(&scenario, &old, events_all)?;
    on_progress(tracker.stage("reading the map"));
    let r = replan::prepare(&scenario, &old, &events, replan::DEFAULT_STABILITY_S)?;
    let walk = Walk {
        scenario: &r.scenario,
        city: &r.city,
        history: &r.history,
    };
    let solutions = if r.changed {
        crate::plan::solve::solve_city_rebalanced(&r.city, params, &r.warm_starts, |p, pr| {
            on_progress(tracker.hear(&walk, p, pr))
        })
        .0
    } else {
        r.current.clone()
    };
    on_progress(tracker.stage("checking the plan"));
    let mut new = shift::build_replan(&r.scenario, &r.city, &solutions, &r.history);
    new.replan = Some(shift::ReplanOf {
        events: EVENTS_NAME.to_string(),
        events_count: events.list.len(),
        at_s: r.time_s,
    });
    validate::validate_with(&r.scenario, &r.city.network, &new, &r.closures).or_internal_error()?;
    let ch = changes::compare(&old, &new, r.time_s);
    let ch_json = serde_json::to_string_pretty(&ch).map_err(|e| Error::Other(e.to_string()))?;
    let files = crate::export::bundle::files(
        &new,
        &r.city,
        &r.scenario,
        Some((
            vec![
                ("changes.json".to_string(), ch_json.clone().into_bytes()),
                (EVENTS_NAME.to_string(), events_all.as_bytes().to_vec()),
            ],
            changes::html(&ch),
        )),
    )?;
    Ok(NewVersion {
        plan_json: serde_json::to_string_pretty(&new).map_err(|e| Error::Other(e.to_string()))?,
        changes: Some(ch_json),
        summary: summary(&new, Some(&ch)),
        files,
    })
}

/// Events posted as JSON (`{"event": [...]}` or a bare list, the keys of
/// the TOML file, `at` as an RFC 3339 string) written as the TOML file.
pub fn events_from_json(body: &[u8]) -> std::result::Result<String, String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the JSON does not read: {e}"))?;
    let list = match v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(mut o) => match o.remove("event") {
            Some(serde_json::Value::Array(a)) if o.is_empty() => a,
            _ => return Err("expected {\"event\": [ ... ]} or a list of events".into()),
        },
        _ => return Err("expected {\"event\": [ ... ]} or a list of events".into()),
    };
    let mut out = String::new();
    for (i, e) in list.into_iter().enumerate() {
        let serde_json::Value::Object(map) = e else {
            return Err(format!("event[{i}]: not an object"));
        };
        let mut table = toml::Table::new();
        for (k, v) in map {
            let value =
                if k == "at" {
                    let s = v
                        .as_str()
                        .ok_or_else(|| format!("event[{i}]: `at` must be an RFC 3339 string"))?;
                    toml::Value::Datetime(s.parse().map_err(|_| {
                        format!("event[{i}]: `at` = \"{s}\" is not an RFC 3339 time")
                    })?)
                } else {
                    json_to_toml(&v).ok_or_else(|| format!("event[{i}]: `{k}` holds a null"))?
                };
            table.insert(k, value);
        }
        let mut file = toml::Table::new();
        file.insert(
            "event".into(),
            toml::Value::Array(vec![toml::Value::Table(table)]),
        );
        out.push_str(&toml::to_string(&file).map_err(|e| e.to_string())?);
        out.push('\n');
    }
    Ok(out)
}

fn json_to_toml(v: &serde_json::Value) -> Option<toml::Value> {
    use serde_json::Value as J;
    Some(match v {
        J::Null => return None,
        J::Bool(b) => toml::Value::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        J::String(s) => toml::Value::String(s.clone()),
        J::Array(a) => toml::Value::Array(a.iter().map(json_to_toml).collect::<Option<_>>()?),
        J::Object(o) => toml::Value::Table(
            o.iter()
                .map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// A progress report as a `progress` event of the events file.
pub fn report_event(r: &super::db::Report) -> String {
    let mut s = format!(
        "[[event]]\nat = {}\nkind = \"progress\"\nvehicle = {}\nservices_done = {}\n",
        r.at,
        toml::Value::String(r.vehicle.clone()),
        r.services_done
    );
    if let Some([lon, lat]) = r.position {
        s.push_str(&format!("position = [{lon}, {lat}]\n"));
    }
    if let Some(m) = r.material_left {
        s.push_str(&format!("material_left = {m}\n"));
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_events_become_the_toml_file() {
        let t = events_from_json(
            br#"{"event": [{"at": "2026-12-01T03:10:00+01:00", "kind": "vehicle_down", "vehicle": "a#1"},
                           {"at": "2026-12-01T03:20:00+01:00", "kind": "road_closed", "ways": [5, 6]}]}"#,
        )
        .unwrap();
        let v: toml::Table = t.parse().unwrap();
        let list = v["event"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert!(list[0]["at"].is_datetime(), "{t}");
        assert_eq!(list[1]["ways"].as_array().unwrap().len(), 2);
        assert!(events_from_json(br#"{"event": [{"at": "yesterday"}]}"#)
            .unwrap_err()
            .contains("`at`"));
        assert!(events_from_json(b"[1]").unwrap_err().contains("event[0]"));
    }

    #[test]
    fn map_paths_stay_in_the_maps_folder() {
        let maps = tempfile::tempdir().unwrap();
        std::fs::write(maps.path().join("town.osm.pbf"), b"x").unwrap();
        let text = |p: &str| {
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/town-frost.toml"
            ))
            .unwrap()
            .replace("extract = \"town.osm.pbf\"", &format!("extract = \"{p}\""))
            .replace("dem = \"dem\"", "")
        };
        assert!(parse_scenario(&text("town.osm.pbf"), maps.path()).is_ok());
        for bad in ["../town.osm.pbf", "/etc/passwd", "sub/../../x.pbf"] {
            let e = parse_scenario(&text(bad), maps.path())
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("scenario.toml:6:") && e.contains("leaves the maps folder"),
                "{bad}: {e}"
            );
        }
        let e = parse_scenario(&text("nowhere.pbf"), maps.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not in the maps folder"), "{e}");
    }
}
