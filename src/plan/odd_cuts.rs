//! Odd-set cuts: parity beyond single nodes, for the flow bounds' linear
//! relaxations.
//!
//! A walk crosses the boundary of a node set `S` an even number of times
//! unless it starts or ends in `S`. So where the required items across the
//! boundary number `r`, odd, the traversals across it plus the walks' ends
//! inside `S` are at least `r + 1`. Every required item is driven at least
//! once, so in terms of the *slack* of a street (its traversals less its
//! required items) the cut reads: the boundary's slack plus the ends inside
//! `S` is at least 1. The sets it applies to are those holding an odd number
//! of the nodes where the required items meet oddly (`T`).
//!
//! The most violated such cut is found exactly (Padberg and Rao, 1982): it is
//! a fundamental cut of a Gomory–Hu tree of the slack graph, here with one
//! extra node joined to every node by the ends there. The tree is built by
//! Gusfield's algorithm, each minimum cut by petgraph's Dinic max flow. Every
//! tree edge lighter than 1 whose side holds an odd number of `T` nodes gives
//! a candidate set; the caller checks each against the LP's values.

use microlp::{ComparisonOp, Solution, SolutionStatus, Variable};
use petgraph::algo::dinics;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::BTreeMap;
use std::time::Instant;

/// A violated odd-set cut: the nodes of the set, the links across its
/// boundary, and how many traversals across it (plus the walks' ends inside,
/// where the model has them) it needs.
pub struct OddSet {
    pub nodes: Vec<u32>,
    pub across: Vec<usize>,
    pub need: f64,
}

/// Parity at single nodes, the cuts a model starts with: each node the
/// required passes meet an odd number of times (`m`, loops not counted),
/// the links at it (in link order, loops left out) and the count they must
/// reach, `m + 1` (less the walks' ends there, which the caller adds).
/// `link_ends` and `required` as in [`separate`]; `n` nodes.
pub fn single_nodes(
    n: usize,
    link_ends: &[(u32, u32)],
    required: &[u32],
) -> Vec<(usize, Vec<usize>, f64)> {
    let mut meets = vec![0u32; n];
    for &l in required {
        let (u, v) = link_ends[l as usize];
        if u != v {
            meets[u as usize] += 1;
            meets[v as usize] += 1;
        }
    }
    let mut incident: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (l, &(u, v)) in link_ends.iter().enumerate() {
        if u != v {
            for w in [u, v] {
                if meets[w as usize] % 2 == 1 {
                    incident[w as usize].push(l);
                }
            }
        }
    }
    incident
        .into_iter()
        .zip(meets)
        .enumerate()
        .filter(|(_, (_, m))| m % 2 == 1)
        .map(|(v, (links, m))| (v, links, f64::from(m) + 1.0))
        .collect()
}

/// The odd-set cuts a flow violates: `link_ends[l]` are the nodes of link
/// `l`, `x[l]` its traversals, `required` the link of each required pass
/// (one entry per pass), `ends[v]` the walks' starts and ends at node `v`
/// (all zero for closed walks).
pub fn separate(
    link_ends: &[(u32, u32)],
    x: &[f64],
    required: &[u32],
    ends: &[f64],
) -> Vec<OddSet> {
    let n = ends.len();
    let mut odd = vec![false; n];
    let mut streets: Vec<(u32, u32, f64)> = Vec::with_capacity(x.len() + required.len());
    for &l in required {
        let (u, v) = link_ends[l as usize];
        if u != v {
            odd[u as usize] ^= true;
            odd[v as usize] ^= true;
            streets.push((u, v, -1.0));
        }
    }
    streets.extend(link_ends.iter().zip(x).map(|(&(u, v), &x)| (u, v, x)));
    let mut cuts = Vec::new();
    for nodes in violated(n, &streets, ends, &odd) {
        let mut inside = vec![false; n];
        for &v in &nodes {
            inside[v as usize] = true;
        }
        let crosses = |l: usize| {
            let (u, v) = link_ends[l];
            inside[u as usize] != inside[v as usize]
        };
        let across: Vec<usize> = (0..link_ends.len()).filter(|&l| crosses(l)).collect();
        let passes = required.iter().filter(|&&l| crosses(l as usize)).count();
        let lhs: f64 = across.iter().map(|&l| x[l]).sum::<f64>()
            + nodes.iter().map(|&v| ends[v as usize]).sum::<f64>();
        let need = passes as f64 + 1.0;
        if passes % 2 == 1 && lhs < need - 1e-6 {
            cuts.push(OddSet {
                nodes,
                across,
                need,
            });
        }
    }
    cuts
}

/// Round after round, adds to `solution` the rows `separate` finds (terms
/// and the count they must reach, each with a tag), while it finds some, at
/// most `rounds` times and not past `deadline`. A round the LP fails to
/// re-solve to optimality is undone and ends the loop. Returns the last
/// optimal solution and the tags of the rows it holds.
pub fn tighten<T>(
    mut solution: Solution,
    rounds: usize,
    deadline: Option<Instant>,
    mut separate: impl FnMut(&Solution) -> Vec<(Vec<(Variable, f64)>, f64, T)>,
) -> (Solution, Vec<T>) {
    let mut kept = Vec::new();
    for _ in 0..rounds {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let rows = separate(&solution);
        if rows.is_empty() {
            break;
        }
        let before = solution.clone();
        let mut tags = Vec::with_capacity(rows.len());
        for (terms, need, tag) in rows {
            let next = solution
                .add_constraint(terms.as_slice(), ComparisonOp::Ge, need)
                .ok()
                .and_then(|o| o.into_solution().ok())
                .filter(|s| s.status() == SolutionStatus::Optimal);
            match next {
                Some(s) => solution = s,
                None => return (before, kept),
            }
            tags.push(tag);
        }
        kept.extend(tags);
    }
    (solution, kept)
}

/// Slack is counted in millionths; a cut of 1 or more is never violated, so
/// capacities are capped there, which leaves every lighter cut as it is.
const UNIT: u64 = 1_000_000;

/// Node sets `S` (of `0..n`) whose boundary slack plus ends inside is below
/// 1, and that hold an odd number of the nodes marked `odd`: `streets` are
/// (u, v, slack) between nodes, summed over each pair (so a street's
/// traversals and its required items may come as separate entries, the
/// latter negative), `ends[v]` the walks' starts and ends at `v`.
fn violated(n: usize, streets: &[(u32, u32, f64)], ends: &[f64], odd: &[bool]) -> Vec<Vec<u32>> {
    let extra = n; // the node joined to every node by its ends
    let odd_extra = odd.iter().filter(|&&o| o).count() % 2 == 1;
    let is_odd = |v: usize| if v == extra { odd_extra } else { odd[v] };
    let mut weight: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for &(u, v, s) in streets {
        if u != v {
            *weight.entry((u.min(v), u.max(v))).or_default() += s;
        }
    }
    for (v, &e) in ends.iter().enumerate() {
        if e > 0.0 {
            *weight.entry((v as u32, extra as u32)).or_default() += e;
        }
    }
    let mut g: DiGraph<(), u64> = DiGraph::with_capacity(n + 1, 2 * weight.len());
    for _ in 0..=n {
        g.add_node(());
    }
    // In key order, each pair summed in the order given: the same cuts every run.
    for ((u, v), w) in weight {
        let cap = (w.clamp(0.0, 1.0) * UNIT as f64).round() as u64;
        if cap > 0 {
            g.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), cap);
            g.add_edge(NodeIndex::new(v as usize), NodeIndex::new(u as usize), cap);
        }
    }
    // Gusfield: parent[s] and the cut value between s and its parent.
    let count = n + 1;
    let mut parent = vec![0usize; count];
    let mut value = vec![0u64; count];
    for s in 1..count {
        let t = parent[s];
        let (flow, flows) = dinics(&g, NodeIndex::new(s), NodeIndex::new(t));
        let side = source_side(&g, &flows, s);
        value[s] = flow;
        for i in 0..count {
            if i != s && side[i] && parent[i] == t {
                parent[i] = s;
            }
        }
        if side[parent[t]] {
            parent[s] = parent[t];
            parent[t] = s;
            value[s] = value[t];
            value[t] = flow;
        }
    }
    // The side of each tree edge (i, parent[i]) away from the root: i's subtree.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); count];
    for i in 1..count {
        children[parent[i]].push(i);
    }
    let mut order = Vec::with_capacity(count);
    let mut stack = vec![0usize];
    while let Some(v) = stack.pop() {
        order.push(v);
        stack.extend(&children[v]);
    }
    let mut parity = vec![false; count];
    for &v in order.iter().rev() {
        parity[v] ^= is_odd(v);
        if v != 0 {
            let p = parent[v];
            parity[p] ^= parity[v];
        }
    }
    let below = UNIT - UNIT / 1000;
    let mut sets = Vec::new();
    for i in 1..count {
        if value[i] >= below || !parity[i] {
            continue;
        }
        let mut inside = vec![false; count];
        let mut stack = vec![i];
        while let Some(v) = stack.pop() {
            inside[v] = true;
            stack.extend(&children[v]);
        }
        // The set without the extra node: this side or the other.
        let keep = !inside[extra];
        sets.push(
            (0..n as u32)
                .filter(|&v| inside[v as usize] == keep)
                .collect(),
        );
    }
    sets
}

/// The nodes reachable from `s` in the residual graph of `flows`.
fn source_side(g: &DiGraph<(), u64>, flows: &[u64], s: usize) -> Vec<bool> {
    let mut seen = vec![false; g.node_count()];
    seen[s] = true;
    let mut stack = vec![NodeIndex::new(s)];
    while let Some(v) = stack.pop() {
        let forward = g
            .edges_directed(v, Direction::Outgoing)
            .filter(|e| flows[e.id().index()] < *e.weight())
            .map(|e| e.target());
        let backward = g
            .edges_directed(v, Direction::Incoming)
            .filter(|e| flows[e.id().index()] > 0)
            .map(|e| e.source());
        let next: Vec<_> = forward.chain(backward).collect();
        for w in next {
            if !seen[w.index()] {
                seen[w.index()] = true;
                stack.push(w);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ring of four nodes, two of them odd, each street with slack 0.3:
    /// the pair of cuts through two streets weighs 0.6, so both halves of
    /// the ring holding one odd node are found; a heavier ring gives none.
    #[test]
    fn a_light_cut_round_one_odd_node_is_found() {
        let ring = |s: f64| [(0, 1, s), (1, 2, s), (2, 3, s), (3, 0, s)];
        let odd = [true, false, true, false];
        let sets = violated(4, &ring(0.3), &[0.0; 4], &odd);
        assert!(!sets.is_empty());
        for s in &sets {
            let odd_in = s.iter().filter(|&&v| odd[v as usize]).count();
            assert_eq!(odd_in % 2, 1, "{s:?}");
        }
        assert!(violated(4, &ring(0.6), &[0.0; 4], &odd).is_empty());
        // A walk ending at node 0 makes its parity good.
        let mut ends = [0.0; 4];
        ends[0] = 1.0;
        ends[2] = 1.0;
        assert!(violated(4, &ring(0.3), &ends, &odd).is_empty());
    }
}
