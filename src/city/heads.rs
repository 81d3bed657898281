//! A re-plan in the instance: vehicles' starting states as route heads, the
//! current plan's owner of each pass, and the stability price on deadheads
//! the current plan does not drive.

use super::*;

/// The head that has each pass `(segment, pass)` in its current plan.
pub(super) fn planned_by(heads: &[VehicleStart]) -> std::collections::HashMap<(u32, u8), usize> {
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
pub(super) fn task_homes(tasks: &[CityTask], heads: &[VehicleStart]) -> Vec<Option<u8>> {
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

pub(super) use crate::instance::oracle::restrict_to_heads;

/// Point pairs the current plan drives in a row (head, services, refills,
/// depot).
pub(super) fn planned_pairs(
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
pub(super) fn add_stability(
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
