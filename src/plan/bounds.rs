//! A lower bound on the deadhead distance of any plan, to judge a plan's
//! deadhead share against.
//!
//! Relaxation: capacity, shift, depots and turn rules are dropped; only the
//! fact that every vehicle drives closed walks remains, so in the union of all
//! walks every node is balanced. Per vehicle type (its vehicles service only
//! its tasks):
//! - **all tasks one-way passes (arcs)**: at a node where required passes
//!   arrive `b > 0` times more often than they leave, `b` deadhead departures
//!   are needed, and they must end where passes leave more often: a
//!   transportation problem over directed shortest paths, solved exactly as an
//!   assignment (Kuhn–Munkres) of the unit imbalances;
//! - **otherwise** (passes in either direction): with directions ignored, the
//!   deadhead must make every node of odd required degree even: a T-join, at
//!   least half the least-cost assignment between odd nodes (a perfect
//!   matching is half of some assignment).
//!
//! Above [`EXACT_MAX`] units the assignment is replaced by its weaker bound:
//! every unit travels at least to its nearest counterpart.

use crate::instance::city::VehicleProblem;
use crate::network::Network;
use pathfinding::kuhn_munkres::kuhn_munkres_min;
use pathfinding::matrix::Matrix;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Largest assignment solved exactly (O(n³)).
const EXACT_MAX: usize = 1200;

/// Adjacency `(neighbour, metres)` per node: legal directions only, or every
/// segment both ways.
fn adjacency(net: &Network, directed: bool) -> Vec<Vec<(u32, f64)>> {
    let mut adj = vec![Vec::new(); net.nodes.len()];
    for s in &net.segments {
        if s.forward || !directed {
            adj[s.from as usize].push((s.to, s.length_m));
        }
        if s.backward || !directed {
            adj[s.to as usize].push((s.from, s.length_m));
        }
    }
    adj
}

/// Node distances (metres) from `source`.
fn distances(adj: &[Vec<(u32, f64)>], source: u32) -> Vec<f64> {
    let mut dist = vec![f64::INFINITY; adj.len()];
    let mut heap = BinaryHeap::new();
    dist[source as usize] = 0.0;
    heap.push(Reverse((0u64, source)));
    while let Some(Reverse((_, v))) = heap.pop() {
        let d = dist[v as usize];
        for &(w, len) in &adj[v as usize] {
            let nd = d + len;
            if nd < dist[w as usize] {
                dist[w as usize] = nd;
                heap.push(Reverse(((nd * 1000.0) as u64, w)));
            }
        }
    }
    dist
}

/// Least total cost of pairing each `from` unit with a distinct `to` unit.
fn assignment(cost: &[Vec<f64>]) -> f64 {
    let n = cost.len();
    if n == 0 {
        return 0.0;
    }
    // Integer metres for the Hungarian algorithm; unreachable pairs very dear.
    let big = 1_000_000_000i64;
    let flat: Vec<i64> = cost
        .iter()
        .flat_map(|r| {
            r.iter()
                .map(|&c| if c.is_finite() { c.round() as i64 } else { big })
        })
        .collect();
    match Matrix::from_vec(n, n, flat) {
        Ok(m) => {
            let (total, _) = kuhn_munkres_min(&m);
            total.min(big) as f64
        }
        Err(_) => 0.0,
    }
}

/// Lower bound (km) on the deadhead of one vehicle type's tasks.
fn bound_km(net: &Network, adj: &[Vec<Vec<(u32, f64)>>; 2], p: &VehicleProblem) -> f64 {
    if p.tasks.is_empty() {
        return 0.0;
    }
    let all_arcs = p
        .tasks
        .iter()
        .all(|t| t.kind == crate::instance::TaskKind::Arc);
    let metres = if all_arcs {
        // b(v) = required arrivals - required departures.
        let mut b: HashMap<u32, i64> = HashMap::new();
        for t in &p.tasks {
            let (u, v) = net.link_ends(t.links[0]);
            *b.entry(v).or_default() += 1;
            *b.entry(u).or_default() -= 1;
        }
        let mut sources: Vec<(u32, i64)> = b
            .iter()
            .filter(|x| *x.1 > 0)
            .map(|(&v, &k)| (v, k))
            .collect();
        let mut sinks: Vec<(u32, i64)> = b
            .iter()
            .filter(|x| *x.1 < 0)
            .map(|(&v, &k)| (v, -k))
            .collect();
        sources.sort_unstable();
        sinks.sort_unstable();
        let units: usize = sources.iter().map(|s| s.1 as usize).sum();
        let rows: Vec<Vec<f64>> = sources
            .par_iter()
            .map(|&(s, _)| {
                let d = distances(&adj[0], s);
                sinks.iter().map(|&(t, _)| d[t as usize]).collect()
            })
            .collect();
        if units <= EXACT_MAX {
            let sink_units: Vec<usize> = sinks
                .iter()
                .enumerate()
                .flat_map(|(j, &(_, k))| std::iter::repeat_n(j, k as usize))
                .collect();
            let cost: Vec<Vec<f64>> = sources
                .iter()
                .zip(&rows)
                .flat_map(|(&(_, k), row)| {
                    std::iter::repeat_n(
                        sink_units.iter().map(|&j| row[j]).collect::<Vec<_>>(),
                        k as usize,
                    )
                })
                .collect();
            assignment(&cost)
        } else {
            sources
                .iter()
                .zip(&rows)
                .map(|(&(_, k), row)| {
                    k as f64 * row.iter().cloned().fold(f64::INFINITY, f64::min).min(1e9)
                })
                .sum()
        }
    } else {
        let mut degree: HashMap<u32, u32> = HashMap::new();
        for t in &p.tasks {
            let (u, v) = net.link_ends(t.links[0]);
            *degree.entry(u).or_default() += 1;
            *degree.entry(v).or_default() += 1;
        }
        let mut odd: Vec<u32> = degree
            .iter()
            .filter(|x| x.1 % 2 == 1)
            .map(|x| *x.0)
            .collect();
        odd.sort_unstable();
        let rows: Vec<Vec<f64>> = odd
            .par_iter()
            .map(|&s| {
                let d = distances(&adj[1], s);
                odd.iter()
                    .map(|&t| if t == s { f64::INFINITY } else { d[t as usize] })
                    .collect()
            })
            .collect();
        if odd.len() <= EXACT_MAX {
            assignment(&rows) / 2.0
        } else {
            rows.iter()
                .map(|r| r.iter().cloned().fold(f64::INFINITY, f64::min).min(1e9))
                .sum::<f64>()
                / 2.0
        }
    };
    metres / 1000.0
}

/// The bound over all vehicle types (km).
pub fn deadhead_lower_bound_km(net: &Network, problems: &[VehicleProblem]) -> f64 {
    let adj = [adjacency(net, true), adjacency(net, false)];
    problems.iter().map(|p| bound_km(net, &adj, p)).sum()
}
