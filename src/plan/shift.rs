//! Shift plans: a solution turned into timed legs per vehicle, with KPIs.
//!
//! Times are recomputed here in seconds from lengths and speeds along the
//! actual paths (not taken from the solver's integer costs). The format is
//! `plan.json`, schema [`SCHEMA`], documented in `docs/plan-schema.md`.

use crate::city::turns::At;
use crate::city::{CityProblem, VehicleProblem, VehicleStart};
use crate::network::{LinkId, Network};
use crate::scenario::Scenario;
use crate::solver::{RefillStop, Service, Solution};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "arcplan-plan/1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegKind {
    Deadhead,
    Service,
    Refill,
    Return,
    /// Standing still (a re-plan: a vehicle behind its plan waits for the
    /// re-plan's time).
    Wait,
}

impl LegKind {
    /// The kind as `plan.json` spells it (`deadhead`, `service`, …), for
    /// the itinerary's and the GPX's kind columns.
    pub fn name(self) -> &'static str {
        match self {
            LegKind::Deadhead => "deadhead",
            LegKind::Service => "service",
            LegKind::Refill => "refill",
            LegKind::Return => "return",
            LegKind::Wait => "wait",
        }
    }
}

/// One link driven: segment index, direction (0: as the OSM way), OSM way id.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub segment: u32,
    pub dir: u8,
    pub way: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Leg {
    pub seq: usize,
    pub kind: LegKind,
    pub start_s: f64,
    pub end_s: f64,
    pub distance_m: f64,
    pub material_before: f64,
    pub material_after: f64,
    /// Links driven, in order (empty for a refill).
    pub steps: Vec<Step>,
    /// Service legs: which pass of the segment, and its priority class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_s: Option<f64>,
    /// Refill legs: the site's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehiclePlan {
    /// `<type>#<n>`, unique in the plan.
    pub id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub service: crate::scenario::ServiceKind,
    pub depot: String,
    pub capacity: f64,
    pub start_s: f64,
    pub end_s: f64,
    pub service_km: f64,
    pub deadhead_km: f64,
    pub material_used: f64,
    pub refills: usize,
    pub legs: Vec<Leg>,
    /// Broken down at this time (a re-plan): its legs end there, away from
    /// the depot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassResult {
    pub class: u8,
    pub deadline_s: f64,
    pub tasks: usize,
    /// When the last task of the class is finished (None: no task).
    pub finished_s: Option<f64>,
    pub late_tasks: usize,
    pub lateness_s: f64,
    /// A re-plan's tasks of the class left undone (no vehicle working).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub undone: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    pub vehicles_used: usize,
    pub service_km: f64,
    pub deadhead_km: f64,
    /// Deadhead km over total km.
    pub deadhead_share: f64,
    /// A lower bound on the deadhead km of any plan for these passes: the
    /// turn-aware circulation bound where it applies, else the node-balance
    /// bound, or the depot legs if larger (see [`super::bounds`]).
    pub deadhead_km_lower_bound: f64,
    /// The node-balance bound alone (turn rules ignored), for comparison.
    #[serde(default)]
    pub deadhead_km_node_bound: f64,
    /// How far the deadhead is above the lower bound, in % of the bound
    /// (`null` when the bound is 0).
    #[serde(default)]
    pub deadhead_gap_pct: Option<f64>,
    pub material_used: f64,
    pub refills: usize,
    pub shift_end_s: f64,
    pub total_shift_s: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: String,
    pub scenario: String,
    /// RFC 3339 with offset.
    pub shift_start: String,
    pub shift_max_s: f64,
    pub vehicles: Vec<VehiclePlan>,
    pub classes: Vec<ClassResult>,
    pub kpis: Kpis,
    /// Shift limits exceeded, deadlines missed: the plan is still made.
    pub violations: Vec<String>,
    /// Scenario mistakes that still give a plan: a priority rule that
    /// matches no street, slopes ranked without grades, a yard far from any
    /// street (each with its scenario line).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The scenario's vehicles that have no route in this plan, with why.
    #[serde(default)]
    pub idle: Vec<IdleVehicle>,
    pub attribution: String,
    /// A re-plan: the events file it was made for (its name) and how many
    /// events it held. Checking the plan needs the same events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<ReplanOf>,
    /// The file the plan was read from (not written).
    #[serde(skip)]
    pub source: Option<std::path::PathBuf>,
}

/// A vehicle of the scenario left at its depot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdleVehicle {
    pub id: String,
    pub type_name: String,
    pub depot: String,
    pub reason: String,
}

/// What a re-plan was made from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplanOf {
    /// The events file's name, as given to `arcplan replan --events`.
    pub events: String,
    pub events_count: usize,
    /// Time of the re-plan, seconds from the shift's start.
    pub at_s: f64,
}

impl Plan {
    /// Whether the plan is late: a priority class finished after its
    /// deadline or left undone, or a vehicle back after the shift's end.
    /// (`arcplan plan` and `replan` then exit with [`crate::cli::EXIT_LATE`].)
    pub fn is_late(&self) -> bool {
        self.classes
            .iter()
            .any(|c| c.late_tasks > 0 || c.undone > 0)
            || self
                .vehicles
                .iter()
                .any(|v| v.end_s > self.shift_max_s + 0.5)
    }

    /// Reads a `plan.json`, refusing another schema.
    pub fn read(path: &std::path::Path) -> crate::Result<Plan> {
        use crate::Error;
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut plan: Plan =
            serde_json::from_str(&text).map_err(|e| Error::parse(path, e.line(), e.to_string()))?;
        plan.source = Some(path.to_path_buf());
        if plan.schema != SCHEMA {
            return Err(Error::invalid(
                path,
                format!("schema `{}`, expected `{SCHEMA}`", plan.schema),
            ));
        }
        Ok(plan)
    }
}

fn step(net: &Network, l: LinkId) -> Step {
    Step {
        segment: l / 2,
        dir: (l % 2) as u8,
        way: net.way_of(l / 2).osm_id,
    }
}

struct Builder<'a> {
    net: &'a Network,
    p: &'a VehicleProblem,
    legs: Vec<Leg>,
    t: f64,
    material: f64,
    at: At,
}

impl Builder<'_> {
    fn drive(&mut self, to: At, kind: LegKind) {
        let (links, _) = self.p.graph.path(self.at, to).unwrap_or_default();
        if links.is_empty() && kind == LegKind::Deadhead {
            return;
        }
        let dist: f64 = links
            .iter()
            .map(|&l| self.net.segments[(l / 2) as usize].length_m)
            .sum();
        let time: f64 = links
            .iter()
            .map(|&l| self.p.deadhead_s[l as usize].unwrap_or(0.0))
            .sum();
        self.push(
            kind,
            time,
            dist,
            links.iter().map(|&l| step(self.net, l)).collect(),
        );
    }

    fn push(&mut self, kind: LegKind, time: f64, dist: f64, steps: Vec<Step>) -> &mut Leg {
        let seq = self.legs.len();
        self.legs.push(Leg {
            seq,
            kind,
            start_s: self.t,
            end_s: self.t + time,
            distance_m: dist,
            material_before: self.material,
            material_after: self.material,
            steps,
            pass: None,
            priority: None,
            deadline_s: None,
            site: None,
        });
        self.t += time;
        self.legs.last_mut().expect("just pushed")
    }
}

/// Every route of a solution walked into legs ([`walk_route`]), empty
/// routes left out.
fn walk_solution<'p>(
    scenario: &Scenario,
    city: &CityProblem,
    p: &'p VehicleProblem,
    sol: &Solution,
    history: &std::collections::BTreeMap<String, History>,
    finish: &mut Vec<(u8, f64, f64)>,
    repaired: &mut usize,
) -> Vec<(Option<&'p VehicleStart>, Vec<Leg>)> {
    let mut out = Vec::new();
    for (r, route) in sol.routes.iter().enumerate() {
        if route.is_empty() {
            continue;
        }
        let stops = sol.refills.get(r).map(|v| v.as_slice()).unwrap_or(&[]);
        out.push(walk_route(
            scenario, city, p, route, stops, history, finish, repaired,
        ));
    }
    out
}

/// One route walked into legs: from the depot, or from a vehicle's starting
/// state after what it has done (`history`), through its services and refill
/// stops, home. Priority finishes go to `finish`; refills added where the
/// route overloads are counted in `repaired`.
#[allow(clippy::too_many_arguments)]
fn walk_route<'p>(
    scenario: &Scenario,
    city: &CityProblem,
    p: &'p VehicleProblem,
    route: &[Service],
    stops: &[RefillStop],
    history: &std::collections::BTreeMap<String, History>,
    finish: &mut Vec<(u8, f64, f64)>,
    repaired: &mut usize,
) -> (Option<&'p VehicleStart>, Vec<Leg>) {
    let spec = p.spec(scenario);
    let n_real = p.tasks.len();
    let net = &city.network;
    let head = route
        .first()
        .filter(|s| s.task as usize >= n_real)
        .map(|s| &p.heads[s.task as usize - n_real]);
    let mut b = Builder {
        net,
        p,
        legs: Vec::new(),
        t: 0.0,
        material: spec.capacity,
        at: At::Node(p.depot_node),
    };
    if let Some(h) = head {
        let done = history
            .get(&h.id)
            .map(|x| restamped(scenario, net, &x.legs))
            .unwrap_or_default();
        done_finishes(city, &done, finish);
        b.t = done.last().map_or(0.0, |l| l.end_s);
        b.material = done.last().map_or(spec.capacity, |l| l.material_after);
        b.at = last_position(net, &done).unwrap_or(At::Node(p.depot_node));
        b.legs = done;
        if b.at != h.at {
            // Reported elsewhere (a GPS fix): drive there, its link included.
            b.drive(h.at, LegKind::Deadhead);
            if let At::Link(l) = h.at {
                let time = p.deadhead_s[l as usize].unwrap_or(0.0);
                let dist = net.segments[(l / 2) as usize].length_m;
                b.push(LegKind::Deadhead, time, dist, vec![step(net, l)]);
            }
            b.at = h.at;
        }
        if h.time_s > b.t + 1e-9 {
            b.push(LegKind::Wait, h.time_s - b.t, 0.0, Vec::new());
        }
    }
    let mut next_stop = 0;
    let refill = |b: &mut Builder, site: usize| {
        let (ri, node) = p.refills[site];
        let rs = scenario.refills[ri].get_ref();
        b.drive(At::Node(node), LegKind::Deadhead);
        b.at = At::Node(node);
        let leg = b.push(LegKind::Refill, rs.minutes * 60.0, 0.0, Vec::new());
        leg.material_after = spec.capacity;
        leg.site = Some(rs.id.clone());
        b.material = spec.capacity;
    };
    let refill_at = |b: &mut Builder, k: usize, next_stop: &mut usize| {
        while *next_stop < stops.len() && stops[*next_stop].before == k {
            refill(b, stops[*next_stop].site as usize);
            *next_stop += 1;
        }
    };
    for (k, s) in route.iter().enumerate() {
        refill_at(&mut b, k, &mut next_stop);
        let Some(task) = p.tasks.get(s.task as usize) else {
            continue; // a route head: the vehicle's state, already set
        };
        let link = task.links[s.dir as usize & 1];
        if task.material > b.material + 1e-9 * spec.capacity.max(1.0) && !p.refills.is_empty() {
            // A solution that overloads (a solver stopped by a tight
            // time limit before it could repair) still gives a lawful
            // plan: refill at the nearest site first.
            let site = (0..p.refills.len())
                .min_by_key(|&k| {
                    p.graph
                        .path(b.at, At::Node(p.refills[k].1))
                        .map_or(u64::MAX, |x| x.1)
                })
                .unwrap_or(0);
            refill(&mut b, site);
            *repaired += 1;
        }
        b.drive(At::Link(link), LegKind::Deadhead);
        let seg = &net.segments[(link / 2) as usize];
        let time = p.service_s[link as usize];
        let before = b.material;
        let leg = b.push(LegKind::Service, time, seg.length_m, vec![step(net, link)]);
        leg.material_after = before - task.material;
        leg.pass = Some(task.pass);
        leg.priority = task.priority;
        leg.deadline_s = task.deadline_s;
        let end = leg.end_s;
        b.material = before - task.material;
        b.at = At::Link(link);
        if let (Some(c), Some(d)) = (task.priority, task.deadline_s) {
            finish.push((c, d, end));
        }
    }
    refill_at(&mut b, route.len(), &mut next_stop);
    b.drive(At::Node(p.depot_node), LegKind::Return);
    (head, b.legs)
}

/// Service and deadhead kilometres (the way home included) of one vehicle
/// problem's solution, walked exactly as [`build_replan`] walks it: the
/// figures a running job reports before the plan is built.
pub fn solution_km(
    scenario: &Scenario,
    city: &CityProblem,
    p: &VehicleProblem,
    sol: &Solution,
    history: &std::collections::BTreeMap<String, History>,
) -> (f64, f64) {
    let (mut service, mut deadhead) = (0.0, 0.0);
    let (mut finish, mut repaired) = (Vec::new(), 0);
    let walked = walk_solution(scenario, city, p, sol, history, &mut finish, &mut repaired);
    for (head, legs) in walked {
        // What a vehicle did before the re-plan is not this solution's.
        let done = head
            .and_then(|h| history.get(&h.id))
            .map_or(0, |h| h.legs.len());
        for l in &legs[done.min(legs.len())..] {
            match l.kind {
                LegKind::Service => service += l.distance_m,
                LegKind::Deadhead | LegKind::Return => deadhead += l.distance_m,
                _ => {}
            }
        }
    }
    (service / 1000.0, deadhead / 1000.0)
}

/// The priority finishes `(class, deadline, end)` of work done before a
/// re-plan (restamped legs), against the classes in force.
fn done_finishes(city: &CityProblem, legs: &[Leg], finish: &mut Vec<(u8, f64, f64)>) {
    for l in legs.iter().filter(|l| l.kind == LegKind::Service) {
        let Some(c) = l.priority else { continue };
        if let Some(&(_, d)) = city.classes.iter().find(|x| x.0 == c) {
            finish.push((c, d, l.end_s));
        }
    }
}

/// What a re-plan keeps of a vehicle: the legs it has driven (and, for a
/// vehicle down, when it broke down).
#[derive(Clone, Debug, Default)]
pub struct History {
    pub legs: Vec<Leg>,
    pub down_s: Option<f64>,
    /// Plan entry to copy type, depot and capacity from (vehicles down).
    pub vehicle: Option<VehiclePlan>,
}

/// Turns the solutions (one per vehicle problem) into a plan.
pub fn build(scenario: &Scenario, city: &CityProblem, solutions: &[Solution]) -> Plan {
    build_replan(
        scenario,
        city,
        solutions,
        &std::collections::BTreeMap::new(),
    )
}

/// [`build`] for a re-plan: each route that opens with a vehicle's starting
/// state continues that vehicle's `history`; vehicles down keep theirs.
pub fn build_replan(
    scenario: &Scenario,
    city: &CityProblem,
    solutions: &[Solution],
    history: &std::collections::BTreeMap<String, History>,
) -> Plan {
    let net = &city.network;
    let mut vehicles = Vec::new();
    let mut violations = Vec::new();
    let mut finish: Vec<(u8, f64, f64)> = Vec::new(); // (class, deadline, end)
    let mut repaired = 0usize; // refills the solver's solution lacked
    for (p, sol) in city.problems.iter().zip(solutions) {
        let spec = p.spec(scenario);
        let depot = scenario.depots[p.depot].get_ref().id.clone();
        let walked = walk_solution(scenario, city, p, sol, history, &mut finish, &mut repaired);
        for (head, legs) in walked {
            let km = |k: LegKind| {
                legs.iter()
                    .filter(|l| {
                        (l.kind == k) || (k == LegKind::Deadhead && l.kind == LegKind::Return)
                    })
                    .map(|l| l.distance_m)
                    .sum::<f64>()
                    / 1000.0
            };
            let id = match head {
                Some(h) => h.id.clone(),
                None => format!(
                    "{}#{}",
                    spec.type_name,
                    vehicles
                        .iter()
                        .filter(|v: &&VehiclePlan| v.type_name == spec.type_name)
                        .count()
                        + 1
                ),
            };
            let end_s = legs.last().map_or(0.0, |l| l.end_s);
            if end_s > scenario.shift_seconds() + 1e-6 {
                violations.push(format!(
                    "{id} ends at {}, after the shift's end at {} ({} h)",
                    clock_at(scenario, end_s),
                    clock_at(scenario, scenario.shift_seconds()),
                    scenario.shift.max_hours
                ));
            }
            vehicles.push(VehiclePlan {
                id,
                type_name: spec.type_name.clone(),
                service: spec.service,
                depot: depot.clone(),
                capacity: spec.capacity,
                start_s: 0.0,
                end_s,
                service_km: km(LegKind::Service),
                deadhead_km: km(LegKind::Deadhead),
                material_used: legs
                    .iter()
                    .filter(|l| l.kind == LegKind::Service)
                    .map(|l| l.material_before - l.material_after)
                    .sum(),
                refills: legs.iter().filter(|l| l.kind == LegKind::Refill).count(),
                legs,
                down_s: None,
            });
        }
    }
    if repaired > 0 {
        violations.push(format!(
            "{repaired} refills added where the solver's routes overloaded (stopped before it could repair them: give it more time)"
        ));
    }
    // Passes no vehicle can reach with its turn rules.
    let unreachable: Vec<i64> = city
        .problems
        .iter()
        .flat_map(|p| p.unreachable.iter().map(|&(s, _)| net.way_of(s).osm_id))
        .collect();
    if !unreachable.is_empty() {
        let mut ways = unreachable.clone();
        ways.sort_unstable();
        ways.dedup();
        let shown: Vec<String> = ways.iter().take(10).map(|w| w.to_string()).collect();
        violations.push(format!(
            "{} passes left out: not reachable from the depot and back with the turn rules (OSM ways {}{})",
            unreachable.len(),
            shown.join(", "),
            if ways.len() > 10 { ", …" } else { "" }
        ));
    }
    // Work no vehicle is left to do.
    for u in &city.undone {
        let spec = scenario.vehicles[u.vehicle].get_ref();
        violations.push(format!(
            "left undone: {} passes ({:.1} km, {:.1} {} of {}) of `{}`: no vehicle that can take \
             them is working; add one with a `vehicle_added` event",
            u.passes.len(),
            u.km,
            u.material,
            spec.service.unit(),
            spec.service.material(),
            spec.type_name
        ));
    }
    // Vehicles down keep what they did.
    for (id, h) in history {
        let Some(down) = h.down_s else { continue };
        let Some(base) = &h.vehicle else { continue };
        let legs = restamped(scenario, net, &h.legs);
        done_finishes(city, &legs, &mut finish);
        let km = |k: LegKind| {
            legs.iter()
                .filter(|l| l.kind == k)
                .map(|l| l.distance_m)
                .sum::<f64>()
                / 1000.0
        };
        vehicles.push(VehiclePlan {
            id: id.clone(),
            start_s: 0.0,
            end_s: legs.last().map_or(0.0, |l| l.end_s),
            service_km: km(LegKind::Service),
            deadhead_km: km(LegKind::Deadhead) + km(LegKind::Return),
            material_used: h
                .legs
                .iter()
                .filter(|l| l.kind == LegKind::Service)
                .map(|l| l.material_before - l.material_after)
                .sum(),
            refills: legs.iter().filter(|l| l.kind == LegKind::Refill).count(),
            legs,
            down_s: Some(down),
            ..base.clone()
        });
    }
    let undone_of = |c: u8| {
        city.undone
            .iter()
            .flat_map(|u| u.passes.iter())
            .filter(|p| crate::city::segment_priority(scenario, net, p.0).is_some_and(|x| x.0 == c))
            .count()
    };
    let classes: Vec<ClassResult> = city
        .classes
        .iter()
        .map(|&(c, d)| {
            let of: Vec<f64> = finish.iter().filter(|f| f.0 == c).map(|f| f.2).collect();
            let late: Vec<f64> = of.iter().filter(|&&e| e > d + 1e-6).map(|e| e - d).collect();
            if !late.is_empty() {
                violations.push(format!(
                    "priority class {c}: {} of {} tasks finished after the {} deadline (worst {} late)",
                    late.len(),
                    of.len(),
                    clock_at(scenario, d),
                    hms(late.iter().cloned().fold(0.0, f64::max))
                ));
            }
            ClassResult {
                class: c,
                deadline_s: d,
                tasks: of.len(),
                finished_s: of.iter().cloned().reduce(f64::max),
                late_tasks: late.len(),
                lateness_s: late.iter().sum(),
                undone: undone_of(c),
            }
        })
        .collect();
    let service_km: f64 = vehicles.iter().map(|v| v.service_km).sum();
    let deadhead_km: f64 = vehicles.iter().map(|v| v.deadhead_km).sum();
    let (node_bound, turn_bound) = super::bounds::bounds_km(net, scenario, &city.problems);
    let lb = deadhead_lower_bound_km(scenario, city, solutions).max(turn_bound);
    let kpis = Kpis {
        vehicles_used: vehicles.len(),
        service_km,
        deadhead_km,
        deadhead_share: if service_km + deadhead_km > 0.0 {
            deadhead_km / (service_km + deadhead_km)
        } else {
            0.0
        },
        deadhead_km_lower_bound: lb,
        deadhead_km_node_bound: node_bound,
        deadhead_gap_pct: (lb > 1e-9).then(|| 100.0 * (deadhead_km - lb) / lb),
        material_used: vehicles.iter().map(|v| v.material_used).sum(),
        refills: vehicles.iter().map(|v| v.refills).sum(),
        shift_end_s: vehicles.iter().map(|v| v.end_s).fold(0.0, f64::max),
        total_shift_s: vehicles.iter().map(|v| v.end_s - v.start_s).sum(),
    };
    let idle = idle_vehicles(scenario, city, &vehicles);
    Plan {
        schema: SCHEMA.into(),
        scenario: scenario.name.clone().unwrap_or_default(),
        shift_start: scenario.shift.start.to_string(),
        shift_max_s: scenario.shift_seconds(),
        vehicles,
        classes,
        kpis,
        violations,
        warnings: city.warnings.clone(),
        idle,
        attribution: crate::network::geojson::ATTRIBUTION.into(),
        replan: None,
        source: None,
    }
}

/// The vehicles of each scenario type beyond those with a route (ids
/// `type#k` not in the plan), with why they stay at the depot.
fn idle_vehicles(
    scenario: &Scenario,
    city: &CityProblem,
    vehicles: &[VehiclePlan],
) -> Vec<IdleVehicle> {
    let mut out = Vec::new();
    for (t, entry) in scenario.vehicles.iter().enumerate() {
        let spec = entry.get_ref();
        let listed: Vec<&str> = vehicles
            .iter()
            .filter(|v| v.type_name == spec.type_name)
            .map(|v| v.id.as_str())
            .collect();
        let missing = (spec.count as usize).saturating_sub(listed.len());
        if missing == 0 {
            continue;
        }
        let problems: Vec<&VehicleProblem> =
            city.problems.iter().filter(|p| p.vehicle == t).collect();
        let tasks: usize = problems.iter().map(|p| p.tasks.len()).sum();
        let reason = if tasks == 0 {
            if city.undone.iter().any(|u| u.vehicle == t) || problems.is_empty() {
                "no work assigned: every street it may service went to another vehicle type \
                 (nearer depot or cheaper per street), or is done"
                    .to_string()
            } else {
                "no work left for its type".to_string()
            }
        } else {
            format!(
                "no work assigned: its type's {tasks} passes fit in the routes of {} {}",
                listed.len(),
                if listed.len() == 1 {
                    "vehicle"
                } else {
                    "vehicles"
                }
            )
        };
        let mut k = 1;
        for _ in 0..missing {
            while listed.contains(&format!("{}#{k}", spec.type_name).as_str()) {
                k += 1;
            }
            out.push(IdleVehicle {
                id: format!("{}#{k}", spec.type_name),
                type_name: spec.type_name.clone(),
                depot: spec.depot.clone(),
                reason: reason.clone(),
            });
            k += 1;
        }
    }
    out
}

/// Legs done before a re-plan with the priority classes the scenario gives
/// their streets now (a storm upgrade may have moved a street into class 1:
/// the re-plan's class figures count it there).
fn restamped(scenario: &Scenario, net: &Network, legs: &[Leg]) -> Vec<Leg> {
    legs.iter()
        .map(|l| {
            let mut l = l.clone();
            if l.kind == LegKind::Service {
                let class = l
                    .steps
                    .first()
                    .and_then(|st| crate::city::segment_priority(scenario, net, st.segment));
                l.priority = class.map(|c| c.0);
                l.deadline_s = class.map(|c| c.1);
            }
            l
        })
        .collect()
}

/// Where a vehicle stands after `legs`: at the end of the last link driven,
/// or free to turn at a refill site's node (None before any link).
pub fn last_position(net: &Network, legs: &[Leg]) -> Option<At> {
    let last = legs.iter().rev().find(|l| !l.steps.is_empty())?;
    let st = last.steps.last()?;
    let link = 2 * st.segment + st.dir as u32;
    let after_refill = legs
        .iter()
        .rev()
        .take_while(|l| l.steps.is_empty())
        .any(|l| l.kind == LegKind::Refill);
    Some(if after_refill {
        At::Node(net.link_ends(link).1)
    } else {
        At::Link(link)
    })
}

/// A cheap lower bound on deadhead km for a plan that sends out as many
/// vehicles from each depot: each must at least drive from its depot to the
/// nearest street of its service (legal paths, by length). The
/// plan reports the larger of this and [`super::bounds`]' balance bound.
fn deadhead_lower_bound_km(scenario: &Scenario, city: &CityProblem, solutions: &[Solution]) -> f64 {
    let net = &city.network;
    // Vehicles used per type: a type's districts share its depot and graph,
    // so its distance out is found once.
    let mut used: std::collections::BTreeMap<usize, (&VehicleProblem, usize)> = Default::default();
    for (p, sol) in city.problems.iter().zip(solutions) {
        let n = sol.routes.iter().filter(|r| !r.is_empty()).count();
        if n > 0 {
            used.entry(p.vehicle).or_insert((p, 0)).1 += n;
        }
    }
    let mut total = 0.0;
    for (p, n) in used.into_values() {
        let metres =
            crate::city::turns::LinkGraph::new(net, crate::city::turns::UTurnRule::Cost(0), |l| {
                p.graph
                    .drivable(l)
                    .then(|| net.segments[(l / 2) as usize].length_m.round() as u32)
            });
        let label = metres.costs_from(At::Node(p.depot_node));
        // The nearest street of the service, whatever type or district has it.
        let service = p.spec(scenario).service;
        let out = city
            .problems
            .iter()
            .filter(|q| q.spec(scenario).service == service)
            .flat_map(|q| q.tasks.iter())
            .flat_map(|t| t.links)
            .map(|l| label[l as usize])
            .min()
            .unwrap_or(u64::MAX);
        if out != u64::MAX {
            total += n as f64 * out as f64 / 1000.0;
        }
    }
    total
}

/// `h:mm:ss` from seconds.
/// `03:10 (+0:10:12)`: the clock time `t_s` into the scenario's shift, in
/// its offset, with the time into the shift, as the report and summary
/// give times (the offset alone if the start has no offset).
fn clock_at(scenario: &Scenario, t_s: f64) -> String {
    match crate::plan::clock::ShiftClock::parse(&scenario.shift.start.to_string()) {
        Some(c) => format!("{} (+{})", c.hm(t_s), hms(t_s)),
        None => hms(t_s),
    }
}

pub fn hms(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::LegKind;

    #[test]
    fn leg_kind_names_are_plan_json_spellings() {
        use LegKind::*;
        for k in [Deadhead, Service, Refill, Return, Wait] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.name());
        }
    }
}
