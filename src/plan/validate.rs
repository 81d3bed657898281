//! The plan validator: checks a `plan.json` against the scenario and the map,
//! independently of the solver and of the plan builder. It recomputes from the
//! scenario and the network which passes are required, and from lengths and
//! speeds what every leg must take; it checks that every step is a legal
//! direction of a street the vehicle may drive, that consecutive links connect
//! with an allowed turn (turn restrictions, U-turns outside dead ends), that
//! material never goes below zero between refills, that times add up, and the
//! shift limit. Missed deadlines are reported apart: a plan that misses one is
//! still a valid plan, with a violation.

use crate::city::{in_area, refill_kind};
use crate::network::Network;
use crate::plan::shift::{LegKind, Plan};
use crate::scenario::{Direction, Scenario, ServiceKind, UTurns};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Default)]
pub struct Report {
    pub errors: Vec<String>,
    /// Required passes not done because no vehicle of the service can reach
    /// them from its depot and back with its turn rules.
    pub excused: usize,
    /// Vehicles past the shift's end (declared by the plan), by how much.
    pub over_shift: Vec<(String, f64)>,
    /// Service legs finished after their class's deadline: `(class, seconds late)`.
    pub late: Vec<(u8, f64)>,
    pub services_checked: usize,
    /// Required passes a re-plan declares undone (no vehicle that could do
    /// them is working).
    pub undone: usize,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// For a plan arcplan made itself: `Ok` when valid, else the error that
    /// says it is a bug (never the user's input), with the first problem.
    pub fn or_internal_error(&self) -> crate::Result<()> {
        match self.errors.first() {
            None => Ok(()),
            Some(first) => Err(crate::Error::Other(format!(
                "internal error: the plan fails validation ({} problems), first: {first}",
                self.errors.len()
            ))),
        }
    }
}

const TIME_TOL_S: f64 = 1e-3;
const MAT_TOL: f64 = 1e-6;

/// Required passes per `(service, segment, dir)`; `dir = 2` means either direction.
fn required(
    scenario: &Scenario,
    net: &Network,
    kinds: &HashSet<ServiceKind>,
) -> HashMap<(ServiceKind, u32, u8), u32> {
    let mut req = HashMap::new();
    let comps = &net.components;
    for &kind in kinds {
        let Some(policy) = scenario.policy(kind) else {
            continue;
        };
        // Streets are required in the strongly connected components that hold
        // a depot of a vehicle of this service (an island needs its own).
        let served: HashSet<u32> = scenario
            .vehicles
            .iter()
            .map(|v| v.get_ref())
            .filter(|v| v.service == kind)
            .filter_map(|v| scenario.depots.iter().find(|d| d.get_ref().id == v.depot))
            .filter_map(|d| net.snap_yard([d.get_ref().lon, d.get_ref().lat]))
            .map(|sn| comps.of(net.segments[sn.segment as usize].from))
            .collect();
        for (i, s) in net.segments.iter().enumerate() {
            let i = i as u32;
            let w = net.way_of(i);
            if !policy.classes.contains(&w.class) {
                continue;
            }
            let c = net.coords(i);
            let mid = [
                (c[0][0] + c[c.len() - 1][0]) / 2.0,
                (c[0][1] + c[c.len() - 1][1]) / 2.0,
            ];
            if !in_area(scenario, mid)
                || comps.of(s.from) != comps.of(s.to)
                || !served.contains(&comps.of(s.from))
            {
                continue;
            }
            let both = s.forward && s.backward;
            match policy.direction {
                Direction::EachSide => {
                    if both {
                        req.insert((kind, i, 0), 1);
                        req.insert((kind, i, 1), 1);
                    } else {
                        req.insert((kind, i, if s.forward { 0 } else { 1 }), 2);
                    }
                }
                Direction::Either => {
                    if both {
                        req.insert((kind, i, 2), 1);
                    } else {
                        req.insert((kind, i, if s.forward { 0 } else { 1 }), 1);
                    }
                }
                Direction::PerLane => {
                    let total = w.lanes.unwrap_or(if both { 2 } else { 1 }).max(1) as u32;
                    let (f, b) = match (w.lanes_forward, w.lanes_backward) {
                        (Some(a), Some(b)) => (a as u32, b as u32),
                        _ if both => (total.div_ceil(2), (total / 2).max(1)),
                        _ if s.forward => (total, 0),
                        _ => (0, total),
                    };
                    if s.forward {
                        req.insert((kind, i, 0), f.max(1));
                    }
                    if s.backward {
                        req.insert((kind, i, 1), b.max(1));
                    }
                }
            }
        }
    }
    req
}

/// The priority class and deadline a segment must have.
fn priority(scenario: &Scenario, net: &Network, seg: u32) -> Option<(u8, f64)> {
    let s = &net.segments[seg as usize];
    let w = net.way_of(seg);
    scenario
        .priorities
        .iter()
        .map(|p| p.get_ref())
        .filter(|p| {
            (p.bridges && w.bridge)
                || (p.ramps && w.class.is_ramp())
                || p.min_grade_pct
                    .is_some_and(|g| s.grade_pct.is_some_and(|x| x.abs() as f64 >= g))
                || p.road_classes.contains(&w.class)
        })
        .min_by_key(|p| p.class)
        .map(|p| (p.class, p.deadline_hours * 3600.0))
}

pub fn validate(scenario: &Scenario, net: &Network, plan: &Plan) -> Report {
    validate_with(scenario, net, plan, &[])
}

/// The fields of a plan read from disk that cannot be taken as they are: a
/// step on a segment the map does not have, a direction other than 0 or 1,
/// a way id that is not the segment's, a time, distance or amount that is
/// not a finite number. Each error names the vehicle, the leg and the field.
pub fn fields(net: &Network, plan: &Plan) -> Vec<String> {
    let mut errors = Vec::new();
    let number = |errors: &mut Vec<String>, at: &str, field: &str, x: f64| {
        if !x.is_finite() {
            errors.push(format!("{at}: `{field}` is {x}, not a number"));
        }
    };
    number(&mut errors, "plan", "shift_max_s", plan.shift_max_s);
    for v in &plan.vehicles {
        for (f, x) in [
            ("capacity", v.capacity),
            ("start_s", v.start_s),
            ("end_s", v.end_s),
            ("service_km", v.service_km),
            ("deadhead_km", v.deadhead_km),
            ("material_used", v.material_used),
        ] {
            number(&mut errors, &v.id, f, x);
        }
        for leg in &v.legs {
            let at = format!("{} leg {}", v.id, leg.seq);
            for (f, x) in [
                ("start_s", leg.start_s),
                ("end_s", leg.end_s),
                ("distance_m", leg.distance_m),
                ("material_before", leg.material_before),
                ("material_after", leg.material_after),
            ] {
                number(&mut errors, &at, f, x);
            }
            for (i, st) in leg.steps.iter().enumerate() {
                let at = format!("{} leg {} step {i}", v.id, leg.seq);
                if st.segment as usize >= net.segments.len() {
                    errors.push(format!(
                        "{at}: `segment` {} is not on the map (it has segments 0 to {}): \
                         was the plan made on another extract?",
                        st.segment,
                        net.segments.len().saturating_sub(1)
                    ));
                } else if st.dir > 1 {
                    errors.push(format!(
                        "{at}: `dir` {} is neither 0 (along the OSM way) nor 1 (against it)",
                        st.dir
                    ));
                } else if net.way_of(st.segment).osm_id != st.way {
                    errors.push(format!(
                        "{at}: `way` {} is not the OSM way of segment {} (way {}): was the plan \
                         made on another extract?",
                        st.way,
                        st.segment,
                        net.way_of(st.segment).osm_id
                    ));
                }
            }
        }
    }
    errors
}

/// A road closed from a time on (a re-plan's event).
#[derive(Clone, Copy, Debug)]
pub struct Closure {
    pub segment: u32,
    pub from_s: f64,
}

/// [`validate`] with roads closed during the shift: no leg that starts after a
/// closure drives the road, and a closed road's passes not done before are
/// no longer required.
pub fn validate_with(
    scenario: &Scenario,
    net: &Network,
    plan: &Plan,
    closures: &[Closure],
) -> Report {
    // A plan whose fields do not fit the map is not checked further (every
    // later error would follow from the first).
    let mut rep = Report {
        errors: fields(net, plan),
        ..Report::default()
    };
    if !rep.errors.is_empty() {
        return rep;
    }
    let mut err = |m: String| rep.errors.push(m);
    let mut late = Vec::new();
    let mut services = 0;
    let degree = net.degrees();
    let bans = net.turn_bans();
    let kinds: HashSet<ServiceKind> = scenario
        .vehicles
        .iter()
        .map(|v| v.get_ref().service)
        .collect();
    let mut need = required(scenario, net, &kinds);
    let closed_from: HashMap<u32, f64> = closures.iter().map(|c| (c.segment, c.from_s)).collect();
    let mut per_type: HashMap<&str, u32> = HashMap::new();
    // Service legs' (class, end), over all vehicles; the plan's totals.
    let mut finished: Vec<(u8, f64)> = Vec::new();
    let mut totals = Totals::default();
    // Yards snap to a node as the planner's do; an OSM id for messages.
    let node_of =
        |lon: f64, lat: f64| crate::city::snap_node(net, scenario, 0..0, "yard", lon, lat).ok();
    let osm_node = |n: Option<u32>| {
        n.and_then(|n| net.nodes.get(n as usize))
            .map_or_else(|| "?".to_string(), |n| n.osm_id.to_string())
    };
    if (plan.shift_max_s - scenario.shift_seconds()).abs() > TIME_TOL_S {
        err(format!(
            "plan shift {} s differs from the scenario's {} s",
            plan.shift_max_s,
            scenario.shift_seconds()
        ));
    }
    for v in &plan.vehicles {
        let Some(spec) = scenario
            .vehicles
            .iter()
            .map(|x| x.get_ref())
            .find(|x| x.type_name == v.type_name)
        else {
            err(format!("{}: unknown vehicle type `{}`", v.id, v.type_name));
            continue;
        };
        let used = per_type.entry(spec.type_name.as_str()).or_default();
        *used += 1;
        if *used > spec.count {
            err(format!(
                "{}: more `{}` vehicles than the {} of the scenario",
                v.id, spec.type_name, spec.count
            ));
        }
        let refill_ok = refill_kind(spec.service);
        let (mut service_m, mut deadhead_m, mut used_total, mut refills) = (0.0, 0.0, 0.0, 0);
        let mut t = v.start_s;
        let mut material = spec.capacity;
        // Link last driven, None at a yard (depot or refill site: free to turn).
        let mut prev: Option<u32> = None;
        let mut first_tail: Option<u32> = None;
        let mut last_head: Option<u32> = None;
        for leg in &v.legs {
            let at = format!("{} leg {}", v.id, leg.seq);
            if (leg.start_s - t).abs() > TIME_TOL_S {
                err(format!(
                    "{at}: starts at {:.3} s, the previous leg ended at {:.3} s",
                    leg.start_s, t
                ));
            }
            if (leg.material_before - material).abs() > MAT_TOL * spec.capacity.max(1.0) {
                err(format!(
                    "{at}: material before {:.3}, expected {:.3}",
                    leg.material_before, material
                ));
            }
            let mut dur = 0.0;
            let mut dist = 0.0;
            for st in &leg.steps {
                // In range: `fields` refused the plan otherwise.
                let seg = &net.segments[st.segment as usize];
                let w = net.way_of(st.segment);
                if closed_from
                    .get(&st.segment)
                    .is_some_and(|&c| leg.start_s >= c - TIME_TOL_S)
                {
                    err(format!(
                        "{at}: OSM way {} is closed since {:.0} s",
                        w.osm_id, closed_from[&st.segment]
                    ));
                }
                let legal = if st.dir == 0 {
                    seg.forward
                } else {
                    seg.backward
                };
                if !legal {
                    err(format!(
                        "{at}: OSM way {} driven against its one-way direction",
                        w.osm_id
                    ));
                }
                if spec
                    .drive_classes
                    .as_ref()
                    .is_some_and(|c| !c.contains(&w.class))
                {
                    err(format!(
                        "{at}: `{}` may not drive {} (OSM way {})",
                        spec.type_name,
                        w.class.as_str(),
                        w.osm_id
                    ));
                }
                let link = 2 * st.segment + st.dir as u32;
                let (tail, head) = if st.dir == 0 {
                    (seg.from, seg.to)
                } else {
                    (seg.to, seg.from)
                };
                match prev {
                    Some(p) => {
                        let pseg = &net.segments[(p / 2) as usize];
                        let phead = if p % 2 == 0 { pseg.to } else { pseg.from };
                        if phead != tail {
                            err(format!(
                                "{at}: OSM way {} does not start where the previous link ended",
                                w.osm_id
                            ));
                        } else {
                            if link == p ^ 1
                                && degree[tail as usize] > 1
                                && spec.u_turns == UTurns::DeadEndsOnly
                            {
                                err(format!(
                                    "{at}: U-turn on OSM way {} outside a dead end",
                                    w.osm_id
                                ));
                            }
                            let (sa, sb) = (p / 2, st.segment);
                            if bans.banned(sa, tail, sb) {
                                err(format!(
                                    "{at}: turn from OSM way {} into {} is restricted",
                                    net.way_of(sa).osm_id,
                                    w.osm_id
                                ));
                            }
                        }
                    }
                    None => {
                        if let Some(h) = last_head {
                            if h != tail {
                                err(format!(
                                    "{at}: OSM way {} does not start where the vehicle stands",
                                    w.osm_id
                                ));
                            }
                        }
                    }
                }
                first_tail.get_or_insert(tail);
                prev = Some(link);
                last_head = Some(head);
                dist += seg.length_m;
                match leg.kind {
                    LegKind::Service => {
                        dur += seg.length_m / (spec.service_kmh / 3.6);
                    }
                    _ => {
                        dur +=
                            seg.length_m / (spec.deadhead_speed_kmh(w.maxspeed_kmh, w.class) / 3.6);
                    }
                }
            }
            match leg.kind {
                LegKind::Service => {
                    services += 1;
                    if leg.steps.len() != 1 {
                        err(format!("{at}: a service leg must drive exactly one link"));
                    } else {
                        let st = leg.steps[0];
                        let w = net.way_of(st.segment);
                        let covers = scenario
                            .policy(spec.service)
                            .is_some_and(|p| p.classes.contains(&w.class))
                            && spec
                                .service_classes
                                .as_ref()
                                .is_none_or(|c| c.contains(&w.class));
                        if !covers {
                            err(format!(
                                "{at}: `{}` may not service {} (OSM way {})",
                                spec.type_name,
                                w.class.as_str(),
                                w.osm_id
                            ));
                        }
                        let key_dir = (spec.service, st.segment, st.dir);
                        let key_any = (spec.service, st.segment, 2);
                        let slot = if need.contains_key(&key_dir) {
                            key_dir
                        } else {
                            key_any
                        };
                        match need.get_mut(&slot) {
                            Some(n) if *n > 0 => *n -= 1,
                            _ => err(format!("{at}: OSM way {} serviced more often than required (or not required)", w.osm_id)),
                        }
                        let used_m = net.segments[st.segment as usize].length_m
                            * spec.material_per_m_at(leg.start_s);
                        material -= used_m;
                        used_total += used_m;
                        if material < -MAT_TOL * spec.capacity.max(1.0) {
                            err(format!("{at}: material runs out ({:.3} left)", material));
                        }
                        let class = priority(scenario, net, st.segment);
                        if leg.priority != class.map(|c| c.0)
                            || !same_opt(leg.deadline_s, class.map(|c| c.1))
                        {
                            err(format!(
                                "{at}: states priority class {} (deadline {}), the scenario gives \
                                 OSM way {} class {} (deadline {})",
                                opt(leg.priority),
                                opt(leg.deadline_s),
                                w.osm_id,
                                opt(class.map(|c| c.0)),
                                opt(class.map(|c| c.1))
                            ));
                        }
                        if let Some((c, d)) = class {
                            if leg.end_s > d + TIME_TOL_S {
                                late.push((c, leg.end_s - d));
                            }
                            finished.push((c, leg.end_s));
                        }
                    }
                }
                LegKind::Refill => {
                    let site = leg.site.as_deref().unwrap_or("");
                    match scenario
                        .refills
                        .iter()
                        .map(|r| r.get_ref())
                        .find(|r| r.id == site)
                    {
                        Some(r) if Some(r.kind) == refill_ok => {
                            dur = r.minutes * 60.0;
                            material = spec.capacity;
                            refills += 1;
                            let node = node_of(r.lon, r.lat);
                            if last_head.is_some_and(|h| Some(h) != node) {
                                err(format!(
                                    "{at}: refills at `{site}`, but the vehicle stands at node {} \
                                     (OSM {}), not at the site",
                                    last_head.unwrap_or(0),
                                    osm_node(last_head)
                                ));
                            }
                        }
                        _ => err(format!(
                            "{at}: `{site}` is not a refill site for {}",
                            spec.service.name()
                        )),
                    }
                    prev = None;
                }
                LegKind::Deadhead | LegKind::Return => {}
                LegKind::Wait => {
                    if !leg.steps.is_empty() || leg.end_s < leg.start_s {
                        err(format!("{at}: a wait drives nothing and lasts ≥ 0 s"));
                    }
                    dur = leg.end_s - leg.start_s;
                }
            }
            if (leg.end_s - leg.start_s - dur).abs() > TIME_TOL_S + 1e-9 * dur {
                err(format!(
                    "{at}: lasts {:.3} s, its links and speeds give {:.3} s",
                    leg.end_s - leg.start_s,
                    dur
                ));
            }
            match leg.kind {
                LegKind::Service => service_m += dist,
                LegKind::Deadhead | LegKind::Return => deadhead_m += dist,
                _ => {}
            }
            if (leg.distance_m - dist).abs() > 1e-6 * dist.max(1.0) {
                err(format!(
                    "{at}: distance {:.3} m, its links give {:.3} m",
                    leg.distance_m, dist
                ));
            }
            if (leg.material_after - material).abs() > MAT_TOL * spec.capacity.max(1.0) {
                err(format!(
                    "{at}: material after {:.3}, expected {:.3}",
                    leg.material_after, material
                ));
            }
            t = leg.end_s;
        }
        // Each walk starts at the vehicle's depot and, unless it broke down,
        // ends there.
        let depot = scenario
            .depots
            .iter()
            .map(|d| d.get_ref())
            .find(|d| d.id == spec.depot);
        let depot_node = depot.and_then(|d| node_of(d.lon, d.lat));
        if v.depot != spec.depot {
            err(format!(
                "{}: `depot` states `{}`, its type `{}` is based at `{}`",
                v.id, v.depot, spec.type_name, spec.depot
            ));
        }
        if let (Some(dn), Some(t0)) = (depot_node, first_tail) {
            if t0 != dn {
                err(format!(
                    "{}: its walk starts at node {t0} (OSM {}), not at its depot `{}` (OSM {})",
                    v.id,
                    osm_node(Some(t0)),
                    spec.depot,
                    osm_node(Some(dn))
                ));
            }
        }
        if let (Some(dn), Some(h), None) = (depot_node, last_head, v.down_s) {
            if h != dn {
                err(format!(
                    "{}: its walk ends at node {h} (OSM {}), not back at its depot `{}` (OSM {})",
                    v.id,
                    osm_node(Some(h)),
                    spec.depot,
                    osm_node(Some(dn))
                ));
            }
        }
        // The figures the plan states for the vehicle, recomputed.
        let mut figure = |field: &str, stated: f64, actual: f64| {
            if (stated - actual).abs() > 1e-6 * actual.abs().max(1.0) {
                err(format!(
                    "{}: `{field}` states {stated:.6}, its legs give {actual:.6}",
                    v.id
                ));
            }
        };
        figure("capacity", v.capacity, spec.capacity);
        figure("service_km", v.service_km, service_m / 1000.0);
        figure("deadhead_km", v.deadhead_km, deadhead_m / 1000.0);
        figure("material_used", v.material_used, used_total);
        figure("refills", v.refills as f64, refills as f64);
        figure(
            "start_s",
            v.start_s,
            v.legs.first().map_or(v.start_s, |l| l.start_s),
        );
        totals.service_km += service_m / 1000.0;
        totals.deadhead_km += deadhead_m / 1000.0;
        totals.material_used += used_total;
        totals.refills += refills;
        totals.shift_end_s = totals.shift_end_s.max(t);
        totals.total_shift_s += t - v.start_s;
        if t > scenario.shift_seconds() + TIME_TOL_S {
            // Allowed only when the plan says so (no vehicle left to do the
            // work in time): then it is reported, not hidden.
            let declared = plan
                .violations
                .iter()
                .any(|x| x.starts_with(&format!("{} ends at", v.id)));
            if declared {
                rep.over_shift
                    .push((v.id.clone(), t - scenario.shift_seconds()));
            } else {
                err(format!(
                    "{}: ends at {:.0} s, after the {:.0} s shift, and the plan does not report it",
                    v.id,
                    t,
                    scenario.shift_seconds()
                ));
            }
        }
        if (v.end_s - t).abs() > TIME_TOL_S {
            err(format!(
                "{}: end {:.3} s does not match its legs ({:.3} s)",
                v.id, v.end_s, t
            ));
        }
    }
    // Every vehicle of the scenario is in the plan: with a route, or idle.
    let mut ids: HashSet<&str> = plan.vehicles.iter().map(|v| v.id.as_str()).collect();
    for v in &plan.idle {
        if !ids.insert(v.id.as_str()) {
            err(format!("idle {}: the id is listed twice", v.id));
        }
        match scenario
            .vehicles
            .iter()
            .map(|x| x.get_ref())
            .find(|x| x.type_name == v.type_name)
        {
            None => err(format!(
                "idle {}: unknown vehicle type `{}`",
                v.id, v.type_name
            )),
            Some(spec) if spec.depot != v.depot => err(format!(
                "idle {}: depot `{}`, the scenario's `{}` is `{}`",
                v.id, v.depot, spec.type_name, spec.depot
            )),
            Some(_) => *per_type.entry(v.type_name.as_str()).or_default() += 1,
        }
    }
    for spec in scenario.vehicles.iter().map(|x| x.get_ref()) {
        let listed = per_type.get(spec.type_name.as_str()).copied().unwrap_or(0);
        if listed != spec.count {
            err(format!(
                "`{}`: the scenario has {} vehicles, the plan lists {listed} (with a route or \
                 idle)",
                spec.type_name, spec.count
            ));
        }
    }
    // Passes no vehicle of the service can reach from its depot and come back
    // from, with its turn rules, are excused (the planner reports them).
    let mut reach_of: HashMap<usize, Option<Vec<bool>>> = HashMap::new();
    let mut excusable = |kind: ServiceKind, seg: u32, dir: u8| -> bool {
        let links: Vec<u32> = match dir {
            2 => vec![2 * seg, 2 * seg + 1],
            d => vec![2 * seg + d as u32],
        };
        let types: Vec<usize> = (0..scenario.vehicles.len())
            .filter(|&t| scenario.vehicles[t].get_ref().service == kind)
            .collect();
        !types.is_empty()
            && types.iter().all(|&t| {
                let ok = reach_of.entry(t).or_insert_with(|| {
                    reachable_links(scenario, net, t, &degree, &bans, &closed_from)
                });
                ok.as_ref()
                    .is_some_and(|ok| links.iter().all(|&l| !ok[l as usize]))
            })
    };
    // A re-plan may leave work undone when no vehicle that could do it is
    // working, and must say so.
    let declared_undone = plan
        .violations
        .iter()
        .any(|x| x.starts_with("left undone:"));
    let nobody_working = |kind: ServiceKind, seg: u32| {
        let class = net.way_of(seg).class;
        !plan
            .vehicles
            .iter()
            .filter(|v| v.down_s.is_none())
            .filter_map(|v| {
                scenario
                    .vehicles
                    .iter()
                    .map(|x| x.get_ref())
                    .find(|x| x.type_name == v.type_name)
            })
            .any(|spec| {
                spec.service == kind
                    && spec
                        .service_classes
                        .as_ref()
                        .is_none_or(|c| c.contains(&class))
                    && spec
                        .drive_classes
                        .as_ref()
                        .is_none_or(|c| c.contains(&class))
            })
    };
    let mut undone_by_class: HashMap<u8, usize> = HashMap::new();
    let mut missing: Vec<_> = need
        .iter()
        .filter(|(k, &n)| n > 0 && !closed_from.contains_key(&k.1))
        .filter(|(k, n)| {
            let undone =
                plan.vehicles.iter().any(|v| v.down_s.is_some()) && nobody_working(k.0, k.1);
            if undone && declared_undone {
                rep.undone += 1;
                if let Some((c, _)) = priority(scenario, net, k.1) {
                    *undone_by_class.entry(c).or_default() += **n as usize;
                }
            }
            !(undone && declared_undone)
        })
        .filter(|(k, _)| {
            let excused = excusable(k.0, k.1, k.2);
            if excused {
                rep.excused += 1;
            }
            !excused
        })
        .collect();
    missing.sort_by_key(|(k, _)| (k.1, k.2));
    for ((kind, seg, dir), n) in missing.iter().take(20) {
        err(format!(
            "{} of OSM way {} ({}) missing {} time(s)",
            kind.name(),
            net.way_of(*seg).osm_id,
            if *dir == 2 {
                "either direction".to_string()
            } else {
                format!("direction {dir}")
            },
            n
        ));
    }
    if missing.len() > 20 {
        err(format!(
            "… and {} more required passes missing",
            missing.len() - 20
        ));
    }
    check_classes(scenario, plan, &finished, &undone_by_class, &mut rep.errors);
    check_kpis(plan, &totals, &mut rep.errors);
    rep.late = late;
    rep.services_checked = services;
    rep
}

/// Sums over the vehicles, recomputed from their legs.
#[derive(Default)]
struct Totals {
    service_km: f64,
    deadhead_km: f64,
    material_used: f64,
    refills: usize,
    shift_end_s: f64,
    total_shift_s: f64,
}

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or_else(|| "none".to_string(), |x| x.to_string())
}

fn same_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= TIME_TOL_S,
        _ => false,
    }
}

/// The plan's `classes` against the scenario's priority classes and the
/// service legs' finish times.
fn check_classes(
    scenario: &Scenario,
    plan: &Plan,
    finished: &[(u8, f64)],
    undone: &HashMap<u8, usize>,
    errors: &mut Vec<String>,
) {
    let mut classes: Vec<(u8, f64)> = scenario
        .priorities
        .iter()
        .map(|p| (p.get_ref().class, p.get_ref().deadline_hours * 3600.0))
        .collect();
    classes.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    classes.dedup_by_key(|c| c.0);
    for stated in &plan.classes {
        if !classes.iter().any(|c| c.0 == stated.class) {
            errors.push(format!(
                "`classes`: priority class {} is not in the scenario",
                stated.class
            ));
        }
    }
    for &(c, d) in &classes {
        let Some(stated) = plan.classes.iter().find(|x| x.class == c) else {
            errors.push(format!(
                "`classes`: priority class {c} of the scenario is missing"
            ));
            continue;
        };
        let ends: Vec<f64> = finished.iter().filter(|f| f.0 == c).map(|f| f.1).collect();
        let late: Vec<f64> = ends
            .iter()
            .filter(|&&e| e > d + 1e-6)
            .map(|e| e - d)
            .collect();
        let mut field = |name: &str, a: f64, b: f64| {
            if (a - b).abs() > TIME_TOL_S.max(1e-9 * b.abs()) {
                errors.push(format!(
                    "`classes`: priority class {c}: `{name}` states {a:.3}, the legs give {b:.3}"
                ));
            }
        };
        field("deadline_s", stated.deadline_s, d);
        field("tasks", stated.tasks as f64, ends.len() as f64);
        field("late_tasks", stated.late_tasks as f64, late.len() as f64);
        field("lateness_s", stated.lateness_s, late.iter().sum());
        field(
            "undone",
            stated.undone as f64,
            undone.get(&c).copied().unwrap_or(0) as f64,
        );
        let last = ends.iter().cloned().reduce(f64::max);
        if !same_opt(stated.finished_s, last) {
            errors.push(format!(
                "`classes`: priority class {c}: `finished_s` states {}, the legs give {}",
                opt(stated.finished_s),
                opt(last)
            ));
        }
    }
}

/// The plan's `kpis` against the sums of its vehicles' legs.
fn check_kpis(plan: &Plan, t: &Totals, errors: &mut Vec<String>) {
    let k = &plan.kpis;
    let mut field = |name: &str, a: f64, b: f64| {
        if (a - b).abs() > 1e-6 * b.abs().max(1.0) {
            errors.push(format!(
                "`kpis.{name}` states {a:.6}, the vehicles' legs give {b:.6}"
            ));
        }
    };
    field(
        "vehicles_used",
        k.vehicles_used as f64,
        plan.vehicles.len() as f64,
    );
    field("service_km", k.service_km, t.service_km);
    field("deadhead_km", k.deadhead_km, t.deadhead_km);
    let driven = t.service_km + t.deadhead_km;
    field(
        "deadhead_share",
        k.deadhead_share,
        if driven > 0.0 {
            t.deadhead_km / driven
        } else {
            0.0
        },
    );
    field("material_used", k.material_used, t.material_used);
    field("refills", k.refills as f64, t.refills as f64);
    field("shift_end_s", k.shift_end_s, t.shift_end_s);
    field("total_shift_s", k.total_shift_s, t.total_shift_s);
    // The bound is the planner's claim (recomputing it is a solve of its
    // own); the gap stated beside it must follow from it.
    let lb = k.deadhead_km_lower_bound;
    let gap = (lb > 1e-9).then(|| 100.0 * (t.deadhead_km - lb) / lb);
    let gap_ok = match (k.deadhead_gap_pct, gap) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        _ => false,
    };
    if !gap_ok {
        errors.push(format!(
            "`kpis.deadhead_gap_pct` states {}, the deadhead and the bound give {}",
            opt(k.deadhead_gap_pct),
            opt(gap)
        ));
    }
    if lb > t.deadhead_km + 1e-6 {
        errors.push(format!(
            "`kpis.deadhead_km_lower_bound` {lb:.3} km exceeds the plan's deadhead {:.3} km",
            t.deadhead_km
        ));
    }
}

/// Links a vehicle of type `t` can drive on a round trip from its depot, with
/// its turn rules (one-ways, restrictions, U-turns only at dead ends unless
/// allowed) and without closed roads: a search of its own, so that the
/// planner's claim that a pass is unreachable is checked, not trusted.
/// `None` when the depot does not snap.
fn reachable_links(
    scenario: &Scenario,
    net: &Network,
    t: usize,
    degree: &[u32],
    bans: &crate::network::TurnBans,
    closed: &HashMap<u32, f64>,
) -> Option<Vec<bool>> {
    let spec = scenario.vehicles[t].get_ref();
    let d = scenario
        .depots
        .iter()
        .find(|d| d.get_ref().id == spec.depot)?;
    let dv = d.get_ref();
    let depot = crate::city::snap_node(net, scenario, d.span(), "depot", dv.lon, dv.lat).ok()?;
    let links = 2 * net.segments.len();
    let drivable = |l: u32| {
        let s = &net.segments[(l / 2) as usize];
        let legal = if l.is_multiple_of(2) {
            s.forward
        } else {
            s.backward
        };
        let w = net.way_of(l / 2);
        legal
            && !closed.contains_key(&(l / 2))
            && spec
                .drive_classes
                .as_ref()
                .is_none_or(|c| c.contains(&w.class))
    };
    let turn_ok = |a: u32, b: u32| {
        let v = net.link_ends(a).1;
        (b != (a ^ 1) || degree[v as usize] <= 1 || spec.u_turns != UTurns::DeadEndsOnly)
            && !bans.banned(a / 2, v, b / 2)
    };
    let leaving = |v: u32| -> Vec<u32> {
        net.out_links(v)
            .iter()
            .copied()
            .filter(|&l| drivable(l))
            .collect()
    };
    let mut incoming: Vec<Vec<u32>> = vec![Vec::new(); net.nodes.len()];
    for l in 0..links as u32 {
        if drivable(l) {
            incoming[net.link_ends(l).1 as usize].push(l);
        }
    }
    let mut fwd = vec![false; links];
    let mut stack: Vec<u32> = leaving(depot);
    for &l in &stack {
        fwd[l as usize] = true;
    }
    while let Some(a) = stack.pop() {
        for b in leaving(net.link_ends(a).1) {
            if !fwd[b as usize] && turn_ok(a, b) {
                fwd[b as usize] = true;
                stack.push(b);
            }
        }
    }
    // Backwards: links from which the depot is reached.
    let mut back = vec![false; links];
    let mut stack: Vec<u32> = incoming[depot as usize].clone();
    for &l in &stack {
        back[l as usize] = true;
    }
    while let Some(b) = stack.pop() {
        for &a in &incoming[net.link_ends(b).0 as usize] {
            if !back[a as usize] && turn_ok(a, b) {
                back[a as usize] = true;
                stack.push(a);
            }
        }
    }
    Some((0..links).map(|l| fwd[l] && back[l]).collect())
}
