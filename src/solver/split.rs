//! Split: the optimal cutting of a giant tour into routes, choosing every edge's
//! service direction at the same time (the route cost of tasks `i..j` is the
//! direction-optimised [`Segment`] fold, extended one task at a time).
//!
//! With a free fleet it is a Bellman pass over the tour, O(n·B) where B is the
//! number of tasks a route can hold before the load passes 1.5× capacity.
//! With a limited fleet that the free split exceeds, a second pass indexed by
//! the number of routes (O(K·n·B)) keeps within K routes.

use super::data::{Penalty, SolverData};
use super::segment::Segment;

/// Appends task `t` to the route prefix `seg`, with a refill before it when the
/// current trip would overfill; returns the pair used, if any.
#[inline]
fn extend<S: Segment>(data: &SolverData<S>, seg: &mut S, t: u32) -> Option<usize> {
    let oracle = &data.inst.oracle;
    let task = &data.task_seg[t as usize];
    if !S::FLEET || data.refill_pairs == 0 {
        *seg = seg.concat(task, oracle);
        return None;
    }
    let mut used = None;
    if !seg.is_empty() && seg.trip_load() + task.load() > data.capacity {
        let n = data.tasks;
        let mut best: Option<(i64, S, usize)> = None;
        for g in 0..data.refill_pairs {
            let s = seg.concat(&data.task_seg[n + g], oracle);
            let c = s.concat(task, oracle).best();
            if best.as_ref().is_none_or(|b| c < b.0) {
                best = Some((c, s, g));
            }
        }
        if let Some((_, s, g)) = best {
            *seg = s;
            used = Some(g);
        }
    }
    *seg = seg.concat(task, oracle);
    used
}

/// Gives each refill a distinct element id while routes are materialised.
pub struct Refiller {
    next: Vec<usize>,
}

impl Refiller {
    pub fn new<S: Segment>(data: &SolverData<S>) -> Refiller {
        Refiller {
            next: vec![0; data.refill_pairs],
        }
    }

    /// The elements of a route serving `tasks` in order, refills included.
    pub fn route<S: Segment>(&mut self, data: &SolverData<S>, tasks: &[u32], out: &mut Vec<u32>) {
        out.clear();
        let mut seg = data.depot_seg;
        let pool = data.num_elements() - data.tasks;
        for &t in tasks {
            if let Some(g) = extend(data, &mut seg, t) {
                let id = data.tasks + g + self.next[g] * data.refill_pairs;
                if id - data.tasks < pool {
                    out.push(id as u32);
                    self.next[g] += 1;
                }
            }
            out.push(t);
        }
    }
}

/// Whether a route prefix is too long to extend further in Split.
#[inline]
fn too_long<S: Segment>(data: &SolverData<S>, seg: &S, factor_half: i64) -> bool {
    match data.max_duration {
        Some(h) if data.refill_pairs > 0 || seg.load() <= data.capacity => {
            seg.best() > h * factor_half / 2
        }
        _ => data.refill_pairs == 0 && seg.load() > data.capacity * factor_half / 2,
    }
}

#[derive(Default)]
pub struct SplitBuffers {
    cost: Vec<i64>,
    pred: Vec<usize>,
    cost_k: Vec<i64>,
    pred_k: Vec<usize>,
}

/// Cuts `tour` into routes; returns the start index of each route in `tour`
/// (in order; the last route ends at `tour.len()`), written to `starts`.
pub fn split<S: Segment>(
    data: &SolverData<S>,
    penalty: &Penalty,
    tour: &[u32],
    buf: &mut SplitBuffers,
    starts: &mut Vec<usize>,
) {
    let n = tour.len();
    let oracle = &data.inst.oracle;
    buf.cost.clear();
    buf.cost.resize(n + 1, i64::MAX);
    buf.pred.clear();
    buf.pred.resize(n + 1, 0);
    buf.cost[0] = 0;
    for i in 0..n {
        let base = buf.cost[i];
        if base == i64::MAX {
            continue;
        }
        let mut seg = data.depot_seg;
        for (j, &t) in tour.iter().enumerate().skip(i) {
            extend(data, &mut seg, t);
            if j > i && too_long(data, &seg, 3) {
                break;
            }
            let full = seg.concat(&data.depot_seg, oracle);
            let c = base + penalty.route(&full, data);
            if c < buf.cost[j + 1] {
                buf.cost[j + 1] = c;
                buf.pred[j + 1] = i;
            }
        }
    }
    starts.clear();
    let mut j = n;
    while j > 0 {
        j = buf.pred[j];
        starts.push(j);
    }
    starts.reverse();
    if data.fleet_unlimited() || starts.len() <= data.max_routes {
        return;
    }
    split_limited(data, penalty, tour, buf, starts);
}

fn split_limited<S: Segment>(
    data: &SolverData<S>,
    penalty: &Penalty,
    tour: &[u32],
    buf: &mut SplitBuffers,
    starts: &mut Vec<usize>,
) {
    let n = tour.len();
    let k_max = data.max_routes;
    let oracle = &data.inst.oracle;
    let w = n + 1;
    buf.cost_k.clear();
    buf.cost_k.resize((k_max + 1) * w, i64::MAX);
    buf.pred_k.clear();
    buf.pred_k.resize((k_max + 1) * w, 0);
    buf.cost_k[0] = 0;
    for k in 0..k_max {
        for i in k..n {
            let base = buf.cost_k[k * w + i];
            if base == i64::MAX {
                continue;
            }
            let mut seg = data.depot_seg;
            for (j, &t) in tour.iter().enumerate().skip(i) {
                extend(data, &mut seg, t);
                // With few routes, loads beyond 1.5 Q may be needed: no cut-off
                // on load, only beyond twice the shift.
                if j > i && data.max_duration.is_some_and(|h| seg.best() > 2 * h) {
                    break;
                }
                let full = seg.concat(&data.depot_seg, oracle);
                let c = base + penalty.route(&full, data);
                let slot = (k + 1) * w + j + 1;
                if c < buf.cost_k[slot] {
                    buf.cost_k[slot] = c;
                    buf.pred_k[slot] = i;
                }
            }
        }
    }
    let best_k = (1..=k_max)
        .min_by_key(|&k| buf.cost_k[k * w + n])
        .unwrap_or(1);
    starts.clear();
    let mut j = n;
    let mut k = best_k;
    while k > 0 {
        j = buf.pred_k[k * w + j];
        starts.push(j);
        k -= 1;
    }
    starts.reverse();
}
