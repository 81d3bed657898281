//! Capacity cuts for the turn-aware bound: where a part of the district far
//! from every yard holds more material than one load, several trips must
//! drive into it and out of it.
//!
//! Take a set `C` of nodes with no yard (no depot, no refill site of the
//! service) and the passes with both ends in `C`. Every trip starts full or
//! refilled at a yard and ends at one, so a trip that spreads inside `C`
//! drives into `C` and out of it at least once; and a trip spreads at most
//! one load. So at least `⌈material in C / load⌉` traversals enter `C` and as
//! many leave it, in any plan, whatever its order: a rounded capacity
//! inequality on the link flow. The sets tried are the connected parts of
//! "farther than `r` from the nearest yard" for a ladder of distances `r`:
//! nested, so the cuts are few, and they follow the valleys and suburbs where
//! the empty kilometres of a capacitated plan go.
//!
//! The graph is given as plain links, so the salt-spreading bound uses the
//! same cuts on its instances (homes there count as yards).
//!
//! The load of a pass is its share of the vehicle's capacity at the lowest
//! spread rate per capacity of the service's types, so the cut holds
//! whichever type drives it.

use std::collections::BTreeMap;

/// Distances of the ladder: at most this many levels.
const LEVELS: usize = 48;

/// A cut: the links into the set, the links out of it, and the traversals
/// each way must make at least.
pub struct Cut {
    pub into: Vec<usize>,
    pub out_of: Vec<usize>,
    pub need: f64,
}

/// The capacity cuts of passes `(link, loads)` (a pass's material over the
/// capacity) on a graph of `yard.len()` nodes whose links are `(from, to,
/// metres)`, the drivable ones marked, with `yard` marking where trips start
/// full and end (depots, refill sites; homes where vehicles leave full).
/// Only cuts that force two trips or more are returned (one is already
/// forced by the islands and bridges of the flow's other cuts).
pub fn capacity_cuts(
    links: &[(u32, u32, f64)],
    drivable: &[bool],
    passes: &[(u32, f64)],
    yard: &[bool],
) -> Vec<Cut> {
    let n = yard.len();
    let ends_of = |l: u32| (links[l as usize].0, links[l as usize].1);
    let dist = from_yards(links, drivable, yard);
    // The ladder: quantiles of the distances of the passes' ends.
    let mut ends: Vec<f64> = passes
        .iter()
        .flat_map(|&(l, _)| {
            let (u, v) = ends_of(l);
            [dist[u as usize], dist[v as usize]]
        })
        .filter(|d| d.is_finite())
        .collect();
    if ends.is_empty() {
        return Vec::new();
    }
    ends.sort_by(f64::total_cmp);
    let mut levels: Vec<f64> = (0..LEVELS).map(|k| ends[k * ends.len() / LEVELS]).collect();
    levels.dedup();
    let mut cuts: BTreeMap<(u32, usize), Cut> = BTreeMap::new();
    for r in levels {
        let inside = |v: u32| dist[v as usize] > r && dist[v as usize].is_finite();
        let mut uf = petgraph::unionfind::UnionFind::<u32>::new(n);
        for l in (0..drivable.len()).filter(|&l| drivable[l]) {
            let (u, v) = ends_of(l as u32);
            if inside(u) && inside(v) {
                uf.union(u, v);
            }
        }
        let mut load: BTreeMap<u32, f64> = BTreeMap::new();
        for &(l, loads) in passes {
            let (u, v) = ends_of(l);
            if inside(u) && inside(v) {
                *load.entry(uf.find(u)).or_default() += loads;
            }
        }
        let need: BTreeMap<u32, f64> = load
            .into_iter()
            .map(|(root, loads)| (root, (loads - 1e-9).ceil()))
            .filter(|&(_, k)| k >= 2.0)
            .collect();
        if need.is_empty() {
            continue;
        }
        let mut sets: BTreeMap<u32, Cut> = BTreeMap::new();
        let mut size: BTreeMap<u32, (u32, usize)> = BTreeMap::new();
        for v in (0..n as u32).filter(|&v| inside(v)) {
            let root = uf.find(v);
            if need.contains_key(&root) {
                let e = size.entry(root).or_insert((v, 0));
                e.1 += 1;
            }
        }
        for l in (0..drivable.len()).filter(|&l| drivable[l]) {
            let (u, v) = ends_of(l as u32);
            let (iu, iv) = (inside(u), inside(v));
            if iu == iv {
                continue;
            }
            let root = uf.find(if iu { u } else { v });
            let Some(&k) = need.get(&root) else { continue };
            let cut = sets.entry(root).or_insert(Cut {
                into: Vec::new(),
                out_of: Vec::new(),
                need: k,
            });
            if iv {
                cut.into.push(l);
            } else {
                cut.out_of.push(l);
            }
        }
        for (root, cut) in sets {
            // The same part reached at another level: one cut.
            cuts.entry(size[&root]).or_insert(cut);
        }
    }
    cuts.into_values().collect()
}

/// Metres from the nearest yard to each node over the drivable links, either
/// way (infinite where unreached): only the order matters.
fn from_yards(links: &[(u32, u32, f64)], drivable: &[bool], yard: &[bool]) -> Vec<f64> {
    use petgraph::graph::{NodeIndex, UnGraph};
    let n = yard.len();
    // Node n joins the yards at no cost: one search from all of them.
    let mut g = UnGraph::<(), f64>::with_capacity(n + 1, drivable.len() / 2 + n);
    for _ in 0..=n {
        g.add_node(());
    }
    for (&(u, v, m), _) in links.iter().zip(drivable).filter(|(_, &d)| d) {
        g.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), m);
    }
    for v in (0..n).filter(|&v| yard[v]) {
        g.add_edge(NodeIndex::new(n), NodeIndex::new(v), 0.0);
    }
    let reached = petgraph::algo::dijkstra(&g, NodeIndex::new(n), None, |e| *e.weight());
    (0..n)
        .map(|v| {
            reached
                .get(&NodeIndex::new(v))
                .copied()
                .unwrap_or(f64::INFINITY)
        })
        .collect()
}
