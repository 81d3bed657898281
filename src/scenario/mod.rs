//! The scenario a planner writes (TOML): the map, the shift, depots, refill
//! sites, the fleet, service policies and priorities. [`load`] reads it with
//! every unknown key and bad value reported by key path and line.
//!
//! A complete commented example is `fixtures/town-frost.toml`.

pub(crate) mod load;

pub use load::{load, parse};

use crate::osm::RoadClass;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a vehicle does to a street.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Sweeping,
    Sprinkling,
    Salting,
    Plowing,
}

/// How a street is serviced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Each side is its own pass (sweepers and sprinklers work the curb).
    EachSide,
    /// One pass in either direction covers the street (salting a narrow street).
    Either,
    /// One pass per lane.
    PerLane,
}

/// What a refill or dump site provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefillKind {
    Salt,
    Water,
    Dump,
}

impl RefillKind {
    /// As written in a scenario (`kind = "salt"`).
    pub fn name(self) -> &'static str {
        match self {
            RefillKind::Salt => "salt",
            RefillKind::Water => "water",
            RefillKind::Dump => "dump",
        }
    }
}

/// U-turns outside dead ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UTurns {
    /// Only at dead ends.
    #[default]
    DeadEndsOnly,
    /// Anywhere, at the cost of `u_turn_penalty_s`.
    Penalised,
    Allowed,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub name: Option<String>,
    pub map: MapSpec,
    pub shift: ShiftSpec,
    #[serde(rename = "depot")]
    pub depots: Vec<toml::Spanned<DepotSpec>>,
    #[serde(default, rename = "refill")]
    pub refills: Vec<toml::Spanned<RefillSpec>>,
    #[serde(rename = "vehicle")]
    pub vehicles: Vec<toml::Spanned<VehicleSpec>>,
    /// Service policies by service name (`[service.salting]`, …).
    #[serde(rename = "service")]
    pub services: BTreeMap<String, ServicePolicy>,
    #[serde(default, rename = "priority")]
    pub priorities: Vec<toml::Spanned<PrioritySpec>>,
    #[serde(default)]
    pub objective: ObjectiveSpec,
    #[serde(default)]
    pub planning: PlanningSpec,
    /// The scenario file's directory: map paths are relative to it.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The scenario file and its text (for errors that name a line).
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub text: String,
}

impl Scenario {
    /// An error about the entry at `span` (a `toml::Spanned` entry's span).
    pub fn error_at(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> crate::Error {
        crate::Error::parse(&self.path, load::line_at(&self.text, span), message)
    }

    /// An error about the scenario as a whole.
    pub fn error(&self, message: impl Into<String>) -> crate::Error {
        crate::Error::invalid(&self.path, message)
    }

    /// Shift length in seconds.
    pub fn shift_seconds(&self) -> f64 {
        self.shift.max_hours * 3600.0
    }

    /// The policy of a service, if the scenario gives one.
    pub fn policy(&self, kind: ServiceKind) -> Option<&ServicePolicy> {
        self.services.get(kind.name())
    }
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 4] = [
        ServiceKind::Sweeping,
        ServiceKind::Sprinkling,
        ServiceKind::Salting,
        ServiceKind::Plowing,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::Sweeping => "sweeping",
            ServiceKind::Sprinkling => "sprinkling",
            ServiceKind::Salting => "salting",
            ServiceKind::Plowing => "plowing",
        }
    }

    /// The unit of a vehicle's `capacity` for this service.
    pub fn unit(self) -> &'static str {
        match self {
            ServiceKind::Salting => "kg",
            ServiceKind::Sprinkling => "l",
            ServiceKind::Sweeping => "m³",
            ServiceKind::Plowing => "units",
        }
    }

    /// What the capacity holds.
    pub fn material(self) -> &'static str {
        match self {
            ServiceKind::Salting => "salt",
            ServiceKind::Sprinkling => "water",
            ServiceKind::Sweeping => "hopper space",
            ServiceKind::Plowing => "capacity",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSpec {
    pub extract: PathBuf,
    #[serde(default)]
    pub dem: Option<PathBuf>,
    /// The area to plan; streets outside it are only driven through.
    #[serde(default)]
    pub area: Option<AreaSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaSpec {
    /// `[min lon, min lat, max lon, max lat]`.
    #[serde(default)]
    pub bbox: Option<[f64; 4]>,
    /// `[[lon, lat], …]`, closed or not.
    #[serde(default)]
    pub polygon: Option<Vec<[f64; 2]>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftSpec {
    /// Start with its UTC offset, e.g. `2026-12-01T03:00:00+01:00`.
    pub start: toml::value::Datetime,
    pub max_hours: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepotSpec {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefillSpec {
    pub id: String,
    pub kind: RefillKind,
    pub lon: f64,
    pub lat: f64,
    /// Time to refill or unload.
    pub minutes: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleSpec {
    #[serde(rename = "type")]
    pub type_name: String,
    pub service: ServiceKind,
    pub count: u32,
    pub depot: String,
    /// kg of salt, litres of water, or m³ of hopper.
    pub capacity: f64,
    /// Salting: grams per m² and spread width (m).
    #[serde(default)]
    pub spread_g_per_m2: Option<f64>,
    #[serde(default)]
    pub spread_width_m: Option<f64>,
    /// Sprinkling: litres per metre.
    #[serde(default)]
    pub water_l_per_m: Option<f64>,
    /// Sweeping: hopper m³ filled per km swept.
    #[serde(default)]
    pub hopper_m3_per_km: Option<f64>,
    pub service_kmh: f64,
    /// Deadhead speed, or a factor on each street's `maxspeed`.
    #[serde(default)]
    pub deadhead_kmh: Option<f64>,
    #[serde(default)]
    pub deadhead_speed_factor: Option<f64>,
    /// Classes it may service (default: its service's policy) and drive on (default: all).
    #[serde(default)]
    pub service_classes: Option<Vec<RoadClass>>,
    #[serde(default)]
    pub drive_classes: Option<Vec<RoadClass>>,
    #[serde(default)]
    pub u_turns: UTurns,
    #[serde(default)]
    pub u_turn_penalty_s: Option<f64>,
    /// Salting rates in force before a storm upgrade raised them:
    /// `(until, g/m²)` in seconds from the shift's start, oldest first. Set by
    /// a re-plan's events, never read from the scenario file.
    #[serde(skip)]
    pub spread_before: Vec<(f64, f64)>,
}

impl VehicleSpec {
    /// Material one metre of a pass uses, in the vehicle's unit (kg, L, m³).
    pub fn material_per_m(&self) -> f64 {
        match self.service {
            ServiceKind::Salting => self.salt_per_m(self.spread_g_per_m2.unwrap_or(0.0)),
            ServiceKind::Sprinkling => self.water_l_per_m.unwrap_or(0.0),
            ServiceKind::Sweeping => self.hopper_m3_per_km.unwrap_or(0.0) / 1000.0,
            ServiceKind::Plowing => 0.0,
        }
    }

    /// [`Self::material_per_m`] for a pass that starts `t_s` seconds into the
    /// shift (a storm upgrade may have changed the spread rate since).
    pub fn material_per_m_at(&self, t_s: f64) -> f64 {
        match self.spread_before.iter().find(|(until, _)| t_s < *until) {
            Some(&(_, g)) if self.service == ServiceKind::Salting => self.salt_per_m(g),
            _ => self.material_per_m(),
        }
    }

    /// The least [`Self::material_per_m_at`] over the shift (a bound that
    /// must hold whenever the pass is driven).
    pub fn least_material_per_m(&self) -> f64 {
        let earlier = self.spread_before.iter().map(|&(_, g)| g);
        match self.service {
            ServiceKind::Salting => earlier
                .map(|g| self.salt_per_m(g))
                .fold(self.material_per_m(), f64::min),
            _ => self.material_per_m(),
        }
    }

    /// Kilograms of salt a metre of pass takes at `g` grams per m².
    fn salt_per_m(&self, g: f64) -> f64 {
        g * self.spread_width_m.unwrap_or(0.0) / 1000.0
    }

    /// Deadhead speed (km/h) on a street: a factor on its speed limit, or the
    /// vehicle's own speed capped by the limit (50 km/h when neither is given).
    pub fn deadhead_speed_kmh(&self, maxspeed_kmh: Option<f32>, class: RoadClass) -> f64 {
        let road = maxspeed_kmh.map_or(class.default_maxspeed_kmh(), |x| x as f64);
        match (self.deadhead_speed_factor, self.deadhead_kmh) {
            (Some(f), _) => road * f,
            (None, Some(k)) => k.min(road),
            (None, None) => road.min(50.0),
        }
        .max(1.0)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePolicy {
    pub classes: Vec<RoadClass>,
    pub direction: Direction,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrioritySpec {
    /// 1 is the most urgent.
    pub class: u8,
    /// Deadline counted from shift start.
    pub deadline_hours: f64,
    #[serde(default)]
    pub bridges: bool,
    #[serde(default)]
    pub ramps: bool,
    #[serde(default)]
    pub min_grade_pct: Option<f64>,
    #[serde(default)]
    pub road_classes: Vec<RoadClass>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    /// Cost of one second of lateness against one second of shift time.
    #[serde(default = "default_lateness_weight")]
    pub lateness_weight: f64,
    /// "Priority first": cost of each second by which a priority class
    /// finishes in a vehicle's route (from the shift start), against one
    /// second of shift time. 0 (the default): only the deadline counts, and
    /// priority streets finish when the cheapest route allows; e.g. 0.5: each
    /// route does its priority streets as early as it can, at up to half a
    /// second of extra driving per second gained.
    #[serde(default)]
    pub first_weight: f64,
}

fn default_lateness_weight() -> f64 {
    100.0
}

impl Default for ObjectiveSpec {
    fn default() -> Self {
        ObjectiveSpec {
            lateness_weight: default_lateness_weight(),
            first_weight: 0.0,
        }
    }
}

/// How a large city is cut up for planning (`[planning]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanningSpec {
    /// A vehicle type with more than twice this many passes is cut into
    /// districts of about this many, each planned on its own (see
    /// `city::district`).
    #[serde(default = "default_district_tasks")]
    pub district_tasks: usize,
}

fn default_district_tasks() -> usize {
    crate::city::DISTRICT_TASKS
}

impl Default for PlanningSpec {
    fn default() -> Self {
        PlanningSpec {
            district_tasks: default_district_tasks(),
        }
    }
}
