//! Split: the optimal cutting of a giant tour into routes, choosing every edge's
//! service direction at the same time (the route cost of tasks `i..j` is the
//! direction-optimised [`Seg`] fold, extended one task at a time).
//!
//! With a free fleet it is a Bellman pass over the tour, O(n·B) where B is the
//! number of tasks a route can hold before the load passes 1.5× capacity.
//! With a limited fleet that the free split exceeds, a second pass indexed by
//! the number of routes (O(K·n·B)) keeps within K routes.

use super::data::{Penalty, SolverData};

#[derive(Default)]
pub struct SplitBuffers {
    cost: Vec<i64>,
    pred: Vec<usize>,
    cost_k: Vec<i64>,
    pred_k: Vec<usize>,
}

/// Cuts `tour` into routes; returns the start index of each route in `tour`
/// (in order; the last route ends at `tour.len()`), written to `starts`.
pub fn split(
    data: &SolverData,
    penalty: &Penalty,
    tour: &[u32],
    buf: &mut SplitBuffers,
    starts: &mut Vec<usize>,
) {
    let n = tour.len();
    let oracle = &data.inst.oracle;
    let limit = data.capacity + data.capacity / 2;
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
            seg = seg.concat(&data.task_seg[t as usize], oracle);
            if j > i && seg.load > limit {
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

fn split_limited(
    data: &SolverData,
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
                seg = seg.concat(&data.task_seg[t as usize], oracle);
                // With few routes, loads beyond 1.5 Q may be needed: no cut-off.
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
