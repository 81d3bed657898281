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

use super::district;
use super::turns::{At, LinkGraph, UTurnRule};
use super::{CostOracle, Extensions, Fleet, Instance, InstanceSpec, Refill, Task, TaskKind};
use crate::error::Result;
use crate::network::{link_id, LinkId, Network};
use crate::scenario::{
    Direction, PrioritySpec, RefillKind, Scenario, ServiceKind, UTurns, VehicleSpec,
};
use crate::solver::segment::MAX_HOMES;
use geo::{Contains, Point, Polygon};
use std::sync::Arc;

/// Seconds per cost unit.
pub const TIME_UNIT_S: f64 = 0.1;

/// Snapped places farther than this from any street are "off the map".
const MAX_SNAP_M: f64 = 1000.0;

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
pub struct CityProblem {
    pub network: Network,
    pub problems: Vec<VehicleProblem>,
    /// Priority classes in use, ascending, with their deadline in seconds.
    pub classes: Vec<(u8, f64)>,
    /// Segments in the area left out because they are cut off from the main network.
    pub unreachable_segments: usize,
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

/// The priority class and deadline of a segment.
fn priority_of(ps: &[&PrioritySpec], net: &Network, seg: u32) -> Option<(u8, f64)> {
    let s = &net.segments[seg as usize];
    let w = net.way_of(seg);
    ps.iter()
        .find(|p| {
            (p.bridges && w.bridge)
                || (p.ramps && w.ramp())
                || p.min_grade_pct
                    .is_some_and(|g| s.grade_pct.is_some_and(|x| (x.abs() as f64) >= g))
                || p.road_classes.contains(&w.class)
        })
        .map(|p| (p.class, p.deadline_hours * 3600.0))
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
            .filter(|&v| {
                adjust
                    .starts
                    .as_ref()
                    .is_none_or(|st| st.get(v).is_some_and(|x| !x.is_empty()))
            })
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
    for (v, tasks) in tasks_of.into_iter().enumerate() {
        let entry = &scenario.vehicles[v];
        let spec = entry.get_ref();
        let heads: Vec<VehicleStart> = adjust
            .starts
            .as_ref()
            .map(|st| st.get(v).cloned().unwrap_or_default())
            .unwrap_or_default();
        if adjust.starts.is_some() {
            // A re-plan: a type with vehicles out must bring them home even
            // when no work is left for it.
            if heads.is_empty() {
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
    Ok(CityProblem {
        network: net,
        problems,
        classes,
        unreachable_segments,
    })
}

/// Link points to which each task point's deadhead is exact (see
/// [`LinkGraph::matrix`]); farther ones get a landmark upper bound.
pub const EXACT_NEAREST: usize = 400;

/// Tasks per district a large vehicle type is split into, unless the scenario
/// says otherwise (`[planning] district_tasks`; see [`district`]):
/// a matrix of about `(2 × 1,000)²` costs (16 MB) and a search that converges
/// in tens of seconds.
pub const DISTRICT_TASKS: usize = 1000;

/// One problem's share of a vehicle type: task and head indices, vehicles.
struct Part {
    tasks: Vec<usize>,
    heads: Vec<usize>,
    vehicles: usize,
}

/// A re-plan's decomposition by the current routes (route-based grouping,
/// as in the large-scale CARP literature): a type with more than
/// `max_tasks` tasks (the scenario's district size) has its vehicles cut
/// into compact groups by the centroid of the work each still has
/// (recursive bisection); a group keeps
/// its vehicles' tasks, and work without a vehicle (a breakdown, a storm
/// upgrade) goes to the group whose centroid is nearest.
fn route_groups(
    net: &Network,
    tasks: &[CityTask],
    heads: &[VehicleStart],
    max_tasks: usize,
) -> Vec<Part> {
    let whole = || {
        vec![Part {
            tasks: (0..tasks.len()).collect(),
            heads: (0..heads.len()).collect(),
            vehicles: heads.len(),
        }]
    };
    let k = tasks.len().div_ceil(max_tasks.max(1)).min(heads.len());
    if k <= 1 {
        return whole();
    }
    let planned = planned_by(heads);
    let owner: Vec<usize> = tasks
        .iter()
        .map(|t| {
            planned
                .get(&(t.segment, t.pass))
                .copied()
                .unwrap_or(usize::MAX)
        })
        .collect();
    let lat0 = net.nodes.first().map_or(0.0, |n| n.lat);
    let (kx, ky) = crate::geodesy::metres_per_degree(lat0);
    let xy = |p: [f64; 2]| [p[0] * kx, p[1] * ky];
    let task_xy: Vec<[f64; 2]> = tasks.iter().map(|t| xy(midpoint(net, t.segment))).collect();
    let mut sum = vec![([0.0f64; 2], 0usize); heads.len()];
    for (i, &h) in owner.iter().enumerate() {
        if h != usize::MAX {
            sum[h].0[0] += task_xy[i][0];
            sum[h].0[1] += task_xy[i][1];
            sum[h].1 += 1;
        }
    }
    let items: Vec<district::Item> = heads
        .iter()
        .zip(&sum)
        .map(|(h, &(s, c))| {
            let at = if c > 0 {
                [s[0] / c as f64, s[1] / c as f64]
            } else {
                let node = match h.at {
                    At::Node(n) => n,
                    At::Link(l) => net.link_ends(l).1,
                };
                let n = &net.nodes[node as usize];
                xy([n.lon, n.lat])
            };
            district::Item {
                xy: at,
                work: c.max(1) as f64,
            }
        })
        .collect();
    let groups: Vec<Vec<usize>> = district::partition(&items, k)
        .into_iter()
        .filter(|g| !g.is_empty())
        .collect();
    if groups.len() <= 1 {
        return whole();
    }
    let mut group_of = vec![0usize; heads.len()];
    let centroid: Vec<[f64; 2]> = groups
        .iter()
        .enumerate()
        .map(|(g, members)| {
            let w: f64 = members.iter().map(|&h| items[h].work).sum();
            let mut c = [0.0; 2];
            for &h in members {
                group_of[h] = g;
                c[0] += items[h].xy[0] * items[h].work / w;
                c[1] += items[h].xy[1] * items[h].work / w;
            }
            c
        })
        .collect();
    let mut parts: Vec<Part> = groups
        .iter()
        .map(|members| Part {
            tasks: Vec::new(),
            heads: members.clone(),
            vehicles: members.len(),
        })
        .collect();
    for (i, &h) in owner.iter().enumerate() {
        let g = if h != usize::MAX {
            group_of[h]
        } else {
            let d = |c: &[f64; 2]| (c[0] - task_xy[i][0]).powi(2) + (c[1] - task_xy[i][1]).powi(2);
            (0..centroid.len())
                .min_by(|&a, &b| d(&centroid[a]).total_cmp(&d(&centroid[b])).then(a.cmp(&b)))
                .unwrap_or(0)
        };
        parts[g].tasks.push(i);
    }
    parts
}

/// Deadhead speed (m/s) for straight-line estimates.
fn deadhead_mps(spec: &VehicleSpec) -> f64 {
    spec.deadhead_speed_kmh(None, crate::osm::RoadClass::Residential) / 3.6
}

/// Seconds a pass means to a vehicle, for sharing work out: its service
/// time, plus its material's share of a round trip to a yard `yard_m` away
/// (straight line × 1.3 at the deadhead speed).
fn pass_work_s(spec: &VehicleSpec, t: &CityTask, yard_m: f64) -> f64 {
    t.length_m / (spec.service_kmh / 3.6)
        + 2.0 * 1.3 * yard_m / deadhead_mps(spec) * (t.material / spec.capacity).min(1.0)
}

/// Place and work of each task (nearest yard by straight line), for
/// [`district::split`].
fn district_items(
    net: &Network,
    spec: &VehicleSpec,
    tasks: &[CityTask],
    yards: &[u32],
) -> Vec<district::Item> {
    let lat0 = tasks.first().map_or(0.0, |t| midpoint(net, t.segment)[1]);
    let (kx, ky) = crate::geodesy::metres_per_degree(lat0);
    tasks
        .iter()
        .map(|t| {
            let p = midpoint(net, t.segment);
            let yard_m = yards
                .iter()
                .map(|&n| {
                    let y = &net.nodes[n as usize];
                    crate::geodesy::distance_m([y.lon, y.lat], p)
                })
                .fold(f64::INFINITY, f64::min);
            district::Item {
                xy: [p[0] * kx, p[1] * ky],
                work: pass_work_s(spec, t, yard_m),
            }
        })
        .collect()
}

fn push_tasks(
    net: &Network,
    scenario: &Scenario,
    priorities: &[&PrioritySpec],
    s: u32,
    direction: Direction,
    v: usize,
    out: &mut Vec<CityTask>,
) {
    let seg = &net.segments[s as usize];
    let w = net.way_of(s);
    let spec = scenario.vehicles[v].get_ref();
    let per_m = spec.material_per_m();
    let priority = priority_of(priorities, net, s);
    let task = |links: [LinkId; 2], kind: TaskKind, pass: u8| CityTask {
        segment: s,
        links,
        kind,
        pass,
        length_m: seg.length_m,
        material: seg.length_m * per_m,
        priority: priority.map(|p| p.0),
        deadline_s: priority.map(|p| p.1),
    };
    let (f, b) = (link_id(s, 0), link_id(s, 1));
    let dirs: Vec<LinkId> = [(seg.forward, f), (seg.backward, b)]
        .into_iter()
        .filter(|d| d.0)
        .map(|d| d.1)
        .collect();
    match direction {
        Direction::EachSide => {
            if dirs.len() == 2 {
                out.push(task([f, f], TaskKind::Arc, 0));
                out.push(task([b, b], TaskKind::Arc, 1));
            } else if let Some(&l) = dirs.first() {
                // A one-way street has two curbs too.
                out.push(task([l, l], TaskKind::Arc, 0));
                out.push(task([l, l], TaskKind::Arc, 1));
            }
        }
        Direction::Either => {
            if dirs.len() == 2 {
                out.push(task([f, b], TaskKind::Edge, 0));
            } else if let Some(&l) = dirs.first() {
                out.push(task([l, l], TaskKind::Arc, 0));
            }
        }
        Direction::PerLane => {
            let total = w.lanes.unwrap_or(dirs.len() as u8).max(1);
            let (lf, lb) = match (w.lanes_forward, w.lanes_backward) {
                (Some(a), Some(b)) => (a, b),
                _ if dirs.len() == 2 => (total.div_ceil(2), (total / 2).max(1)),
                _ if seg.forward => (total, 0),
                _ => (0, total),
            };
            let mut pass = 0;
            for (ok, l, lanes) in [(seg.forward, f, lf), (seg.backward, b, lb)] {
                if ok {
                    for _ in 0..lanes.max(1) {
                        out.push(task([l, l], TaskKind::Arc, pass));
                        pass += 1;
                    }
                }
            }
        }
    }
}

fn to_units(seconds: f64) -> i64 {
    (seconds / TIME_UNIT_S).round() as i64
}

/// One vehicle type's part of the build.
struct VehicleInput {
    v: usize,
    depot: usize,
    depot_node: u32,
    refills: Vec<(usize, u32)>,
    tasks: Vec<CityTask>,
    heads: Vec<VehicleStart>,
    /// Vehicles of the type in this problem.
    count: usize,
    /// (index, count) of the type's districts.
    district: (usize, usize),
}

/// A deadhead cost that no solution pays: what a route that does not open
/// with its vehicle's starting state would cost (finite, so that sums of a few
/// stay far from overflow).
const FORBIDDEN: u32 = 3_000_000_000;

/// One vehicle type's drivable links, times and turn rules (shared by its
/// districts).
#[derive(Clone)]
struct TypeGraph {
    graph: Arc<LinkGraph>,
    service_s: Arc<Vec<f64>>,
    deadhead_s: Arc<Vec<Option<f64>>>,
}

fn type_graph(scenario: &Scenario, net: &Network, v: usize, adjust: &Adjust) -> TypeGraph {
    let spec = scenario.vehicles[v].get_ref();
    let links = 2 * net.segments.len();
    let service_s: Vec<f64> = (0..links)
        .map(|l| net.segments[l / 2].length_m / (spec.service_kmh / 3.6))
        .collect();
    let deadhead_s: Vec<Option<f64>> = (0..links as u32)
        .map(|l| {
            let s = &net.segments[(l / 2) as usize];
            let w = net.way_of(l / 2);
            if adjust.closed.contains(&(l / 2)) {
                return None;
            }
            if spec
                .drive_classes
                .as_ref()
                .is_some_and(|c| !c.contains(&w.class))
            {
                return None;
            }
            Some(s.length_m / (spec.deadhead_speed_kmh(w.maxspeed_kmh, w.class) / 3.6))
        })
        .collect();
    let u_turn = match spec.u_turns {
        UTurns::DeadEndsOnly => UTurnRule::Forbidden,
        UTurns::Penalised => {
            UTurnRule::Cost(to_units(spec.u_turn_penalty_s.unwrap_or(60.0)) as u32)
        }
        UTurns::Allowed => UTurnRule::Cost(0),
    };
    let graph = LinkGraph::new(net, u_turn, |l| {
        deadhead_s[l as usize].map(|s| to_units(s).max(1) as u32)
    });

    TypeGraph {
        graph: Arc::new(graph),
        service_s: Arc::new(service_s),
        deadhead_s: Arc::new(deadhead_s),
    }
}

fn vehicle_problem(
    scenario: &Scenario,
    net: &Network,
    input: VehicleInput,
    shared: &TypeGraph,
    classes: &[(u8, f64)],
    adjust: &Adjust,
) -> Result<VehicleProblem> {
    let VehicleInput {
        v,
        depot,
        depot_node,
        refills,
        mut tasks,
        heads,
        count,
        district,
    } = input;
    let spec = scenario.vehicles[v].get_ref();
    let TypeGraph {
        graph,
        service_s,
        deadhead_s,
    } = shared.clone();

    // Points: the depot, the refill sites, then the task links.
    let mut points: Vec<At> = vec![At::Node(depot_node)];
    points.extend(refills.iter().map(|&(_, n)| At::Node(n)));
    let mut point_of_link = std::collections::HashMap::new();
    let mut task_pts = Vec::with_capacity(tasks.len());
    for t in &tasks {
        let mut pair = [(0u32, 0u32); 2];
        for (d, &l) in t.links.iter().enumerate() {
            let p = *point_of_link.entry(l).or_insert_with(|| {
                points.push(At::Link(l));
                (points.len() - 1) as u32
            });
            pair[d] = (p, p);
        }
        task_pts.push(pair);
    }
    // Re-plan: one point per vehicle's starting state (after the task points).
    let first_head_point = points.len();
    for h in &heads {
        points.push(h.at);
    }
    let mut matrix = graph.matrix(net, &points, EXACT_NEAREST);
    // Passes the vehicle cannot reach from its depot and come back from, with
    // its turn rules (a clipped extract's edge, a street behind a restriction):
    // left out, and reported.
    let np = points.len();
    let reach = |a: u32, b: u32| matrix[a as usize * np + b as usize] != u32::MAX;
    let keep: Vec<bool> = task_pts
        .iter()
        .map(|pts: &[(u32, u32); 2]| pts.iter().any(|&(a, b)| reach(0, a) && reach(b, 0)))
        .collect();
    let mut unreachable = Vec::new();
    if keep.iter().any(|k| !k) {
        let mut k = keep.iter();
        task_pts.retain(|_| *k.next().unwrap_or(&true));
        let mut k = keep.iter();
        tasks.retain(|t| {
            let ok = *k.next().unwrap_or(&true);
            if !ok {
                unreachable.push((t.segment, t.pass));
            }
            ok
        });
    }
    if !heads.is_empty() {
        restrict_to_heads(&mut matrix, points.len(), first_head_point);
        if adjust.stability_s > 0.0 {
            let penalty = to_units(adjust.stability_s).max(1) as u32;
            let kept = planned_pairs(scenario, &heads, first_head_point, &refills, &point_of_link);
            add_stability(&mut matrix, points.len(), penalty, &kept);
        }
    }
    for k in 0..heads.len() {
        let p = (first_head_point + k) as u32;
        task_pts.push([(p, p), (p, p)]);
    }
    let point_node: Vec<u32> = points
        .iter()
        .map(|p| match *p {
            At::Node(n) => n,
            At::Link(l) => net.link_ends(l).0,
        })
        .collect();
    let oracle = CostOracle::from_matrix(point_node, task_pts, 0, matrix).map_err(|e| {
        // Name the street rather than the task index.
        let osm = e
            .split_whitespace()
            .nth(1)
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| tasks.get(i))
            .map(|t| net.way_of(t.segment).osm_id);
        scenario.error_at(
            scenario.vehicles[v].span(),
            match osm {
                Some(id) => format!(
                    "vehicle type `{}`: {e} (OSM way {id}) with its drivable roads and turn rules",
                    spec.type_name
                ),
                None => format!("vehicle type `{}`: {e}", spec.type_name),
            },
        )
    })?;
    let class_index = |c: u8| classes.iter().position(|x| x.0 == c).map(|i| i as u8);
    let mut inst_tasks: Vec<Task> = tasks
        .iter()
        .map(|t| {
            let (from, to) = net.link_ends(t.links[0]);
            Task {
                from,
                to,
                kind: t.kind,
                // Thousandths, rounded up (and the capacity down): a load the
                // solver finds within capacity is within it in reality.
                demand: (t.material * 1000.0 - 1e-6).ceil().max(0.0) as i64,
                serve_cost: to_units(service_s[t.links[0] as usize]),
                deadhead_cost: to_units(deadhead_s[t.links[0] as usize].unwrap_or(0.0)),
                class: t.priority.and_then(class_index),
            }
        })
        .collect();
    // Route heads: "serving" one is being where the vehicle is, when it is
    // there, with what it has used (so deadlines, the shift limit and the load
    // count from the shift's start).
    for h in &heads {
        let head_point = first_head_point + inst_tasks.len() - tasks.len();
        let node = oracle.point_node(head_point as u32);
        inst_tasks.push(Task {
            from: node,
            to: node,
            kind: TaskKind::Arc,
            demand: (h.material_used * 1000.0 - 1e-6).ceil().max(0.0) as i64,
            serve_cost: to_units(h.time_s),
            deadhead_cost: 0,
            class: None,
        });
    }
    let spec_inst = InstanceSpec {
        name: if district.1 > 1 {
            format!(
                "{} / {} / district {} of {}",
                scenario.name.clone().unwrap_or_default(),
                spec.type_name,
                district.0 + 1,
                district.1
            )
        } else {
            format!(
                "{} / {}",
                scenario.name.clone().unwrap_or_default(),
                spec.type_name
            )
        },
        num_nodes: net.nodes.len(),
        depot: depot_node,
        capacity: ((spec.capacity * 1000.0 + 1e-6).floor() as i64).max(1),
        fleet: Fleet::Limited(count),
        vehicles_in_file: None,
        route_fixed_cost: 0,
        tasks: inst_tasks,
        links: Vec::new(),
        node_id_base: 0,
    };
    let ext = Extensions {
        refills: refills
            .iter()
            .enumerate()
            .map(|(k, &(i, _))| Refill {
                point: 1 + k as u32,
                cost: to_units(scenario.refills[i].get_ref().minutes * 60.0),
            })
            .collect(),
        max_duration: Some(to_units(scenario.shift_seconds())),
        deadlines: classes.iter().map(|c| to_units(c.1)).collect(),
        lateness_weight: scenario.objective.lateness_weight.round().max(0.0) as i64,
        route_heads: heads.len(),
        perturbed: !heads.is_empty() && adjust.stability_s > 0.0,
        homes: if adjust.stability_s > 0.0 {
            task_homes(&tasks, &heads)
        } else {
            Vec::new()
        },
        move_price: to_units(adjust.stability_s),
    };
    let instance = Instance::with_oracle(spec_inst, oracle, ext)
        .map_err(|e| scenario.error_at(scenario.vehicles[v].span(), e))?;
    Ok(VehicleProblem {
        vehicle: v,
        depot,
        depot_node,
        refills,
        tasks,
        points,
        graph,
        instance,
        service_s,
        deadhead_s,
        heads,
        unreachable,
        district,
    })
}

/// The head that has each pass `(segment, pass)` in its current plan.
fn planned_by(heads: &[VehicleStart]) -> std::collections::HashMap<(u32, u8), usize> {
    let mut by = std::collections::HashMap::new();
    for (k, h) in heads.iter().enumerate() {
        for stop in &h.planned {
            if let PlannedStop::Service { segment, pass, .. } = stop {
                by.entry((*segment, *pass)).or_insert(k);
            }
        }
    }
    by
}

/// The vehicle (head index) each task belongs to in the current plan, heads
/// included (vehicles beyond [`MAX_HOMES`] and new work have none).
fn task_homes(tasks: &[CityTask], heads: &[VehicleStart]) -> Vec<Option<u8>> {
    let planned = planned_by(heads);
    let home = |t: &CityTask| {
        planned
            .get(&(t.segment, t.pass))
            .filter(|&&k| k < MAX_HOMES)
            .map(|&k| k as u8)
    };
    tasks
        .iter()
        .map(home)
        .chain((0..heads.len()).map(|k| (k < MAX_HOMES).then_some(k as u8)))
        .collect()
}

/// Routes must open with a vehicle's starting state: nothing but the depot
/// reaches a head point (at no cost), and the depot reaches nothing else.
fn restrict_to_heads(matrix: &mut [u32], p: usize, first_head: usize) {
    for q in 0..p {
        for h in first_head..p {
            matrix[q * p + h] = if q == 0 { 0 } else { FORBIDDEN };
        }
    }
    for c in &mut matrix[1..first_head] {
        *c = FORBIDDEN;
    }
}

/// Point pairs the current plan drives in a row (head, services, refills,
/// depot).
fn planned_pairs(
    scenario: &Scenario,
    heads: &[VehicleStart],
    first_head: usize,
    refills: &[(usize, u32)],
    point_of_link: &std::collections::HashMap<LinkId, u32>,
) -> std::collections::HashSet<(u32, u32)> {
    let mut kept = std::collections::HashSet::new();
    for (k, h) in heads.iter().enumerate() {
        let mut prev = (first_head + k) as u32;
        for stop in &h.planned {
            let point = match stop {
                PlannedStop::Service { link, .. } => point_of_link.get(link).copied(),
                PlannedStop::Refill(id) => refills
                    .iter()
                    .position(|&(i, _)| &scenario.refills[i].get_ref().id == id)
                    .map(|j| 1 + j as u32),
            };
            // Work that is no longer required is skipped over.
            if let Some(q) = point {
                kept.insert((prev, q));
                prev = q;
            }
        }
        kept.insert((prev, 0));
    }
    kept
}

/// Adds `penalty` to every finite deadhead between distinct points except the
/// pairs in `kept`, and those from the depot (a route's opening is priced by
/// its head): reordering a route costs where it changes the order.
fn add_stability(
    matrix: &mut [u32],
    p: usize,
    penalty: u32,
    kept: &std::collections::HashSet<(u32, u32)>,
) {
    for a in 1..p {
        for b in 0..p {
            let c = &mut matrix[a * p + b];
            if a == b || *c >= FORBIDDEN || kept.contains(&(a as u32, b as u32)) {
                continue;
            }
            *c = c.saturating_add(penalty).min(FORBIDDEN - 1);
        }
    }
}
