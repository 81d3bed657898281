//! A salt-spreading instance as the solver's [`Instance`], on the same core
//! as the city plans: a turn-aware oracle over directed links (U-turns only
//! at the nodes of `U`), vehicles' homes as route heads, depots as refill
//! sites and route ends.
//!
//! - **Points.** 0 is the route's end (a virtual depot: every route opens at
//!   its vehicle's head and the column of point 0 is the way to the nearest
//!   depot, or nothing with [`EndRule::Anywhere`]); then one refill site per
//!   depot and link into it ("having driven that link into the depot", so a
//!   refill never hides a U-turn at the depot); then each required link; then
//!   one head per vehicle, at its home.
//! - **Units.** Costs are lengths, in the finest of metres, decimetres,
//!   centimetres or millimetres the file needs. The time limit is checked on
//!   length: a route is at most `max_time / r` long, `r` the largest minutes
//!   per metre of any link, so a route within it is within `max_time`
//!   (exact when time is proportional to length, as in Kerteminde; the
//!   checker counts the real times).
//! - **Capacity.** One trip capacity for the fleet: the smallest vehicle's,
//!   and at most the largest refill (a partial refill tops up at least that
//!   much); depots that refill less are route ends only. Conservative when
//!   vehicles differ; [`SaltModel::notes`] says so.

use super::{SaltInstance, Vehicle};
use crate::error::{Error, Result};
use crate::instance::oracle::{restrict_to_heads, FORBIDDEN};
use crate::instance::{
    CostOracle, Extensions, Fleet, Instance, InstanceSpec, Refill, Task, TaskKind,
};
use crate::network::turns::{At, LinkGraph};
use std::path::Path;

/// Where a route ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EndRule {
    /// At a depot (the statement's rule): the last trip ends with a refill.
    Depot,
    /// Right after the last salted road (the statement's practical variant).
    Anywhere,
}

/// The solver's instance and what is needed to turn its solutions back into
/// the format's terms.
pub struct SaltModel {
    pub instance: Instance,
    pub graph: LinkGraph,
    /// `(depot index, link into the depot)` of each refill site
    /// (`Instance::refills[j]`).
    pub sites: Vec<(usize, u32)>,
    /// Number of required items: tasks `0..items` are the items, then one
    /// route head per vehicle.
    pub items: usize,
    pub end: EndRule,
    /// Cost units per metre.
    pub units_per_m: f64,
    /// Approximations made (shown to the user).
    pub notes: Vec<String>,
}

/// The smallest power of ten (up to 1000) that makes every value whole.
fn decimal_scale(values: impl Iterator<Item = f64> + Clone) -> f64 {
    for scale in [1.0, 10.0, 100.0, 1000.0] {
        if values
            .clone()
            .all(|x| ((x * scale) - (x * scale).round()).abs() < 1e-6)
        {
            return scale;
        }
    }
    1000.0
}

/// Builds the solver's instance; `path` names the file in errors.
pub fn build(salt: &SaltInstance, end: EndRule, path: &Path) -> Result<SaltModel> {
    let bad = |m: String| Error::invalid(path, m);
    let mut notes = Vec::new();
    let scale = decimal_scale(salt.links.iter().map(|l| l.len));
    let units = |m: f64| (m * scale).round() as i64;
    let total_len: f64 = salt.links.iter().map(|l| l.len).sum();
    if units(total_len) >= (FORBIDDEN / 2) as i64 {
        return Err(bad(format!(
            "the links add up to {total_len} m: too long for the solver's costs"
        )));
    }
    let ends: Vec<(u32, u32)> = salt.links.iter().map(|l| (l.from, l.to)).collect();
    let time: Vec<Option<u32>> = salt
        .links
        .iter()
        .map(|l| Some(units(l.len) as u32))
        .collect();
    let u_turn = &salt.u_turn;
    let turn_ends = ends.clone();
    let graph = LinkGraph::from_parts(salt.labels.len(), ends, time, Vec::new(), |a, v, b| {
        let (from, to) = turn_ends[a as usize];
        let back = turn_ends[b as usize].1 == from && from != to;
        (!back || u_turn[v as usize]).then_some(0)
    });

    // Capacity per trip, and the depots that refill it.
    let smallest = salt
        .vehicles
        .iter()
        .map(|v| v.capacity)
        .fold(f64::INFINITY, f64::min);
    let largest = salt.vehicles.iter().map(|v| v.capacity).fold(0.0, f64::max);
    let best_refill = salt.depots.iter().map(|d| d.refill).fold(0.0, f64::max);
    let trip_capacity = if best_refill > 0.0 {
        smallest.min(best_refill)
    } else {
        smallest
    };
    if largest > smallest {
        notes.push(format!(
            "vehicles' capacities differ ({smallest} to {largest}): every trip is planned within {smallest}"
        ));
    }
    if best_refill > 0.0 && best_refill < smallest {
        notes.push(format!(
            "refills ({best_refill}) are below the capacity ({smallest}): trips after a refill are planned within {best_refill}"
        ));
    }
    let demand = salt.total_demand();
    let fleet_load: f64 = salt.vehicles.iter().map(|v| v.capacity).sum();
    if best_refill <= 0.0 && demand > fleet_load {
        return Err(bad(format!(
            "the salt to spread ({demand}) is more than the vehicles carry ({fleet_load}) and no depot refills"
        )));
    }
    if let Some(i) = salt.items.iter().find(|i| i.dem > trip_capacity) {
        return Err(bad(format!(
            "{}: demand {} is more than a trip carries ({trip_capacity})",
            i.name, i.dem
        )));
    }
    let dscale = decimal_scale(
        salt.items
            .iter()
            .map(|i| i.dem)
            .chain(std::iter::once(trip_capacity)),
    );
    let capacity = ((trip_capacity * dscale + 1e-6).floor() as i64).max(1);

    // Points.
    let mut points: Vec<At> = vec![At::Node(salt.depots[0].node)];
    let mut sites = Vec::new();
    for (k, d) in salt.depots.iter().enumerate() {
        if best_refill > 0.0 && d.refill >= trip_capacity {
            for (l, link) in salt.links.iter().enumerate() {
                if link.to == d.node {
                    sites.push((k, l as u32));
                    points.push(At::Link(l as u32));
                }
            }
        }
    }
    let mut point_of_link = vec![u32::MAX; salt.links.len()];
    for item in &salt.items {
        for &l in &item.links {
            point_of_link[l as usize] = points.len() as u32;
            points.push(At::Link(l));
        }
    }
    let first_head = points.len();
    points.extend(salt.vehicles.iter().map(|v| At::Node(v.home)));
    let p = points.len();
    let first_depot_col = p;
    points.extend(salt.depots.iter().map(|d| At::Node(d.node)));
    let ext = graph.matrix(&points, usize::MAX);
    let w = points.len();
    let at = |i: usize, j: usize| ext[i * w + j];

    // Every home reaches a depot; every item is reachable from a home and
    // leads on to a route end.
    let to_depot = |i: usize| {
        (0..salt.depots.len())
            .map(|k| at(i, first_depot_col + k))
            .min()
            .unwrap_or(u32::MAX)
    };
    for (k, v) in salt.vehicles.iter().enumerate() {
        if to_depot(first_head + k) == u32::MAX {
            return Err(bad(format!(
                "vehicles[{k}] (id \"{}\"): home \"{}\" cannot reach any depot",
                v.id, salt.labels[v.home as usize]
            )));
        }
    }
    for item in &salt.items {
        let ok = item.links.iter().any(|&l| {
            let q = point_of_link[l as usize] as usize;
            (first_head..p).any(|h| at(h, q) != u32::MAX)
                && (end == EndRule::Anywhere || to_depot(q) != u32::MAX)
        });
        if !ok {
            let link = &salt.links[item.links[0] as usize];
            return Err(bad(format!(
                "{} (\"{}\"-\"{}\"): no vehicle can reach it from its home and go on to a depot \
                 (one-way arcs, and U-turns only at the nodes of `U`)",
                item.name, salt.labels[link.from as usize], salt.labels[link.to as usize]
            )));
        }
    }

    let mut m = vec![u32::MAX; p * p];
    for i in 0..p {
        for j in 0..p {
            m[i * p + j] = at(i, j);
        }
    }
    // Refill sites: arriving means having driven the site's link.
    for (s, &(_, l)) in sites.iter().enumerate() {
        let j = 1 + s;
        for i in 0..p {
            m[i * p + j] = if points[i] == At::Link(l) && i != 0 {
                0
            } else if at(i, j) == u32::MAX {
                u32::MAX
            } else {
                (at(i, j) as u64 + units(salt.links[l as usize].len) as u64)
                    .min(FORBIDDEN as u64 - 1) as u32
            };
        }
    }
    // Route ends.
    for i in 0..p {
        m[i * p] = match end {
            EndRule::Depot => to_depot(i),
            EndRule::Anywhere => 0,
        };
    }
    m[0] = 0;
    restrict_to_heads(&mut m, p, first_head);

    let point_node: Vec<u32> = points[..p]
        .iter()
        .map(|pt| match *pt {
            At::Node(n) => n,
            At::Link(l) => salt.links[l as usize].from,
        })
        .collect();
    let mut task_pts: Vec<[(u32, u32); 2]> = salt
        .items
        .iter()
        .map(|item| {
            let a = point_of_link[item.links[0] as usize];
            let b = item.links.get(1).map_or(a, |&l| point_of_link[l as usize]);
            [(a, a), (b, b)]
        })
        .collect();
    task_pts.extend((first_head..p).map(|h| [(h as u32, h as u32); 2]));
    let oracle = CostOracle::from_matrix(point_node, task_pts, 0, m).map_err(bad)?;

    let mut tasks: Vec<Task> = salt
        .items
        .iter()
        .map(|item| {
            let link = &salt.links[item.links[0] as usize];
            Task {
                from: link.from,
                to: link.to,
                kind: if item.edge {
                    TaskKind::Edge
                } else {
                    TaskKind::Arc
                },
                demand: (item.dem * dscale - 1e-6).ceil().max(0.0) as i64,
                serve_cost: units(link.len),
                deadhead_cost: units(link.len),
                class: None,
            }
        })
        .collect();
    tasks.extend(salt.vehicles.iter().map(|v: &Vehicle| Task {
        from: v.home,
        to: v.home,
        kind: TaskKind::Arc,
        demand: 0,
        serve_cost: 0,
        deadhead_cost: 0,
        class: None,
    }));

    // The time limit, as a length.
    let rate = salt
        .links
        .iter()
        .filter(|l| l.len > 0.0)
        .map(|l| l.time / l.len)
        .fold(0.0, f64::max);
    if salt.links.iter().any(|l| l.len <= 0.0 && l.time > 0.0) {
        notes.push(
            "some links take time but have no length: the solver does not count their time (the check does)"
                .into(),
        );
    }
    let max_duration = (rate > 0.0).then(|| (salt.max_time / rate * scale).floor() as i64);
    if let Some(limit) = max_duration {
        let fastest = salt
            .links
            .iter()
            .filter(|l| l.len > 0.0 && l.time > 0.0)
            .map(|l| l.time / l.len)
            .fold(f64::INFINITY, f64::min);
        if fastest < rate * 0.98 {
            notes.push(format!(
                "times are not proportional to lengths: routes are kept within {:.1} km, which is within {} min at the slowest {:.2} min/km",
                limit as f64 / scale / 1000.0,
                salt.max_time,
                rate * 1000.0
            ));
        }
    }

    let spec = InstanceSpec {
        name: salt.name.clone(),
        num_nodes: salt.labels.len(),
        depot: salt.depots[0].node,
        capacity,
        fleet: Fleet::Limited(salt.vehicles.len()),
        vehicles_in_file: Some(salt.vehicles.len()),
        route_fixed_cost: 0,
        tasks,
        links: Vec::new(),
        node_id_base: 0,
    };
    let extensions = Extensions {
        refills: (0..sites.len())
            .map(|s| Refill {
                point: 1 + s as u32,
                cost: 0,
            })
            .collect(),
        max_duration,
        route_heads: salt.vehicles.len(),
        ..Default::default()
    };
    let instance = Instance::with_oracle(spec, oracle, extensions).map_err(bad)?;
    Ok(SaltModel {
        instance,
        graph,
        sites,
        items: salt.items.len(),
        end,
        units_per_m: scale,
        notes,
    })
}
