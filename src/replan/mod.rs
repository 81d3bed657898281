//! Re-planning during an event: from the current plan, what is done, and what
//! happened (storm upgrade, vehicle down or added, roads closed, progress), to
//! a new plan that starts every vehicle where it stands.
//!
//! - **Time**: the re-plan happens at the latest event. A vehicle finishes the
//!   leg it is driving then (unless it is down: then only the legs it had
//!   finished when it broke down count), or, with a progress report, has done
//!   exactly the services reported.
//! - **State**: each running vehicle becomes a *route head* of its type's
//!   instance: a pseudo-task at its position, "serviced" at the time it is free
//!   and with the material it has used, which only the depot reaches and only
//!   as a route's first stop (see [`crate::city::Adjust`]). The
//!   solver needs no special case: every route opens with one vehicle's state,
//!   so deadlines, shift length and load count from the shift's start.
//! - **Stability** (on by default): a task served by another vehicle than in
//!   the current plan costs `stability_s`, and so does every deadhead between
//!   two stops that the current plan does not make in a row; so work moves,
//!   or a route is reordered, only when that saves more than it disturbs.
//!   (The solver's fleet segment counts, per route, the tasks whose home is
//!   not the vehicle that opens it, for up to
//!   [`crate::solver::segment::MAX_HOMES`] vehicles per type.) The solver
//!   starts from the current plan, with the orphaned and new work inserted
//!   where it adds the least deadhead (warm start).
//! - With no event at all, the remaining plan is kept as it is.

pub mod changes;
pub mod events;

use crate::city::turns::At;
use crate::city::{self, Adjust, CityProblem, PlannedStop, VehicleStart};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::plan::shift::{History, LegKind, Plan, VehiclePlan};
use crate::plan::validate::Closure;
use crate::scenario::Scenario;
use crate::solver::{RefillStop, Service, Solution};
use events::{EventKind, Events};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Default stability price: two minutes per deadhead the plan did not have.
pub const DEFAULT_STABILITY_S: f64 = 120.0;

/// Everything a re-plan solves and builds from.
pub struct Replan {
    /// The scenario after the events (storm upgrade, vehicles added).
    pub scenario: Scenario,
    pub city: CityProblem,
    /// What each vehicle of the old plan has done (and vehicles down).
    pub history: BTreeMap<String, History>,
    pub closures: Vec<Closure>,
    /// The re-plan's time, seconds from the shift's start.
    pub time_s: f64,
    /// Per problem, the warm start: the current plan as a giant tour.
    pub warm_starts: Vec<Vec<u32>>,
    /// Per problem, the current plan as a solution (kept when nothing happened).
    pub current: Vec<Solution>,
    /// Whether any event changes the problem (otherwise the plan is kept).
    pub changed: bool,
}

/// Applies the events to the scenario and builds the re-plan's problems.
pub fn prepare(
    scenario: &Scenario,
    plan: &Plan,
    events: &Events,
    stability_s: f64,
) -> Result<Replan> {
    let mut scen = scenario.clone();
    apply_to_scenario(&mut scen, events)?;
    let net = city::network(&scen)?;
    let time_s = events.time_s();
    let broken = crate::plan::validate::fields(&net, plan);
    if let Some(first) = broken.first() {
        let more = match broken.len() {
            1 => String::new(),
            n => format!(" ({} more problems)", n - 1),
        };
        let message = format!("the plan being driven does not fit the map: {first}{more}");
        return Err(match &plan.source {
            Some(p) => crate::Error::invalid(p, message),
            None => crate::Error::Other(message),
        });
    }

    let closed = closed_roads(&net, events)?;

    let type_of = |name: &str| {
        scen.vehicles
            .iter()
            .position(|v| v.get_ref().type_name == name)
    };
    let depot_node = |t: usize| -> Result<u32> {
        let spec = scen.vehicles[t].get_ref();
        let d = scen
            .depots
            .iter()
            .find(|d| d.get_ref().id == spec.depot)
            .ok_or_else(|| scen.error(format!("unknown depot `{}`", spec.depot)))?;
        let v = d.get_ref();
        city::snap_node(
            &net,
            &scen,
            d.span(),
            &format!("depot `{}`", v.id),
            v.lon,
            v.lat,
        )
    };

    let mut history: BTreeMap<String, History> = BTreeMap::new();
    let mut starts: Vec<Vec<VehicleStart>> = vec![Vec::new(); scen.vehicles.len()];
    for v in &plan.vehicles {
        let t = type_of(&v.type_name).ok_or_else(|| {
            Error::invalid(
                &events.path,
                format!(
                    "the plan's vehicle `{}` has a type the scenario lacks",
                    v.id
                ),
            )
        })?;
        if v.down_s.is_some() {
            // Down in an earlier re-plan: stays as it is.
            history.insert(
                v.id.clone(),
                History {
                    legs: v.legs.clone(),
                    down_s: v.down_s,
                    vehicle: Some(v.clone()),
                },
            );
            continue;
        }
        let down = events.list.iter().find(|e| {
            e.spec.kind == EventKind::VehicleDown && e.spec.vehicle.as_ref() == Some(&v.id)
        });
        let progress =
            events.list.iter().rev().find(|e| {
                e.spec.kind == EventKind::Progress && e.spec.vehicle.as_ref() == Some(&v.id)
            });
        if let Some(d) = down {
            let legs: Vec<_> = v
                .legs
                .iter()
                .filter(|l| l.end_s <= d.at_s)
                .cloned()
                .collect();
            history.insert(
                v.id.clone(),
                History {
                    legs,
                    down_s: Some(d.at_s),
                    vehicle: Some(v.clone()),
                },
            );
            continue;
        }
        let done = match progress {
            Some(p) => {
                let k = p.spec.services_done.unwrap_or(0);
                let services = v.legs.iter().filter(|l| l.kind == LegKind::Service).count();
                if k > services {
                    return Err(events.error(
                        p.line,
                        format!(
                            "progress of `{}`: {k} services done, but its plan has {services}",
                            v.id
                        ),
                    ));
                }
                let cut = if k == 0 {
                    v.legs
                        .iter()
                        .position(|l| l.kind == LegKind::Service || l.start_s >= p.at_s)
                        .unwrap_or(v.legs.len())
                } else {
                    v.legs
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| l.kind == LegKind::Service)
                        .nth(k - 1)
                        .map_or(v.legs.len(), |(i, _)| i + 1)
                };
                cut
            }
            None => v
                .legs
                .iter()
                .position(|l| l.start_s >= time_s - 1e-9)
                .unwrap_or(v.legs.len()),
        };
        let legs: Vec<_> = v.legs[..done].to_vec();
        let rest = &v.legs[done..];
        let mut at =
            crate::plan::shift::last_position(&net, &legs).unwrap_or(At::Node(depot_node(t)?));
        let last_end = legs.last().map_or(0.0, |l| l.end_s);
        let mut used = v.capacity - legs.last().map_or(v.capacity, |l| l.material_after);
        if let Some(p) = progress {
            if let Some(left) = p.spec.material_left {
                if !(0.0..=v.capacity).contains(&left) {
                    return Err(events.error(
                        p.line,
                        format!(
                            "progress of `{}`: {left} material left, outside 0..{}",
                            v.id, v.capacity
                        ),
                    ));
                }
                used = v.capacity - left;
            }
            if let Some([lon, lat]) = p.spec.position {
                at = snap_link(&net, lon, lat).ok_or_else(|| {
                    events.error(p.line, format!("position {lon}, {lat} is off the map"))
                })?;
            }
        }
        starts[t].push(VehicleStart {
            id: v.id.clone(),
            at,
            time_s: time_s.max(last_end),
            material_used: used.max(0.0),
            planned: planned_stops(rest),
        });
        history.insert(
            v.id.clone(),
            History {
                legs,
                down_s: None,
                vehicle: Some(v.clone()),
            },
        );
    }
    // Vehicles added: at their depot, full, from their event's time.
    let mut added: HashMap<usize, u32> = HashMap::new();
    for e in &events.list {
        if e.spec.kind != EventKind::VehicleAdded {
            continue;
        }
        let name = e.spec.type_name.as_deref().unwrap_or_default();
        let t = type_of(name).ok_or_else(|| events.error(e.line, "unknown type"))?;
        let k = added.entry(t).or_default();
        *k += 1;
        let base = scenario.vehicles[t].get_ref().count;
        starts[t].push(VehicleStart {
            id: format!("{name}#{}", base + *k),
            at: At::Node(depot_node(t)?),
            time_s: e.at_s,
            material_used: 0.0,
            planned: Vec::new(),
        });
    }

    let done: HashSet<(u32, u8)> = history
        .values()
        .flat_map(|h| h.legs.iter())
        .filter(|l| l.kind == LegKind::Service)
        .filter_map(|l| Some((l.steps.first()?.segment, l.pass?)))
        .collect();
    let closures: Vec<Closure> = closed
        .iter()
        .map(|(&segment, &from_s)| Closure { segment, from_s })
        .collect();
    let adjust = Adjust {
        closed: closed.keys().copied().collect(),
        done,
        starts: Some(starts),
        stability_s,
    };
    let city = city::build_on(&scen, net, &adjust)?;
    let (warm_starts, current) = city
        .problems
        .iter()
        .map(|p| current_solution(p, &scen))
        .unzip();
    Ok(Replan {
        scenario: scen,
        city,
        history,
        closures,
        time_s,
        warm_starts,
        current,
        changed: !events.list.is_empty(),
    })
}

/// The scenario and the road closures as the events leave them: what a
/// re-planned plan is validated against.
pub fn effective(
    scenario: &Scenario,
    events: &Events,
    net: &Network,
) -> Result<(Scenario, Vec<Closure>)> {
    let mut scen = scenario.clone();
    apply_to_scenario(&mut scen, events)?;
    let closures = closed_roads(net, events)?
        .into_iter()
        .map(|(segment, from_s)| Closure { segment, from_s })
        .collect();
    Ok((scen, closures))
}

/// Segments closed when the last event is over, with the closing time.
fn closed_roads(net: &Network, events: &Events) -> Result<BTreeMap<u32, f64>> {
    let mut by_way: HashMap<i64, Vec<u32>> = HashMap::new();
    for s in 0..net.segments.len() as u32 {
        by_way.entry(net.way_of(s).osm_id).or_default().push(s);
    }
    let mut closed: BTreeMap<u32, f64> = BTreeMap::new();
    for e in &events.list {
        if !matches!(e.spec.kind, EventKind::RoadClosed | EventKind::RoadReopened) {
            continue;
        }
        for w in &e.spec.ways {
            let segs = by_way.get(w).ok_or_else(|| {
                events.error(e.line, format!("OSM way {w} is not a street of the map"))
            })?;
            for &s in segs {
                if e.spec.kind == EventKind::RoadClosed {
                    closed.insert(s, e.at_s);
                } else {
                    closed.remove(&s);
                }
            }
        }
    }
    Ok(closed)
}

/// Storm upgrades and added vehicles change the scenario itself.
fn apply_to_scenario(scen: &mut Scenario, events: &Events) -> Result<()> {
    for e in &events.list {
        match e.spec.kind {
            EventKind::StormUpgrade => {
                if let Some(g) = e.spec.spread_g_per_m2 {
                    // Passes from the event on use the new rate; the old one
                    // stays on record for what was spread before.
                    for v in scen.vehicles.iter_mut() {
                        let spec = v.get_mut();
                        if spec.service == crate::scenario::ServiceKind::Salting {
                            let old = spec.spread_g_per_m2.unwrap_or(0.0);
                            spec.spread_before.push((e.at_s, old));
                            spec.spread_g_per_m2 = Some(g);
                        }
                    }
                }
                if let Some(ps) = &e.spec.priorities {
                    let span = scen.priorities.first().map(|p| p.span()).unwrap_or(0..0);
                    scen.priorities = ps
                        .iter()
                        .map(|p| toml::Spanned::new(span.clone(), p.clone()))
                        .collect();
                }
                for d in &e.spec.deadlines {
                    let mut found = false;
                    for p in scen.priorities.iter_mut() {
                        if p.get_ref().class == d.class {
                            p.get_mut().deadline_hours = d.deadline_hours;
                            found = true;
                        }
                    }
                    if !found {
                        let mut classes: Vec<u8> =
                            scen.priorities.iter().map(|p| p.get_ref().class).collect();
                        classes.sort_unstable();
                        classes.dedup();
                        let known: Vec<String> = classes.iter().map(|c| c.to_string()).collect();
                        return Err(events.error(
                            e.line,
                            format!(
                                "`deadlines`: the priority table in force has no class {} \
                                 (it has {})",
                                d.class,
                                if known.is_empty() {
                                    "none".to_string()
                                } else {
                                    known.join(", ")
                                }
                            ),
                        ));
                    }
                }
                for (service, classes) in &e.spec.add_service_classes {
                    let policy = scen.services.get_mut(service).ok_or_else(|| {
                        events.error(
                            e.line,
                            format!("the scenario has no `[service.{service}]` to add classes to"),
                        )
                    })?;
                    for c in classes {
                        if !policy.classes.contains(c) {
                            policy.classes.push(*c);
                        }
                    }
                }
            }
            EventKind::VehicleAdded => {
                let name = e.spec.type_name.as_deref().unwrap_or_default();
                if let Some(v) = scen
                    .vehicles
                    .iter_mut()
                    .find(|v| v.get_ref().type_name == name)
                {
                    v.get_mut().count += 1;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A GPS fix on the nearest street, driven in a legal direction.
fn snap_link(net: &Network, lon: f64, lat: f64) -> Option<At> {
    let s = net.snap.snap(net, [lon, lat])?;
    if s.distance_m > 200.0 {
        return None;
    }
    let seg = &net.segments[s.segment as usize];
    let dir = if seg.forward { 0 } else { 1 };
    Some(At::Link(2 * s.segment + dir))
}

fn planned_stops(rest: &[crate::plan::shift::Leg]) -> Vec<PlannedStop> {
    rest.iter()
        .filter_map(|l| match l.kind {
            LegKind::Service => {
                let st = l.steps.first()?;
                Some(PlannedStop::Service {
                    segment: st.segment,
                    pass: l.pass.unwrap_or(0),
                    link: 2 * st.segment + st.dir as u32,
                })
            }
            LegKind::Refill => l.site.clone().map(PlannedStop::Refill),
            _ => None,
        })
        .collect()
}

/// The current plan of one problem as a giant tour (heads with their planned
/// tasks, then the tasks nobody has) and as a solution (each vehicle goes on
/// with its plan; tasks nobody has are left out, so it is only used when
/// nothing happened).
fn current_solution(p: &city::VehicleProblem, scen: &Scenario) -> (Vec<u32>, Solution) {
    let n = p.tasks.len();
    let index: HashMap<(u32, u8), usize> = p
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.segment, t.pass), i))
        .collect();
    let mut used = vec![false; n];
    let mut tour = Vec::with_capacity(n + p.heads.len());
    let mut routes = Vec::new();
    let mut refills = Vec::new();
    for (k, h) in p.heads.iter().enumerate() {
        tour.push((n + k) as u32);
        let mut route = vec![Service {
            task: (n + k) as u32,
            dir: 0,
        }];
        let mut stops = Vec::new();
        for stop in &h.planned {
            match stop {
                PlannedStop::Service {
                    segment,
                    pass,
                    link,
                } => {
                    if let Some(&i) = index.get(&(*segment, *pass)) {
                        if !used[i] {
                            used[i] = true;
                            tour.push(i as u32);
                            let dir =
                                if p.tasks[i].links[1] == *link && p.tasks[i].links[0] != *link {
                                    1
                                } else {
                                    0
                                };
                            route.push(Service {
                                task: i as u32,
                                dir,
                            });
                        }
                    }
                }
                PlannedStop::Refill(id) => {
                    if let Some(site) = p
                        .refills
                        .iter()
                        .position(|&(ri, _)| &scen.refills[ri].get_ref().id == id)
                    {
                        stops.push(RefillStop {
                            before: route.len(),
                            site: site as u32,
                        });
                    }
                }
            }
        }
        routes.push(route);
        refills.push(stops);
    }
    let orphans: Vec<u32> = (0..n as u32).filter(|&i| !used[i as usize]).collect();
    insert_cheapest(p, &mut tour, &orphans);
    (
        tour,
        Solution {
            routes,
            refills,
            cost: 0,
        },
    )
}

/// Inserts each task of `orphans` (work of vehicles down, new work) where it
/// adds the least time to the giant tour (never before the first head),
/// preferring routes that stay within the shift, so that the solver starts
/// from the current routes with the new work already in sensible places.
fn insert_cheapest(p: &city::VehicleProblem, tour: &mut Vec<u32>, orphans: &[u32]) {
    let inst = &p.instance;
    let o = &inst.oracle;
    let first_head = (inst.num_tasks() - inst.route_heads) as u32;
    let ends = |t: u32| {
        [
            o.task_points(t as usize, 0).1,
            o.task_points(t as usize, 1).1,
        ]
    };
    let starts = |t: u32| {
        [
            o.task_points(t as usize, 0).0,
            o.task_points(t as usize, 1).0,
        ]
    };
    let d = |from: [u32; 2], to: [u32; 2]| {
        from.iter()
            .flat_map(|&a| to.iter().map(move |&b| o.dist(a, b)))
            .min()
            .unwrap_or(i64::MAX / 4)
    };
    let depot = [o.depot_point(); 2];
    let limit = inst.max_duration.unwrap_or(i64::MAX / 4);
    // Route of each tour position, and each route's estimated duration.
    let route_of = |tour: &[u32]| -> Vec<usize> {
        let mut r = 0;
        tour.iter()
            .enumerate()
            .map(|(k, &t)| {
                if t >= first_head && k > 0 {
                    r += 1;
                }
                r
            })
            .collect()
    };
    let mut routes = route_of(tour);
    let mut duration = vec![0i64; routes.last().map_or(1, |r| r + 1)];
    for (k, &t) in tour.iter().enumerate() {
        let next = tour
            .get(k + 1)
            .filter(|&&x| x < first_head)
            .map_or(depot, |&x| starts(x));
        duration[routes[k]] += inst.tasks[t as usize].serve_cost + d(ends(t), next);
    }
    for &t in orphans {
        if tour.is_empty() {
            tour.push(t);
            routes.push(0);
            continue;
        }
        // Position k: after tour[k-1] (within its route).
        let serve = inst.tasks[t as usize].serve_cost;
        let mut best = (false, i64::MAX, tour.len());
        for k in 1..=tour.len() {
            let prev = ends(tour[k - 1]);
            let next = tour
                .get(k)
                .filter(|&&x| x < first_head)
                .map_or(depot, |&x| starts(x));
            let added = serve + d(prev, starts(t)) + d(ends(t), next) - d(prev, next);
            let over = duration[routes[k - 1]] + added > limit;
            if (over, added) < (best.0, best.1) {
                best = (over, added, k);
            }
        }
        let k = best.2;
        let r = routes[k - 1];
        duration[r] += best.1;
        tour.insert(k, t);
        routes.insert(k, r);
    }
}

/// The vehicles of a plan by id (for the events' checks).
pub fn vehicle_ids(plan: &Plan) -> Vec<String> {
    plan.vehicles
        .iter()
        .map(|v: &VehiclePlan| v.id.clone())
        .collect()
}
