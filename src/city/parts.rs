//! How a vehicle type's passes are shared between its instances: the work a
//! pass means (for districts and the depot assignment), district items, and
//! a re-plan's groups of vehicles by their current routes.

use super::*;

/// One problem's share of a vehicle type: task and head indices, vehicles.
pub(super) struct Part {
    pub(super) tasks: Vec<usize>,
    pub(super) heads: Vec<usize>,
    pub(super) vehicles: usize,
}

/// A re-plan's decomposition by the current routes (route-based grouping,
/// as in the large-scale CARP literature): a type with more than
/// `max_tasks` tasks (the scenario's district size) has its vehicles cut
/// into compact groups by the centroid of the work each still has
/// (recursive bisection); a group keeps
/// its vehicles' tasks, and work without a vehicle (a breakdown, a storm
/// upgrade) goes to the group whose centroid is nearest.
pub(super) fn route_groups(
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
pub(super) fn deadhead_mps(spec: &VehicleSpec) -> f64 {
    spec.deadhead_speed_kmh(None, crate::osm::RoadClass::Residential) / 3.6
}

/// Seconds a pass means to a vehicle, for sharing work out: its service
/// time, plus its material's share of a round trip to a yard `yard_m` away
/// (straight line × 1.3 at the deadhead speed).
pub(super) fn pass_work_s(spec: &VehicleSpec, t: &CityTask, yard_m: f64) -> f64 {
    t.length_m / (spec.service_kmh / 3.6)
        + 2.0 * 1.3 * yard_m / deadhead_mps(spec) * (t.material / spec.capacity).min(1.0)
}

/// Place and work of each task (nearest yard by straight line), for
/// [`district::split`].
pub(super) fn district_items(
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
