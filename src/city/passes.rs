//! The passes a street needs from a vehicle type: one per curb, lane or
//! street by the service's direction rule, each with its material and its
//! priority class.

use super::*;

/// The priority class and deadline of a segment.
pub(super) fn priority_of(ps: &[&PrioritySpec], net: &Network, seg: u32) -> Option<(u8, f64)> {
    ps.iter()
        .find(|p| matches(p, net, seg))
        .map(|p| (p.class, p.deadline_hours * 3600.0))
}

/// Whether a priority entry's rule (bridge, ramp, |grade| ≥ threshold, road
/// class) holds for a segment.
pub(super) fn matches(p: &PrioritySpec, net: &Network, seg: u32) -> bool {
    let s = &net.segments[seg as usize];
    let w = net.way_of(seg);
    (p.bridges && w.bridge)
        || (p.ramps && w.ramp())
        || p.min_grade_pct
            .is_some_and(|g| s.grade_pct.is_some_and(|x| (x.abs() as f64) >= g))
        || p.road_classes.contains(&w.class)
}

/// The priority class and deadline a segment has in `scenario` (a re-plan
/// restamps work done before a storm upgrade with it).
pub fn segment_priority(scenario: &Scenario, net: &Network, seg: u32) -> Option<(u8, f64)> {
    let mut by_class: Vec<&PrioritySpec> =
        scenario.priorities.iter().map(|p| p.get_ref()).collect();
    by_class.sort_by_key(|p| p.class);
    priority_of(&by_class, net, seg)
}

pub(super) fn push_tasks(
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
