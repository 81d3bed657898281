//! `events.toml`: what happened since the plan was made. Each `[[event]]` has
//! a time (`at`, with its UTC offset, inside the shift) and a `kind`:
//!
//! - `storm_upgrade`: `priorities` (a new priority table, as in the scenario),
//!   `deadlines` (new deadlines for classes of the table in force, its rules
//!   kept: `[{ class = 1, deadline_hours = 1.5 }]`), `add_service_classes`
//!   (e.g. `{ salting = ["residential"] }`) and/or `spread_g_per_m2`;
//! - `vehicle_down`: `vehicle` (its id in the plan) is out from `at`;
//! - `vehicle_added`: one more vehicle of `type`, at its depot from `at`;
//! - `road_closed` / `road_reopened`: `ways` (OSM way ids);
//! - `progress`: what `vehicle` has done by `at` — `services_done` (service
//!   legs of its plan finished), and optionally `position` (`[lon, lat]`, a
//!   GPS fix) and `material_left`.
//!
//! Unknown keys, keys that do not belong to the kind, and times outside the
//! shift are errors with the line.

use crate::error::{Error, Result};
use crate::osm::tags::RoadClass;
use crate::scenario::load::{from_toml, line_of};
use crate::scenario::{PrioritySpec, Scenario};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    StormUpgrade,
    VehicleDown,
    VehicleAdded,
    RoadClosed,
    RoadReopened,
    Progress,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    pub at: toml::value::Datetime,
    pub kind: EventKind,
    #[serde(default)]
    pub vehicle: Option<String>,
    #[serde(default, rename = "type")]
    pub type_name: Option<String>,
    #[serde(default)]
    pub ways: Vec<i64>,
    #[serde(default)]
    pub priorities: Option<Vec<PrioritySpec>>,
    #[serde(default)]
    pub add_service_classes: BTreeMap<String, Vec<RoadClass>>,
    #[serde(default)]
    pub services_done: Option<usize>,
    #[serde(default)]
    pub position: Option<[f64; 2]>,
    #[serde(default)]
    pub material_left: Option<f64>,
    /// Storm upgrade: the new salting rate (g/m²) for every salting vehicle.
    #[serde(default)]
    pub spread_g_per_m2: Option<f64>,
    /// Storm upgrade: new deadlines for classes of the priority table in
    /// force (its rules unchanged).
    #[serde(default)]
    pub deadlines: Vec<ClassDeadline>,
}

/// A class's new deadline in a storm upgrade.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassDeadline {
    pub class: u8,
    /// From the shift's start, as the scenario's `deadline_hours`.
    pub deadline_hours: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "event")]
    events: Vec<toml::Spanned<EventSpec>>,
}

/// One event, checked, with its time in seconds from the shift's start.
#[derive(Clone, Debug)]
pub struct Event {
    pub at_s: f64,
    pub line: usize,
    pub spec: EventSpec,
}

/// The events of a file, in time order (stable for equal times).
#[derive(Clone, Debug, Default)]
pub struct Events {
    pub path: PathBuf,
    pub list: Vec<Event>,
}

impl Events {
    /// An error about the event at `line`.
    pub fn error(&self, line: usize, message: impl Into<String>) -> Error {
        Error::parse(&self.path, line, message)
    }

    /// The re-plan's time: the latest event (0 without events).
    pub fn time_s(&self) -> f64 {
        self.list.iter().map(|e| e.at_s).fold(0.0, f64::max)
    }
}

/// Seconds since the Unix epoch of a datetime with date, time and offset.
pub fn epoch_s(dt: &toml::value::Datetime) -> Option<f64> {
    let (d, t) = (dt.date?, dt.time?);
    let offset_min = match dt.offset? {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => minutes as i64,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m) = if d.month <= 2 {
        (d.year as i64 - 1, d.month as i64 + 9)
    } else {
        (d.year as i64, d.month as i64 - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d.day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + t.hour as i64 * 3600 + t.minute as i64 * 60 + t.second as i64
        - offset_min * 60;
    Some(secs as f64 + t.nanosecond as f64 * 1e-9)
}

/// Reads and checks `path` against the scenario and the plan's vehicles.
pub fn load(path: &Path, scenario: &Scenario, vehicle_ids: &[String]) -> Result<Events> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text, scenario, vehicle_ids)
}

pub fn parse(
    path: &Path,
    text: &str,
    scenario: &Scenario,
    vehicle_ids: &[String],
) -> Result<Events> {
    let file: File = from_toml(path, text)?;
    let start = epoch_s(&scenario.shift.start)
        .ok_or_else(|| scenario.error("`shift.start` needs a date, a time and a UTC offset"))?;
    let shift = scenario.shift_seconds();
    let mut list = Vec::new();
    let mut added: BTreeMap<String, u32> = BTreeMap::new();
    for (i, e) in file.events.into_iter().enumerate() {
        let line = line_of(text, Some(e.span()));
        let spec = e.into_inner();
        let fail = |m: String| Error::parse(path, line, format!("event[{i}]: {m}"));
        let at_s = epoch_s(&spec.at)
            .ok_or_else(|| fail("`at` needs a date, a time and a UTC offset".into()))?
            - start;
        if !(0.0..=shift).contains(&at_s) {
            return Err(fail(format!(
                "`at` = {} is outside the shift ({} for {} h)",
                spec.at, scenario.shift.start, scenario.shift.max_hours
            )));
        }
        use EventKind::*;
        let allowed: &[&str] = match spec.kind {
            StormUpgrade => &[
                "priorities",
                "deadlines",
                "add_service_classes",
                "spread_g_per_m2",
            ],
            VehicleDown => &["vehicle"],
            VehicleAdded => &["type"],
            RoadClosed | RoadReopened => &["ways"],
            Progress => &["vehicle", "services_done", "position", "material_left"],
        };
        let given: Vec<&str> = [
            ("vehicle", spec.vehicle.is_some()),
            ("type", spec.type_name.is_some()),
            ("ways", !spec.ways.is_empty()),
            ("priorities", spec.priorities.is_some()),
            ("add_service_classes", !spec.add_service_classes.is_empty()),
            ("spread_g_per_m2", spec.spread_g_per_m2.is_some()),
            ("deadlines", !spec.deadlines.is_empty()),
            ("services_done", spec.services_done.is_some()),
            ("position", spec.position.is_some()),
            ("material_left", spec.material_left.is_some()),
        ]
        .into_iter()
        .filter(|x| x.1)
        .map(|x| x.0)
        .collect();
        if let Some(k) = given.iter().find(|k| !allowed.contains(k)) {
            return Err(fail(format!(
                "`{k}` does not belong to a {:?} event",
                spec.kind
            )));
        }
        match spec.kind {
            VehicleDown | Progress => {
                let v = spec
                    .vehicle
                    .as_deref()
                    .ok_or_else(|| fail("needs `vehicle`".into()))?;
                let added_ids = added.iter().flat_map(|(t, &n)| {
                    let base = scenario
                        .vehicles
                        .iter()
                        .find(|x| &x.get_ref().type_name == t)
                        .map_or(0, |x| x.get_ref().count);
                    (1..=n).map(move |k| format!("{t}#{}", base + k))
                });
                if !vehicle_ids.iter().any(|x| x == v) && !added_ids.into_iter().any(|x| x == v) {
                    return Err(fail(format!(
                        "unknown vehicle `{v}` (the plan has {})",
                        vehicle_ids.join(", ")
                    )));
                }
                if spec.kind == Progress && spec.services_done.is_none() {
                    return Err(fail("a progress report needs `services_done`".into()));
                }
            }
            VehicleAdded => {
                let t = spec
                    .type_name
                    .as_deref()
                    .ok_or_else(|| fail("needs `type`".into()))?;
                if !scenario.vehicles.iter().any(|x| x.get_ref().type_name == t) {
                    return Err(fail(format!("unknown vehicle type `{t}`")));
                }
                *added.entry(t.to_string()).or_default() += 1;
            }
            RoadClosed | RoadReopened => {
                if spec.ways.is_empty() {
                    return Err(fail("needs `ways` (OSM way ids)".into()));
                }
            }
            StormUpgrade => {
                if spec.priorities.is_none()
                    && spec.deadlines.is_empty()
                    && spec.add_service_classes.is_empty()
                    && spec.spread_g_per_m2.is_none()
                {
                    return Err(fail(
                        "a storm upgrade needs `priorities`, `deadlines`, `add_service_classes` \
                         or `spread_g_per_m2`"
                            .into(),
                    ));
                }
                let shift_h = scenario.shift.max_hours;
                for (k, d) in spec.deadlines.iter().enumerate() {
                    if !(d.deadline_hours > 0.0 && d.deadline_hours <= shift_h) {
                        return Err(fail(format!(
                            "`deadlines[{k}].deadline_hours` = {} must be above 0 and at most \
                             the shift's {shift_h} h",
                            d.deadline_hours
                        )));
                    }
                    if spec.deadlines[..k].iter().any(|e| e.class == d.class) {
                        return Err(fail(format!(
                            "`deadlines[{k}]`: class {} is given twice",
                            d.class
                        )));
                    }
                }
                if spec
                    .spread_g_per_m2
                    .is_some_and(|g| !(g > 0.0 && g.is_finite()))
                {
                    return Err(fail("`spread_g_per_m2` must be positive".into()));
                }
                for name in spec.add_service_classes.keys() {
                    if !crate::scenario::ServiceKind::ALL
                        .iter()
                        .any(|k| k.name() == name)
                    {
                        return Err(fail(format!("unknown service `{name}`")));
                    }
                }
            }
        }
        list.push(Event { at_s, line, spec });
    }
    list.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    Ok(Events {
        path: path.to_path_buf(),
        list,
    })
}
