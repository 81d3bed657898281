//! A city scenario written as a ROAR-NET salt-spreading instance
//! ([`crate::instance::salt_spreading`]), so that other solvers can be run on
//! our cities and the format's path can be tested at city scale.
//!
//! What maps one to one: intersections (labelled by OSM node id, with their
//! position as `[lon, lat]`), drivable directions (`A`, times in minutes at
//! the deadhead speed), passes (`A_R` for a pass in one direction, `E_R` for
//! an `either` pass on a two-way street; time at the service speed, demand in
//! the vehicle's unit), each vehicle with its capacity and its depot as home,
//! refill sites of the service's kind as depots (a full refill), the shift
//! as `max_time`, and the U-turn rule (`U` = dead ends, or every node).
//!
//! The format names an arc by its two end nodes, so streets that would share
//! a pair (two ways between the same intersections, a loop, two passes in one
//! direction such as both curbs of a one-way street) are split at added
//! nodes labelled `<segment>.<copy>.<piece>`: each copy is a parallel road
//! with its own passes, and a U-turn at an added node is never allowed.
//!
//! What the format cannot say is listed in [`SaltExport::notes`]: turn
//! restrictions, U-turn penalties, refill times, priority deadlines, and the
//! service/deadhead time difference on a required road driven empty.

use super::{refill_kind, CityProblem, CityTask};
use crate::error::{Error, Result};
use crate::instance::TaskKind;
use crate::network::{link_id, Network};
use crate::scenario::{Scenario, ServiceKind, UTurns};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The instance, ready to write, and what it could not express.
pub struct SaltExport {
    pub json: String,
    pub nodes: usize,
    pub arcs: usize,
    pub items: usize,
    pub vehicles: usize,
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct File<'a> {
    name: &'a str,
    max_time: f64,
    nodes: Vec<NodeOut>,
    vehicles: Vec<VehicleOut>,
    depots: Vec<DepotOut>,
    #[serde(rename = "A")]
    a: Vec<ArcOut>,
    #[serde(rename = "A_R")]
    a_r: Vec<ReqOut>,
    #[serde(rename = "E_R")]
    e_r: Vec<EdgeOut>,
    #[serde(rename = "U")]
    u: Vec<LabelOut>,
}

#[derive(Serialize)]
struct NodeOut {
    label: String,
    position: [f64; 2],
}

#[derive(Serialize)]
struct VehicleOut {
    id: String,
    capacity: f64,
    home: String,
}

#[derive(Serialize)]
struct DepotOut {
    label: String,
    refill: f64,
}

#[derive(Serialize)]
struct ArcOut {
    arc: [String; 2],
    len: f64,
    time: f64,
}

#[derive(Serialize)]
struct ReqOut {
    arc: [String; 2],
    dem: f64,
    len: f64,
    time: f64,
}

#[derive(Serialize)]
struct EdgeOut {
    edge: [String; 2],
    dem: f64,
    len: f64,
    time: f64,
}

#[derive(Serialize)]
struct LabelOut {
    label: String,
}

/// "1 street", "3 streets".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// Writes the scenario's `kind` work (its vehicles, their passes and refill
/// sites) as a salt-spreading instance.
pub fn salt_spreading(
    scenario: &Scenario,
    problem: &CityProblem,
    kind: ServiceKind,
) -> Result<SaltExport> {
    let net = &problem.network;
    let problems: Vec<_> = problem
        .problems
        .iter()
        .filter(|p| p.spec(scenario).service == kind)
        .collect();
    let Some(first) = problems.first() else {
        return Err(scenario.error(format!(
            "the scenario has no {} vehicle to export",
            kind.name()
        )));
    };
    let mut notes = Vec::new();
    let spec = first.spec(scenario);
    let graph = &first.graph;
    let (service_s, deadhead_s) = (&first.service_s, &first.deadhead_s);
    let types: Vec<usize> = {
        let mut t: Vec<usize> = problems.iter().map(|p| p.vehicle).collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    if types.len() > 1 {
        notes.push(format!(
            "{} vehicle types: the format has one time per arc and one road network for all \
             vehicles, so times and drivable streets are those of `{}`",
            types.len(),
            spec.type_name
        ));
    }

    // Passes, once each (a type's districts and the types share them out).
    let mut seen = HashSet::new();
    let mut tasks: Vec<&CityTask> = problems
        .iter()
        .flat_map(|p| p.tasks.iter())
        .filter(|t| seen.insert((t.segment, t.pass)))
        .collect();
    tasks.sort_by_key(|t| (t.segment, t.pass));
    if tasks.is_empty() {
        return Err(scenario.error(format!(
            "no {} pass in the planning area: nothing to export",
            kind.name()
        )));
    }

    // The nodes the vehicles can reach: their depots' components.
    let comps: HashSet<u32> = problems
        .iter()
        .map(|p| net.components.of(p.depot_node))
        .collect();
    let in_net = |n: u32| comps.contains(&net.components.of(n));

    let mut labels: Vec<Option<String>> = vec![None; net.nodes.len()];
    let mut out_nodes: Vec<NodeOut> = Vec::new();
    let mut used_labels: HashSet<String> = HashSet::new();
    let mut label_of = |n: u32, out_nodes: &mut Vec<NodeOut>| -> String {
        if let Some(l) = &labels[n as usize] {
            return l.clone();
        }
        let node = &net.nodes[n as usize];
        let mut l = node.osm_id.to_string();
        if !used_labels.insert(l.clone()) {
            l = format!("n{n}");
            used_labels.insert(l.clone());
        }
        out_nodes.push(NodeOut {
            label: l.clone(),
            position: [round(node.lon, 7), round(node.lat, 7)],
        });
        labels[n as usize] = Some(l.clone());
        l
    };

    // Passes per segment, each with its copy (the how-many-th pass in its
    // direction, or of its kind for an edge).
    let mut by_segment: HashMap<u32, Vec<(&CityTask, usize)>> = HashMap::new();
    {
        let mut counter: HashMap<(u32, u32), usize> = HashMap::new();
        for t in &tasks {
            let key = match t.kind {
                TaskKind::Edge => (t.segment, u32::MAX),
                TaskKind::Arc => (t.segment, t.links[0]),
            };
            let c = counter.entry(key).or_insert(0);
            by_segment.entry(t.segment).or_default().push((t, *c));
            *c += 1;
        }
    }

    let (mut a, mut a_r, mut e_r) = (Vec::new(), Vec::new(), Vec::new());
    let mut pairs: HashSet<(u32, u32)> = HashSet::new();
    let mut split_segments = 0usize;
    let minutes = |s: f64| round(s / 60.0, 4);
    for s in 0..net.segments.len() as u32 {
        let seg = &net.segments[s as usize];
        let links = [link_id(s, 0), link_id(s, 1)];
        let drivable = links.map(|l| graph.drivable(l) && deadhead_s[l as usize].is_some());
        if !(drivable[0] || drivable[1]) || !in_net(seg.from) || !in_net(seg.to) {
            continue;
        }
        let passes = by_segment.remove(&s).unwrap_or_default();
        let copies = passes.iter().map(|p| p.1 + 1).max().unwrap_or(1);
        let pair = (seg.from.min(seg.to), seg.from.max(seg.to));
        let pieces = if seg.from == seg.to {
            3
        } else if copies > 1 || !pairs.insert(pair) {
            2
        } else {
            1
        };
        if pieces > 1 {
            split_segments += 1;
        }
        let (u, v) = (
            label_of(seg.from, &mut out_nodes),
            label_of(seg.to, &mut out_nodes),
        );
        for c in 0..copies {
            // The copy's node chain from `from` to `to`.
            let mut chain = vec![u.clone()];
            for p in 1..pieces {
                let label = format!("{s}.{c}.{p}");
                out_nodes.push(NodeOut {
                    label: label.clone(),
                    position: along(net, s, p as f64 / pieces as f64),
                });
                chain.push(label);
            }
            chain.push(v.clone());
            let share = 1.0 / pieces as f64;
            let mine: Vec<&CityTask> = passes.iter().filter(|p| p.1 == c).map(|p| p.0).collect();
            let edge = mine.iter().find(|t| t.kind == TaskKind::Edge);
            for (d, &l) in links.iter().enumerate() {
                if !drivable[d] {
                    continue;
                }
                if edge.is_some() {
                    continue; // an edge is drivable both ways; written once below
                }
                let arc_task = mine
                    .iter()
                    .find(|t| t.kind == TaskKind::Arc && t.links[0] == l);
                for k in 0..pieces {
                    let (x, y) = if d == 0 {
                        (chain[k].clone(), chain[k + 1].clone())
                    } else {
                        (chain[pieces - k].clone(), chain[pieces - k - 1].clone())
                    };
                    let len = round(seg.length_m * share, 2);
                    match arc_task {
                        Some(t) => a_r.push(ReqOut {
                            arc: [x, y],
                            dem: round(t.material * share, 4),
                            len,
                            time: minutes(service_s[l as usize] * share),
                        }),
                        None => a.push(ArcOut {
                            arc: [x, y],
                            len,
                            time: minutes(deadhead_s[l as usize].unwrap_or(0.0) * share),
                        }),
                    }
                }
            }
            if let Some(t) = edge {
                if !(drivable[0] && drivable[1]) {
                    notes.push(format!(
                        "segment {s} (OSM way {}): an `either` pass on a street the vehicle may \
                         drive one way only",
                        net.way_of(s).osm_id
                    ));
                }
                for k in 0..pieces {
                    e_r.push(EdgeOut {
                        edge: [chain[k].clone(), chain[k + 1].clone()],
                        dem: round(t.material * share, 4),
                        len: round(seg.length_m * share, 2),
                        time: minutes(service_s[links[0] as usize] * share),
                    });
                }
            }
        }
    }
    if !by_segment.is_empty() {
        notes.push(format!(
            "{} with passes not drivable by `{}` left out",
            counted(by_segment.len(), "street", "streets"),
            spec.type_name
        ));
    }
    if split_segments > 0 {
        notes.push(format!(
            "{} split at added nodes (parallel ways, loops, or several passes in one \
             direction)",
            counted(split_segments, "street", "streets")
        ));
    }

    // Vehicles, homes and refill sites.
    let mut vehicles = Vec::new();
    let mut homes = Vec::new();
    for &t in &types {
        let p = problems.iter().find(|p| p.vehicle == t).expect("type");
        let s = p.spec(scenario);
        let home = label_of(p.depot_node, &mut out_nodes);
        homes.push(home.clone());
        for i in 0..s.count {
            vehicles.push(VehicleOut {
                id: format!("{}#{}", s.type_name, i + 1),
                capacity: s.capacity,
                home: home.clone(),
            });
        }
    }
    let full = vehicles.iter().map(|v| v.capacity).fold(0.0, f64::max);
    let mut depots: Vec<DepotOut> = Vec::new();
    let want = refill_kind(kind);
    for (i, r) in scenario.refills.iter().enumerate() {
        let r = r.get_ref();
        if Some(r.kind) != want {
            continue;
        }
        let node = problems
            .iter()
            .flat_map(|p| p.refills.iter())
            .find(|x| x.0 == i)
            .map(|x| x.1);
        let Some(node) = node else {
            notes.push(format!(
                "refill site `{}` is not reachable from the vehicles' depots: left out",
                r.id
            ));
            continue;
        };
        let label = label_of(node, &mut out_nodes);
        if !depots.iter().any(|d| d.label == label) {
            depots.push(DepotOut {
                label,
                refill: full,
            });
        }
        if r.minutes > 0.0 {
            notes.push(format!(
                "refill site `{}`: its {} min to refill is not in the format",
                r.id, r.minutes
            ));
        }
    }
    if depots.is_empty() {
        // Every trip ends at a depot in the format: the home depots refill.
        notes.push(
            "no refill site of the service's kind: the vehicles' depots are written as depots \
             (every trip in the format ends at one)"
                .into(),
        );
        for h in &homes {
            if !depots.iter().any(|d| &d.label == h) {
                depots.push(DepotOut {
                    label: h.clone(),
                    refill: full,
                });
            }
        }
    }
    // U-turns.
    let degree = net.degrees();
    let mut u = Vec::new();
    for n in 0..net.nodes.len() as u32 {
        let Some(l) = labels[n as usize].clone() else {
            continue;
        };
        let allowed = match spec.u_turns {
            UTurns::DeadEndsOnly => degree[n as usize] <= 1,
            UTurns::Penalised | UTurns::Allowed => true,
        };
        if allowed {
            u.push(LabelOut { label: l });
        }
    }
    if spec.u_turns == UTurns::Penalised {
        notes.push(format!(
            "U-turns are penalised ({} s) in the scenario; the format allows or forbids them, \
             so they are allowed at every intersection",
            spec.u_turn_penalty_s.unwrap_or(60.0)
        ));
    }
    let bans = net
        .restrictions
        .iter()
        .filter(|r| labels[r.via as usize].is_some())
        .count();
    if bans > 0 {
        notes.push(format!(
            "{} left out: the format has no turn rules",
            counted(bans, "turn restriction", "turn restrictions")
        ));
    }

    if !scenario.priorities.is_empty() {
        notes.push(format!(
            "{} (deadlines) not in the format",
            counted(
                scenario.priorities.len(),
                "priority class",
                "priority classes"
            )
        ));
    }

    let file = File {
        name: scenario.name.as_deref().unwrap_or("arcplan scenario"),
        max_time: round(scenario.shift_seconds() / 60.0, 4),
        nodes: out_nodes,
        vehicles,
        depots,
        a,
        a_r,
        e_r,
        u,
    };
    let json = serde_json::to_string(&file).map_err(|e| Error::Other(e.to_string()))?;
    Ok(SaltExport {
        json,
        nodes: file.nodes.len(),
        arcs: file.a.len(),
        items: file.a_r.len() + file.e_r.len(),
        vehicles: file.vehicles.len(),
        notes,
    })
}

/// The point a fraction `f` of the way along segment `s`.
fn along(net: &Network, s: u32, f: f64) -> [f64; 2] {
    use geo::{Haversine, InterpolatableLine};
    let c = net.coords(s);
    net.geometry(s)
        .point_at_ratio_from_start(&Haversine, f)
        .map(|p| [round(p.x(), 7), round(p.y(), 7)])
        .unwrap_or(c[c.len() - 1])
}
