//! One vehicle type's (or district's) instance: its link graph with times and
//! turn rules, the turn-aware cost matrix over its points, and the tasks.

use super::*;

pub(super) fn to_units(seconds: f64) -> i64 {
    (seconds / TIME_UNIT_S).round() as i64
}

/// One vehicle type's part of the build.
pub(super) struct VehicleInput {
    pub(super) v: usize,
    pub(super) depot: usize,
    pub(super) depot_node: u32,
    pub(super) refills: Vec<(usize, u32)>,
    pub(super) tasks: Vec<CityTask>,
    pub(super) heads: Vec<VehicleStart>,
    /// Vehicles of the type in this problem.
    pub(super) count: usize,
    /// (index, count) of the type's districts.
    pub(super) district: (usize, usize),
}

pub(super) use crate::instance::oracle::FORBIDDEN;

/// One vehicle type's drivable links, times and turn rules (shared by its
/// districts).
#[derive(Clone)]
pub(super) struct TypeGraph {
    pub(super) graph: Arc<LinkGraph>,
    pub(super) service_s: Arc<Vec<f64>>,
    pub(super) deadhead_s: Arc<Vec<Option<f64>>>,
}

pub(super) fn type_graph(
    scenario: &Scenario,
    net: &Network,
    v: usize,
    adjust: &Adjust,
) -> TypeGraph {
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

pub(super) fn vehicle_problem(
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
    let mut matrix = graph.matrix(&points, EXACT_NEAREST);
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
        first_weight_milli: (scenario.objective.first_weight * 1000.0).round().max(0.0) as i64,
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
