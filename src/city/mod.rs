//! From a scenario and its road network to arc routing instances.
//!
//! - **Tasks**: every segment inside the area whose road class the service
//!   covers becomes one or more tasks: `each_side` gives one pass per curb (a
//!   two-way street one per direction, a one-way street two passes in its
//!   direction), `either` one pass in either legal direction (an edge when the
//!   street is two-way), `per_lane` one pass per lane and direction. Demand is
//!   the material used (salt: length × spread width × g/m²; water: L/m;
//!   hopper: m³/km), service time is length at the service speed.
//! - **Priorities**: the first priority class (by number) whose rule matches
//!   (bridge, ramp, |grade| ≥ threshold, road class) gives a task its deadline.
//! - **Vehicle types and depots**: each vehicle type (with its own depot,
//!   capacity, speeds and turn rules) gets its own [`Instance`]s; a street
//!   several types could service goes to the nearest depot in travel time,
//!   with per-depot offsets that even out the work per vehicle, and the
//!   streets of a depot with several types cut between them in compact
//!   sectors ([`district::assign_types`]). A type serves the strongly connected
//!   component of its depot (an island needs a depot of its own).
//! - **Districts**: a type with many tasks is split into compact districts,
//!   each with its share of the vehicles and its own instance
//!   ([`district::split`]); deadhead costs are exact to each point's
//!   [`EXACT_NEAREST`] nearest points and bounded through landmarks beyond
//!   ([`LinkGraph::matrix`]). This is the usual sectorisation of winter and
//!   sanitation services, and what keeps a city of tens of thousands of
//!   passes within minutes and a few GB.
//! - **Costs are times** in tenths of a second ([`TIME_UNIT_S`]); deadhead times
//!   come from [`LinkGraph`] shortest paths that respect one-ways, turn
//!   restrictions and the vehicle's U-turn rule.

pub mod district;
mod heads;
mod parts;
mod passes;
pub use passes::segment_priority;
pub mod salt_export;
pub use crate::network::turns;
mod vehicle;
mod warnings;

use crate::error::Result;
use crate::instance::{
    CostOracle, Extensions, Fleet, Instance, InstanceSpec, Refill, Task, TaskKind,
};
use crate::network::{link_id, LinkId, Network};
use crate::scenario::{
    Direction, PrioritySpec, RefillKind, Scenario, ServiceKind, UTurns, VehicleSpec,
};
use crate::solver::segment::MAX_HOMES;
use geo::{Contains, Point, Polygon};
use heads::*;
use parts::*;
use passes::*;
use std::sync::Arc;
use turns::{At, LinkGraph, UTurnRule};
use vehicle::*;

/// Seconds per cost unit.
pub const TIME_UNIT_S: f64 = 0.1;

/// Snapped places farther than this from any street are "off the map".
const MAX_SNAP_M: f64 = 1000.0;

/// A yard farther than this from the street it is snapped to gets a warning:
/// the drive in and out of it is not counted, and the coordinates may be
/// wrong (a yard's gate is usually within a few tens of metres of a street).
pub const FAR_SNAP_M: f64 = 250.0;

/// One required pass over a street segment.
#[derive(Clone, Debug)]
pub struct CityTask {
    pub segment: u32,
    /// The link driven when serviced in instance direction 0 and 1 (equal for an arc).
    pub links: [LinkId; 2],
    pub kind: TaskKind,
    /// Which pass of the segment this is (two curbs, several lanes), from 0.
    pub pass: u8,
    pub length_m: f64,
    /// Material used, in the vehicle's unit (kg, L, m³).
    pub material: f64,
    /// Scenario priority class (1 = most urgent), if any.
    pub priority: Option<u8>,
    pub deadline_s: Option<f64>,
}

/// One vehicle type's problem: its tasks, points and instance.
pub struct VehicleProblem {
    /// Index into `scenario.vehicles`.
    pub vehicle: usize,
    pub depot: usize,
    pub depot_node: u32,
    /// `(index into scenario.refills, node)` per instance refill site.
    pub refills: Vec<(usize, u32)>,
    pub tasks: Vec<CityTask>,
    pub points: Vec<At>,
    /// The type's link graph and link times, shared by its districts.
    pub graph: Arc<LinkGraph>,
    pub instance: Instance,
    /// Seconds to service and to deadhead each link.
    pub service_s: Arc<Vec<f64>>,
    pub deadhead_s: Arc<Vec<Option<f64>>>,
    /// Which of the type's districts this is (0 when the type is whole), and
    /// how many the type has.
    pub district: (usize, usize),
    /// Re-plan: the vehicles whose starting states are the instance's last
    /// tasks (route heads), in that order.
    pub heads: Vec<VehicleStart>,
    /// Passes `(segment, pass)` left out: not reachable from the depot and
    /// back with the vehicle's turn rules.
    pub unreachable: Vec<(u32, u8)>,
}

/// Where a vehicle stands when a re-plan starts, and what it was to do next.
#[derive(Clone, Debug)]
pub struct VehicleStart {
    /// The vehicle's id in the plan.
    pub id: String,
    /// Where it is: at the end of a link, or at a node.
    pub at: At,
    /// Seconds from shift start when it is free to go on.
    pub time_s: f64,
    /// Material used since its last refill (from its capacity).
    pub material_used: f64,
    /// The rest of its current plan, in order.
    pub planned: Vec<PlannedStop>,
}

/// One stop of a vehicle's current plan.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PlannedStop {
    /// A service pass: segment, pass, and the link driven.
    Service {
        segment: u32,
        pass: u8,
        link: LinkId,
    },
    /// A refill at the site with this id.
    Refill(String),
}

/// What a re-plan changes in the build (all empty for a fresh plan).
#[derive(Clone, Debug, Default)]
pub struct Adjust {
    /// Segments closed to traffic: neither driven nor serviced.
    pub closed: std::collections::HashSet<u32>,
    /// Passes already done, `(segment, pass)`: not required again.
    pub done: std::collections::HashSet<(u32, u8)>,
    /// Per scenario vehicle type, the vehicles in service and their states.
    /// `Some`: each type's instance gets one route head per vehicle, and a
    /// type without vehicles gets no task.
    pub starts: Option<Vec<Vec<VehicleStart>>>,
    /// Seconds added to every deadhead between two stops that the current
    /// plan does not make in a row (0: off). Keeps routes as drivers know them.
    pub stability_s: f64,
}

/// Everything the planner needs: the network and one problem per vehicle type.
/// Passes of one vehicle type left undone by a re-plan.
#[derive(Clone, Debug)]
pub struct Undone {
    pub vehicle: usize,
    /// `(segment, pass)`.
    pub passes: Vec<(u32, u8)>,
    pub material: f64,
    pub km: f64,
}

pub struct CityProblem {
    pub network: Network,
    pub problems: Vec<VehicleProblem>,
    /// Priority classes in use, ascending, with their deadline in seconds.
    pub classes: Vec<(u8, f64)>,
    /// A re-plan's work that no vehicle is left to do (every vehicle of the
    /// types that could take it is down).
    pub undone: Vec<Undone>,
    /// Segments in the area left out because they are cut off from the main network.
    pub unreachable_segments: usize,
    /// What in the scenario looks like a mistake but still gives a plan (a
    /// priority rule that matches no street, slopes ranked without grades, a
    /// yard far from any street): the plan and the summary repeat them.
    pub warnings: Vec<String>,
}

impl VehicleProblem {
    pub fn spec<'s>(&self, scenario: &'s Scenario) -> &'s VehicleSpec {
        scenario.vehicles[self.vehicle].get_ref()
    }
}

/// The refill kind a service uses.
pub fn refill_kind(service: ServiceKind) -> Option<RefillKind> {
    match service {
        ServiceKind::Salting => Some(RefillKind::Salt),
        ServiceKind::Sprinkling => Some(RefillKind::Water),
        ServiceKind::Sweeping => Some(RefillKind::Dump),
        ServiceKind::Plowing => None,
    }
}

pub fn in_area(scenario: &Scenario, p: [f64; 2]) -> bool {
    let Some(area) = &scenario.map.area else {
        return true;
    };
    if let Some([x0, y0, x1, y1]) = area.bbox {
        if !(p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1) {
            return false;
        }
    }
    if let Some(poly) = &area.polygon {
        let ring: Vec<(f64, f64)> = poly.iter().map(|c| (c[0], c[1])).collect();
        let polygon = Polygon::new(ring.into(), vec![]);
        if !polygon.contains(&Point::new(p[0], p[1])) {
            return false;
        }
    }
    true
}

fn midpoint(net: &Network, seg: u32) -> [f64; 2] {
    let c = net.coords(seg);
    let (a, b) = (c[0], c[c.len() - 1]);
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

/// Snaps a place to the nearest intersection of the main network.
pub(crate) fn snap_node(
    net: &Network,
    scenario: &Scenario,
    span: std::ops::Range<usize>,
    what: &str,
    lon: f64,
    lat: f64,
) -> Result<u32> {
    let s = net.snap_yard([lon, lat]).ok_or_else(|| {
        scenario.error_at(
            span.clone(),
            format!("{what}: the map has no street in a connected network"),
        )
    })?;
    if s.distance_m > MAX_SNAP_M {
        return Err(scenario.error_at(
            span,
            format!(
                "{what} at {lon}, {lat} is {:.1} km from the nearest street of a connected network: is it on the map?",
                s.distance_m / 1000.0
            ),
        ));
    }
    let seg = &net.segments[s.segment as usize];
    // The nearer end of the snapped segment (both lie in one yard-holding component).
    Ok(if s.offset_m <= seg.length_m / 2.0 {
        seg.from
    } else {
        seg.to
    })
}

/// Builds the network and one instance per vehicle type.
pub fn build(scenario: &Scenario) -> Result<CityProblem> {
    build_with(scenario, &Adjust::default())
}

/// The scenario's road network (extract and DEM, paths relative to the file).
pub fn network(scenario: &Scenario) -> Result<Network> {
    let extract = scenario.base_dir.join(&scenario.map.extract);
    let dem = scenario.map.dem.as_ref().map(|d| scenario.base_dir.join(d));
    Network::from_file(&extract, dem.as_deref(), &Default::default())
}

/// [`build`] for a re-plan: closed roads, work done, vehicles' states.
pub fn build_with(scenario: &Scenario, adjust: &Adjust) -> Result<CityProblem> {
    build_on(scenario, network(scenario)?, adjust)
}

/// [`build_with`] on a network already read.
pub fn build_on(scenario: &Scenario, net: Network, adjust: &Adjust) -> Result<CityProblem> {
    let depot_nodes: Vec<u32> = scenario
        .depots
        .iter()
        .map(|d| {
            let v = d.get_ref();
            snap_node(
                &net,
                scenario,
                d.span(),
                &format!("depot `{}`", v.id),
                v.lon,
                v.lat,
            )
        })
        .collect::<Result<_>>()?;
    let refill_nodes: Vec<u32> = scenario
        .refills
        .iter()
        .map(|r| {
            let v = r.get_ref();
            snap_node(
                &net,
                scenario,
                r.span(),
                &format!("refill site `{}`", v.id),
                v.lon,
                v.lat,
            )
        })
        .collect::<Result<_>>()?;

    // Segments to plan.
    let in_area_segs: Vec<u32> = (0..net.segments.len() as u32)
        .filter(|&s| in_area(scenario, midpoint(&net, s)))
        .collect();
    if in_area_segs.is_empty() {
        return Err(scenario.error("the planning area holds no street of the map"));
    }
    let mut unreachable_segments = 0;
    // Per vehicle type: its depot, and the refill sites it may use (its
    // kind, in its depot's strongly connected component: an island without
    // a bridge needs a depot and sites of its own).
    let depot_of: Vec<Option<usize>> = scenario
        .vehicles
        .iter()
        .map(|v| {
            let id = &v.get_ref().depot;
            scenario.depots.iter().position(|d| &d.get_ref().id == id)
        })
        .collect();
    let comp_of_type: Vec<Option<u32>> = depot_of
        .iter()
        .map(|d| d.map(|d| net.components.of(depot_nodes[d])))
        .collect();
    let refills_of: Vec<Vec<usize>> = (0..scenario.vehicles.len())
        .map(|v| {
            let kind = refill_kind(scenario.vehicles[v].get_ref().service);
            (0..scenario.refills.len())
                .filter(|&i| {
                    Some(scenario.refills[i].get_ref().kind) == kind
                        && Some(net.components.of(refill_nodes[i])) == comp_of_type[v]
                })
                .collect()
        })
        .collect();
    // A type serves the streets of its depot's component.
    let reachable_by = |v: usize, s: u32| {
        let seg = &net.segments[s as usize];
        let c = net.components.of(seg.from);
        c == net.components.of(seg.to) && comp_of_type[v] == Some(c)
    };

    let mut classes: Vec<(u8, f64)> = scenario
        .priorities
        .iter()
        .map(|p| (p.get_ref().class, p.get_ref().deadline_hours * 3600.0))
        .collect();
    classes.sort_by_key(|a| a.0);
    classes.dedup_by_key(|c| c.0);
    if classes.len() > crate::solver::segment::MAX_CLASSES {
        return Err(scenario.error(format!(
            "{} priority classes; at most {} are supported",
            classes.len(),
            crate::solver::segment::MAX_CLASSES
        )));
    }

    let mut by_class: Vec<&PrioritySpec> =
        scenario.priorities.iter().map(|p| p.get_ref()).collect();
    by_class.sort_by_key(|p| p.class);

    // Tasks per vehicle type.
    let nv = scenario.vehicles.len();
    let mut tasks_of: Vec<Vec<CityTask>> = vec![Vec::new(); nv];
    // Whether some street in the area is one the type may service.
    let mut eligible = vec![false; nv];
    // Streets to plan, each with the types that may take it.
    let mut pending: Vec<(u32, Direction, Vec<usize>)> = Vec::new();
    for kind in ServiceKind::ALL {
        let types: Vec<usize> = (0..nv)
            .filter(|&v| scenario.vehicles[v].get_ref().service == kind)
            .collect();
        if types.is_empty() {
            continue;
        }
        let policy = scenario.policy(kind).ok_or_else(|| {
            scenario.error_at(
                scenario.vehicles[types[0]].span(),
                format!("no `[service.{}]` policy for this vehicle", kind.name()),
            )
        })?;
        for &s in &in_area_segs {
            let class = net.way_of(s).class;
            if !policy.classes.contains(&class) {
                continue;
            }
            if adjust.closed.contains(&s) {
                continue;
            }
            let allowed: Vec<usize> = types
                .iter()
                .copied()
                .filter(|&v| {
                    let spec = scenario.vehicles[v].get_ref();
                    spec.service_classes
                        .as_ref()
                        .is_none_or(|c| c.contains(&class))
                        && spec
                            .drive_classes
                            .as_ref()
                            .is_none_or(|c| c.contains(&class))
                })
                .collect();
            if allowed.is_empty() {
                return Err(scenario.error(format!(
                    "no {} vehicle may service {} streets (OSM way {}), which `[service.{}]` covers",
                    kind.name(),
                    class.as_str(),
                    net.way_of(s).osm_id,
                    kind.name()
                )));
            }
            for &v in &allowed {
                eligible[v] = true;
            }
            let allowed: Vec<usize> = allowed
                .into_iter()
                .filter(|&v| reachable_by(v, s))
                .collect();
            if allowed.is_empty() {
                unreachable_segments += 1;
                continue;
            }
            // A pass must fit in the truck: one pass is the whole segment.
            let length = net.segments[s as usize].length_m;
            let material = |v: usize| length * scenario.vehicles[v].get_ref().material_per_m();
            let serving: Vec<usize> = allowed
                .iter()
                .copied()
                .filter(|&v| material(v) <= scenario.vehicles[v].get_ref().capacity)
                .collect();
            if serving.is_empty() {
                let v = allowed[0];
                let spec = scenario.vehicles[v].get_ref();
                return Err(scenario.error_at(
                    scenario.vehicles[v].span(),
                    format!(
                        "one pass over OSM way {} ({:.0} m) needs {:.1} of material, above the capacity of every {} vehicle (`{}`: {})",
                        net.way_of(s).osm_id,
                        length,
                        material(v),
                        kind.name(),
                        spec.type_name,
                        spec.capacity
                    ),
                ));
            }
            // A re-plan gives a street to the types that still have a
            // vehicle working, while any has (otherwise it is left undone).
            let working: Vec<usize> = match &adjust.starts {
                Some(st) => serving
                    .iter()
                    .copied()
                    .filter(|&v| st.get(v).is_some_and(|h| !h.is_empty()))
                    .collect(),
                None => Vec::new(),
            };
            let serving = if working.is_empty() { serving } else { working };
            pending.push((s, policy.direction, serving));
        }
    }

    // Which type (depot) takes each street: nearest in travel time, balanced
    // in work per vehicle between types (see `district::assign_types`).
    let yards_of: Vec<Vec<[f64; 2]>> = (0..nv)
        .map(|v| {
            let Some(d) = depot_of[v] else {
                return Vec::new();
            };
            let d = scenario.depots[d].get_ref();
            std::iter::once([d.lon, d.lat])
                .chain(refills_of[v].iter().map(|&i| {
                    let r = scenario.refills[i].get_ref();
                    [r.lon, r.lat]
                }))
                .collect()
        })
        .collect();
    let mut scratch = Vec::new();
    let lat0 = net.nodes.first().map_or(0.0, |n| n.lat);
    let (kx, ky) = crate::geodesy::metres_per_degree(lat0);
    let choices: Vec<district::Choice> = pending
        .iter()
        .map(|(s, direction, serving)| {
            let mid = midpoint(&net, *s);
            district::Choice {
                xy: [mid[0] * kx, mid[1] * ky],
                options: serving
                    .iter()
                    .map(|&v| {
                        let spec = scenario.vehicles[v].get_ref();
                        scratch.clear();
                        push_tasks(&net, scenario, &by_class, *s, *direction, v, &mut scratch);
                        let depot_m = yards_of[v]
                            .first()
                            .map_or(f64::INFINITY, |&y| crate::geodesy::distance_m(y, mid));
                        let yard_m = yards_of[v]
                            .iter()
                            .map(|&y| crate::geodesy::distance_m(y, mid))
                            .fold(f64::INFINITY, f64::min);
                        let work: f64 = scratch.iter().map(|t| pass_work_s(spec, t, yard_m)).sum();
                        (v, 1.3 * depot_m / deadhead_mps(spec), work)
                    })
                    .collect(),
            }
        })
        .collect();
    let counts: Vec<usize> = scenario
        .vehicles
        .iter()
        .map(|v| v.get_ref().count as usize)
        .collect();
    let yard: Vec<usize> = (0..nv)
        .map(|v| depot_of[v].unwrap_or(usize::MAX - v))
        .collect();
    let chosen = district::assign_types(&choices, &counts, &yard);
    for ((s, direction, _), &v) in pending.iter().zip(&chosen) {
        push_tasks(
            &net,
            scenario,
            &by_class,
            *s,
            *direction,
            v,
            &mut tasks_of[v],
        );
    }
    if !adjust.done.is_empty() {
        for tasks in &mut tasks_of {
            tasks.retain(|t| !adjust.done.contains(&(t.segment, t.pass)));
        }
    }

    let mut problems = Vec::new();
    let mut undone = Vec::new();
    for (v, tasks) in tasks_of.into_iter().enumerate() {
        let entry = &scenario.vehicles[v];
        let spec = entry.get_ref();
        let heads: Vec<VehicleStart> = adjust
            .starts
            .as_ref()
            .map(|st| st.get(v).cloned().unwrap_or_default())
            .unwrap_or_default();
        check_material(
            scenario,
            &net,
            v,
            &tasks,
            &heads,
            adjust,
            &refills_of[v],
            &comp_of_type,
            &refill_nodes,
        )?;
        if adjust.starts.is_some() {
            // A re-plan: a type with vehicles out must bring them home even
            // when no work is left for it; a type with none working leaves
            // its work undone (the plan says so).
            if heads.is_empty() {
                if !tasks.is_empty() {
                    undone.push(Undone {
                        vehicle: v,
                        passes: tasks.iter().map(|t| (t.segment, t.pass)).collect(),
                        material: tasks.iter().map(|t| t.material).sum(),
                        km: tasks.iter().map(|t| t.length_m).sum::<f64>() / 1000.0,
                    });
                }
                continue;
            }
        } else if !eligible[v] {
            return Err(scenario.error_at(
                entry.span(),
                format!(
                    "vehicle type `{}`: no street in the area is one it may service",
                    spec.type_name
                ),
            ));
        }
        if tasks.is_empty() && heads.is_empty() {
            // Other types' depots are nearer to every street it may service.
            continue;
        }
        let depot = depot_of[v].ok_or_else(|| {
            scenario.error_at(entry.span(), format!("unknown depot `{}`", spec.depot))
        })?;
        let refills: Vec<(usize, u32)> = refills_of[v]
            .iter()
            .map(|&i| (i, refill_nodes[i]))
            .collect();
        let shared = type_graph(scenario, &net, v, adjust);
        // A fresh plan splits a large type into districts; a re-plan groups
        // its vehicles by their current routes.
        let parts: Vec<Part> = if heads.is_empty() {
            let yards: Vec<u32> = std::iter::once(depot_nodes[depot])
                .chain(refills.iter().map(|r| r.1))
                .collect();
            district::split(
                &district_items(&net, spec, &tasks, &yards),
                spec.count as usize,
                scenario.planning.district_tasks,
            )
            .into_iter()
            .map(|d| Part {
                tasks: d.tasks,
                heads: Vec::new(),
                vehicles: d.vehicles,
            })
            .collect()
        } else {
            route_groups(&net, &tasks, &heads, scenario.planning.district_tasks)
        };
        let n_parts = parts.len();
        for (k, part) in parts.into_iter().enumerate() {
            if part.tasks.is_empty() && part.heads.is_empty() && n_parts > 1 {
                continue;
            }
            let sub: Vec<CityTask> = part.tasks.iter().map(|&i| tasks[i].clone()).collect();
            let sub_heads: Vec<VehicleStart> =
                part.heads.iter().map(|&h| heads[h].clone()).collect();
            problems.push(vehicle_problem(
                scenario,
                &net,
                VehicleInput {
                    v,
                    depot,
                    depot_node: depot_nodes[depot],
                    refills: refills.clone(),
                    tasks: sub,
                    heads: sub_heads,
                    count: part.vehicles,
                    district: (k, n_parts),
                },
                &shared,
                &classes,
                adjust,
            )?);
        }
    }
    let serviced: Vec<u32> = pending.iter().map(|p| p.0).collect();
    let warnings = warnings::scenario_warnings(scenario, &net, &in_area_segs, &serviced);
    Ok(CityProblem {
        network: net,
        problems,
        classes,
        unreachable_segments,
        undone,
        warnings,
    })
}

/// Refuses, before any solving, a vehicle type whose work needs more
/// material than its vehicles carry when it has no refill site it can use:
/// says how much is missing, and why each refill site of the scenario does
/// not count.
#[allow(clippy::too_many_arguments)]
fn check_material(
    scenario: &Scenario,
    net: &Network,
    v: usize,
    tasks: &[CityTask],
    heads: &[VehicleStart],
    adjust: &Adjust,
    usable: &[usize],
    comp_of_type: &[Option<u32>],
    refill_nodes: &[u32],
) -> Result<()> {
    let entry = &scenario.vehicles[v];
    let spec = entry.get_ref();
    let Some(kind) = refill_kind(spec.service) else {
        return Ok(());
    };
    if !usable.is_empty() || tasks.is_empty() {
        return Ok(());
    }
    let need: f64 = tasks.iter().map(|t| t.material).sum();
    let (carried, who) = if adjust.starts.is_some() {
        if heads.is_empty() {
            return Ok(()); // left undone, reported with the plan
        }
        (
            heads
                .iter()
                .map(|h| spec.capacity - h.material_used)
                .sum::<f64>(),
            match heads.len() {
                1 => "its working vehicle has".to_string(),
                n => format!("its {n} working vehicles have"),
            },
        )
    } else {
        (
            spec.count as f64 * spec.capacity,
            match spec.count {
                1 => "its one vehicle carries".to_string(),
                n => format!(
                    "its {n} vehicles carry {} {} each,",
                    fmt_amount(spec.capacity),
                    spec.service.unit()
                ),
            },
        )
    };
    if need <= carried * (1.0 + 1e-9) {
        return Ok(());
    }
    let unit = spec.service.unit();
    let material = spec.service.material();
    let mut why: Vec<String> = Vec::new();
    for (i, r) in scenario.refills.iter().enumerate() {
        let r = r.get_ref();
        if r.kind != kind {
            why.push(format!("`{}` is a {} site", r.id, r.kind.name()));
        } else if Some(net.components.of(refill_nodes[i])) != comp_of_type[v] {
            why.push(format!(
                "`{}` is on roads that cannot be driven to and back from depot `{}`",
                r.id, spec.depot
            ));
        }
    }
    if why.is_empty() {
        why.push("the scenario has no [[refill]] site".into());
    }
    Err(scenario.error_at(
        entry.span(),
        format!(
            "vehicle type `{}`: its {} passes need {} {unit} of {material}; {who} {} {unit} in \
             all, and no {} refill site is usable ({}): {} {unit} cannot be spread. Add a \
             [[refill]] with kind = \"{}\" reachable from depot `{}`, more vehicles, or a larger \
             capacity",
            spec.type_name,
            tasks.len(),
            fmt_amount(need),
            fmt_amount(carried),
            kind.name(),
            why.join("; "),
            fmt_amount(need - carried),
            kind.name(),
            spec.depot
        ),
    ))
}

/// 1234.5 as "1,234.5"; whole numbers without decimals.
fn fmt_amount(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    let whole = r.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if r < 0.0 { "-" } else { "" };
    let frac = ((r - r.trunc()).abs() * 10.0).round() as i64;
    if frac == 0 {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

/// Link points to which each task point's deadhead is exact (see
/// [`LinkGraph::matrix`]); farther ones get a landmark upper bound.
pub const EXACT_NEAREST: usize = 400;

/// Tasks per district a large vehicle type is split into, unless the scenario
/// says otherwise (`[planning] district_tasks`; see [`district`]):
/// a matrix of about `(2 × 1,000)²` costs (16 MB) and a search that converges
/// in tens of seconds.
pub const DISTRICT_TASKS: usize = 1000;
