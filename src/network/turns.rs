//! Shortest deadhead times over the street network's directed links, with turn
//! rules: turn restrictions (`no_*`, `only_*`) and U-turns (forbidden outside
//! dead ends, or priced). A path's state is the link it is on, so the oracle's
//! points are links ("having just driven link a", "about to drive link b") or
//! nodes (a depot or refill yard, left and entered in any heading).
//!
//! Used by the city builder for its [`CostOracle`](crate::instance::CostOracle), by
//! the plan to trace the deadhead legs it reports, and by the benchmark formats
//! whose graphs are not OSM networks ([`LinkGraph::from_parts`]: any directed
//! multigraph with a turn rule per pair of links, such as per-node U-turn
//! permission).

use crate::network::{LinkId, Network};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Where a path starts or ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum At {
    /// After driving the link (as a start), or before driving it (as an end).
    Link(LinkId),
    /// At an intersection, in any heading (a yard: turning there is free).
    Node(u32),
}

/// How U-turns outside dead ends are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UTurnRule {
    Forbidden,
    /// Allowed at this extra cost (in cost units; 0 = free).
    Cost(u32),
}

/// Labels, predecessors and heap of one search, kept between searches.
type Scratch = (Vec<u64>, Vec<u32>, BinaryHeap<Reverse<(u64, LinkId)>>);

/// Landmark links per cost matrix (see [`LinkGraph::matrix`]).
pub const LANDMARKS: usize = 16;

/// The directed-link graph one vehicle type may drive, with its turn rules.
pub struct LinkGraph {
    /// Time to drive each link (cost units), `None` where this vehicle may not.
    pub time: Vec<Option<u32>>,
    /// Successors of each link: `(next link, turn cost)`, in CSR form.
    succ_offsets: Vec<u32>,
    succ: Vec<(LinkId, u32)>,
    /// Predecessors of each link: `(previous link, turn cost)`, in CSR form
    /// (the reverse of `succ`, for searches towards a node).
    pred_offsets: Vec<u32>,
    pred: Vec<(LinkId, u32)>,
    /// Links leaving and entering each node (drivable ones only).
    out_of: Vec<Vec<LinkId>>,
    into: Vec<Vec<LinkId>>,
    /// `(from, to)` node of each link.
    ends: Vec<(u32, u32)>,
    /// Planar or lon/lat position of each node, for spreading landmarks
    /// (empty: none known; the matrix is then exact).
    xy: Vec<[f64; 2]>,
}

impl LinkGraph {
    /// `time_of(link)`: the time to deadhead a link, or `None` if the vehicle
    /// may not drive it (legal directions are checked here).
    pub fn new(net: &Network, u_turns: UTurnRule, time_of: impl Fn(LinkId) -> Option<u32>) -> Self {
        let links = 2 * net.segments.len() as u32;
        let time: Vec<Option<u32>> = (0..links)
            .map(|l| {
                let s = &net.segments[(l / 2) as usize];
                let legal = if l % 2 == 0 { s.forward } else { s.backward };
                if legal {
                    time_of(l)
                } else {
                    None
                }
            })
            .collect();
        let degree = net.degrees();
        let bans = net.turn_bans();
        let ends = (0..links).map(|l| net.link_ends(l)).collect();
        let xy = net.nodes.iter().map(|n| [n.lon, n.lat]).collect();
        Self::from_parts(net.nodes.len(), ends, time, xy, |a, v, b| {
            if bans.banned(a / 2, v, b / 2) {
                return None;
            }
            if b == a ^ 1 && degree[v as usize] > 1 {
                return match u_turns {
                    UTurnRule::Forbidden => None,
                    UTurnRule::Cost(c) => Some(c),
                };
            }
            Some(0)
        })
    }

    /// The link graph of any directed multigraph: `ends[l]` = `(from, to)`
    /// node of link `l`, `time[l]` its cost (`None`: not drivable), `xy` the
    /// nodes' positions (empty if unknown), and `turn(a, v, b)` the cost of
    /// turning at node `v` from link `a` onto link `b` (`None`: not allowed).
    pub fn from_parts(
        num_nodes: usize,
        ends: Vec<(u32, u32)>,
        time: Vec<Option<u32>>,
        xy: Vec<[f64; 2]>,
        turn: impl Fn(LinkId, u32, LinkId) -> Option<u32>,
    ) -> Self {
        let links = ends.len();
        debug_assert_eq!(time.len(), links);
        let mut out_of = vec![Vec::new(); num_nodes];
        let mut into = vec![Vec::new(); num_nodes];
        for l in 0..links as u32 {
            if time[l as usize].is_some() {
                let (u, v) = ends[l as usize];
                out_of[u as usize].push(l);
                into[v as usize].push(l);
            }
        }
        let mut succ_offsets = Vec::with_capacity(links + 1);
        let mut succ = Vec::new();
        succ_offsets.push(0);
        for a in 0..links as u32 {
            if time[a as usize].is_some() {
                let (_, v) = ends[a as usize];
                for &b in &out_of[v as usize] {
                    if let Some(cost) = turn(a, v, b) {
                        succ.push((b, cost));
                    }
                }
            }
            succ_offsets.push(succ.len() as u32);
        }
        let mut pred_offsets = vec![0u32; links + 1];
        for &(b, _) in &succ {
            pred_offsets[b as usize + 1] += 1;
        }
        for i in 0..links {
            pred_offsets[i + 1] += pred_offsets[i];
        }
        let mut fill = pred_offsets.clone();
        let mut pred = vec![(0, 0); succ.len()];
        for a in 0..links {
            for &(b, t) in &succ[succ_offsets[a] as usize..succ_offsets[a + 1] as usize] {
                pred[fill[b as usize] as usize] = (a as LinkId, t);
                fill[b as usize] += 1;
            }
        }
        LinkGraph {
            time,
            succ_offsets,
            succ,
            pred_offsets,
            pred,
            out_of,
            into,
            ends,
            xy,
        }
    }

    /// `(from, to)` node of link `l`.
    #[inline]
    pub fn link_ends(&self, l: LinkId) -> (u32, u32) {
        self.ends[l as usize]
    }

    /// Number of links (drivable or not).
    pub fn num_links(&self) -> usize {
        self.ends.len()
    }

    /// Whether a path from `from` is at node `n` before it drives anything.
    fn at_node(&self, from: At, n: u32) -> bool {
        match from {
            At::Node(m) => m == n,
            At::Link(a) => self.ends[a as usize].1 == n,
        }
    }

    /// The links a vehicle may turn onto after link `a`, with the turn cost.
    #[inline]
    pub fn successors(&self, a: LinkId) -> &[(LinkId, u32)] {
        &self.succ
            [self.succ_offsets[a as usize] as usize..self.succ_offsets[a as usize + 1] as usize]
    }

    #[inline]
    fn predecessors(&self, b: LinkId) -> &[(LinkId, u32)] {
        &self.pred
            [self.pred_offsets[b as usize] as usize..self.pred_offsets[b as usize + 1] as usize]
    }

    /// Whether the vehicle may drive link `l`.
    pub fn drivable(&self, l: LinkId) -> bool {
        self.time[l as usize].is_some()
    }

    /// Labels "cost until about to enter link b" from `source`; `pred[b]` is the
    /// link driven before b (`u32::MAX` at the start).
    fn dijkstra(
        &self,
        source: At,
        label: &mut [u64],
        pred: &mut [u32],
        heap: &mut BinaryHeap<Reverse<(u64, LinkId)>>,
    ) {
        self.dijkstra_until(source, label, pred, heap, |_, _| false);
    }

    /// [`Self::dijkstra`] that stops as soon as `settled(link, label)`, called
    /// on each link as its label becomes final, says so; labels not yet final
    /// are upper bounds or `u64::MAX`.
    fn dijkstra_until(
        &self,
        source: At,
        label: &mut [u64],
        pred: &mut [u32],
        heap: &mut BinaryHeap<Reverse<(u64, LinkId)>>,
        settled: impl FnMut(LinkId, u64) -> bool,
    ) {
        label.fill(u64::MAX);
        heap.clear();
        let mut seed = |b: LinkId, c: u64, from: u32, heap: &mut BinaryHeap<_>| {
            if c < label[b as usize] {
                label[b as usize] = c;
                pred[b as usize] = from;
                heap.push(Reverse((c, b)));
            }
        };
        match source {
            At::Link(a) => {
                if self.time[a as usize].is_some() {
                    for &(b, t) in self.successors(a) {
                        seed(b, t as u64, u32::MAX, heap);
                    }
                }
            }
            At::Node(n) => {
                for &b in &self.out_of[n as usize] {
                    seed(b, 0, u32::MAX, heap);
                }
            }
        }
        self.settle(label, Some(pred), heap, false, settled);
    }

    /// The label-setting loop of every search here, forward (over successors:
    /// `label` = cost until about to enter a link, `pred` recorded) or
    /// backward (over predecessors: `label` = cost from having driven a link
    /// to the goal). Each step enters the popped link `b`, drives it and turns
    /// onto the next. Stops once `settled(link, label)` says so.
    fn settle(
        &self,
        label: &mut [u64],
        mut pred: Option<&mut [u32]>,
        heap: &mut BinaryHeap<Reverse<(u64, LinkId)>>,
        backward: bool,
        mut settled: impl FnMut(LinkId, u64) -> bool,
    ) {
        while let Some(Reverse((d, b))) = heap.pop() {
            if d > label[b as usize] {
                continue;
            }
            if settled(b, d) {
                return;
            }
            let through = d + self.time[b as usize].unwrap_or(0) as u64;
            let next = if backward {
                self.predecessors(b)
            } else {
                self.successors(b)
            };
            for &(c, t) in next {
                let nd = through + t as u64;
                if nd < label[c as usize] {
                    label[c as usize] = nd;
                    if let Some(pred) = pred.as_deref_mut() {
                        pred[c as usize] = b;
                    }
                    heap.push(Reverse((nd, c)));
                }
            }
        }
    }

    /// Cost to reach `target` given the labels from `source`.
    fn cost_to(&self, source: At, target: At, label: &[u64]) -> Option<(u64, LinkId)> {
        match target {
            At::Link(b) => (label[b as usize] != u64::MAX).then(|| (label[b as usize], b)),
            At::Node(n) => {
                if self.at_node(source, n) {
                    return Some((0, u32::MAX));
                }
                self.into[n as usize]
                    .iter()
                    .filter(|&&a| label[a as usize] != u64::MAX)
                    .map(|&a| {
                        (
                            label[a as usize] + self.time[a as usize].unwrap_or(0) as u64,
                            a,
                        )
                    })
                    .min()
            }
        }
    }

    /// The matrix of costs between `points` (row: from, column: to), row-major,
    /// `u32::MAX` where there is no path; exact for every pair when `nearest`
    /// is `usize::MAX`.
    ///
    /// Deadhead costs only where they matter: a row from a link point searches
    /// until its `nearest` closest link points are settled (the pairs a good
    /// route links), in parallel; farther pairs get an upper bound, the cost
    /// of a real path through one of [`LANDMARKS`] landmark links spread over
    /// the points, so the solver never counts a deadhead shorter than it is
    /// and a plan's traced leg is never longer. Rows from node points (depot, refill
    /// sites) are exact; columns of node points come from one backward search
    /// per node, so that no row has to reach a depot far away.
    pub fn matrix(&self, points: &[At], nearest: usize) -> Vec<u32> {
        let p = points.len();
        let links = self.time.len();
        // Only links reachable from the first point (the hub: a depot) are
        // waited for, so a row from any point that can reach the hub stops
        // even when some points are cut off (they are left out later).
        let hub = points
            .first()
            .map_or_else(Vec::new, |&first| self.costs_from(first));
        let mut is_target = vec![false; links];
        let mut targets = 0usize;
        for pt in points {
            if let At::Link(b) = *pt {
                if hub[b as usize] != u64::MAX && !is_target[b as usize] {
                    is_target[b as usize] = true;
                    targets += 1;
                }
            }
        }
        let clamp = |c: u64| c.min(u32::MAX as u64 - 1) as u32;
        let exact_rows = nearest >= targets || self.xy.is_empty();
        // Landmarks: link points spread by farthest-point sampling.
        let marks: Vec<LinkId> = if exact_rows {
            Vec::new()
        } else {
            self.landmarks(points, &is_target)
        };
        // Cost from each point to each landmark link (about to enter it), and
        // from each landmark (having driven it) to each point.
        let to_mark: Vec<Vec<u64>> = marks
            .par_iter()
            .map_init(
                || (vec![u64::MAX; links], BinaryHeap::new()),
                |(g, heap), &l| {
                    self.backward_to(l, g, heap);
                    points
                        .iter()
                        .map(|&src| self.cost_from_point(src, g, Some(l), None))
                        .collect()
                },
            )
            .collect();
        let from_mark: Vec<Vec<u64>> = marks
            .par_iter()
            .map_init(
                || {
                    (
                        vec![u64::MAX; links],
                        vec![u32::MAX; links],
                        BinaryHeap::new(),
                    )
                },
                |(label, pred, heap), &l| {
                    self.dijkstra(At::Link(l), label, pred, heap);
                    points
                        .iter()
                        .map(|&dst| match dst {
                            At::Link(b) => label[b as usize],
                            At::Node(_) => u64::MAX,
                        })
                        .collect()
                },
            )
            .collect();
        let mut m = vec![u32::MAX; p * p];
        m.par_chunks_mut(p.max(1)).enumerate().for_each_init(
            || {
                (
                    vec![u64::MAX; links],
                    vec![u32::MAX; links],
                    BinaryHeap::new(),
                )
            },
            |(label, pred, heap), (row, out)| {
                let src = points[row];
                let mut left = match src {
                    At::Node(_) => targets,
                    At::Link(_) => targets.min(nearest),
                };
                if left > 0 {
                    self.dijkstra_until(src, label, pred, heap, |b, _| {
                        if is_target[b as usize] {
                            left -= 1;
                        }
                        left == 0
                    });
                } else {
                    label.fill(u64::MAX);
                }
                for (q, &dst) in points.iter().enumerate() {
                    if let At::Link(b) = dst {
                        // A label not yet final is still a real path's cost.
                        let mut c = label[b as usize];
                        for (k, &l) in marks.iter().enumerate() {
                            let (x, y) = (to_mark[k][row], from_mark[k][q]);
                            if x != u64::MAX && y != u64::MAX {
                                c = c.min(x + self.time[l as usize].unwrap_or(0) as u64 + y);
                            }
                        }
                        if c != u64::MAX {
                            out[q] = clamp(c);
                        }
                    }
                }
            },
        );
        // Node columns, exact.
        let node_cols: Vec<(usize, Vec<u32>)> = points
            .par_iter()
            .enumerate()
            .filter_map(|(q, pt)| match *pt {
                At::Node(n) => Some((q, n)),
                At::Link(_) => None,
            })
            .map_init(
                || (vec![u64::MAX; links], BinaryHeap::new()),
                |(g, heap), (q, n)| {
                    let seeds: Vec<(LinkId, u64)> =
                        self.into[n as usize].iter().map(|&a| (a, 0)).collect();
                    self.backward_after(&seeds, g, heap);
                    let col = points
                        .iter()
                        .map(|&src| self.cost_from_point(src, g, None, Some(n)))
                        .map(|c| if c == u64::MAX { u32::MAX } else { clamp(c) })
                        .collect();
                    (q, col)
                },
            )
            .collect();
        for (q, col) in node_cols {
            for (row, c) in col.into_iter().enumerate() {
                m[row * p + q] = c;
            }
        }
        m
    }

    /// Up to [`LANDMARKS`] target links far apart (straight line between
    /// their start nodes), by farthest-point sampling from the first.
    fn landmarks(&self, points: &[At], is_target: &[bool]) -> Vec<LinkId> {
        let cands: Vec<(LinkId, [f64; 2])> = points
            .iter()
            .filter_map(|pt| match *pt {
                At::Link(b) if is_target[b as usize] => {
                    Some((b, self.xy[self.ends[b as usize].0 as usize]))
                }
                _ => None,
            })
            .collect();
        let mut marks = Vec::new();
        let Some(&(first, _)) = cands.first() else {
            return marks;
        };
        marks.push(first);
        let mut gap: Vec<f64> = cands
            .iter()
            .map(|c| crate::geodesy::distance_m(c.1, cands[0].1))
            .collect();
        while marks.len() < LANDMARKS {
            let Some((i, &d)) = gap.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) else {
                break;
            };
            if d <= 0.0 {
                break;
            }
            marks.push(cands[i].0);
            for (k, c) in cands.iter().enumerate() {
                gap[k] = gap[k].min(crate::geodesy::distance_m(c.1, cands[i].1));
            }
        }
        marks
    }

    /// Cost from `src` given backward labels `g` (cost from having driven a
    /// link to the goal): the goal is about to enter link `link`, or node `node`.
    fn cost_from_point(&self, src: At, g: &[u64], link: Option<LinkId>, node: Option<u32>) -> u64 {
        if node.is_some_and(|n| self.at_node(src, n)) {
            return 0;
        }
        match src {
            At::Link(a) => g[a as usize],
            At::Node(s) => self.out_of[s as usize]
                .iter()
                .map(|&b| {
                    if Some(b) == link {
                        0
                    } else if g[b as usize] == u64::MAX {
                        u64::MAX
                    } else {
                        g[b as usize] + self.time[b as usize].unwrap_or(0) as u64
                    }
                })
                .min()
                .unwrap_or(u64::MAX),
        }
    }

    /// Backward labels towards "about to enter link `l`".
    fn backward_to(&self, l: LinkId, g: &mut [u64], heap: &mut BinaryHeap<Reverse<(u64, LinkId)>>) {
        // Having driven a predecessor a of l, entering l costs the turn.
        let after: Vec<(LinkId, u64)> = self
            .predecessors(l)
            .iter()
            .map(|&(a, t)| (a, t as u64))
            .collect();
        self.backward_after(&after, g, heap);
    }

    /// Backward search: `g[a]` = cost from having driven link `a` to the goal,
    /// from `seeds` (links whose end reaches the goal at that cost).
    fn backward_after(
        &self,
        seeds: &[(LinkId, u64)],
        g: &mut [u64],
        heap: &mut BinaryHeap<Reverse<(u64, LinkId)>>,
    ) {
        g.fill(u64::MAX);
        heap.clear();
        for &(a, c) in seeds {
            if c < g[a as usize] {
                g[a as usize] = c;
                heap.push(Reverse((c, a)));
            }
        }
        self.settle(g, None, heap, true, |_, _| false);
    }

    /// The reference for [`Self::matrix`]: a full search per row.
    #[cfg(test)]
    fn matrix_full(&self, points: &[At]) -> Vec<u32> {
        let p = points.len();
        let links = self.time.len();
        let mut m = vec![u32::MAX; p * p];
        let (mut label, mut pred, mut heap) = (
            vec![u64::MAX; links],
            vec![u32::MAX; links],
            BinaryHeap::new(),
        );
        for (row, &src) in points.iter().enumerate() {
            self.dijkstra(src, &mut label, &mut pred, &mut heap);
            for (q, &dst) in points.iter().enumerate() {
                if let Some((c, _)) = self.cost_to(src, dst, &label) {
                    m[row * p + q] = c.min(u32::MAX as u64 - 1) as u32;
                }
            }
        }
        m
    }

    /// Cost from `source` until about to enter each link (`u64::MAX`: no path).
    pub fn costs_from(&self, source: At) -> Vec<u64> {
        let links = self.time.len();
        let mut label = vec![u64::MAX; links];
        let mut pred = vec![u32::MAX; links];
        self.dijkstra(source, &mut label, &mut pred, &mut BinaryHeap::new());
        label
    }

    /// The links driven from `source` to `target` (excluding the source link and
    /// the target link), and the cost; `None` if there is no path.
    pub fn path(&self, source: At, target: At) -> Option<(Vec<LinkId>, u64)> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
        }
        SCRATCH.with(|cell| {
            let (label, pred, heap) = &mut *cell.borrow_mut();
            self.path_with(source, target, label, pred, heap)
        })
    }

    fn path_with(
        &self,
        source: At,
        target: At,
        label: &mut Vec<u64>,
        pred: &mut Vec<u32>,
        heap: &mut BinaryHeap<Reverse<(u64, LinkId)>>,
    ) -> Option<(Vec<LinkId>, u64)> {
        let links = self.time.len();
        label.resize(links, u64::MAX);
        pred.resize(links, u32::MAX);
        // Stop once the target's cost is known: a link target when it is
        // settled, a node target when no unsettled link can beat the best
        // entry found.
        let mut best = u64::MAX;
        let into_target = |b: LinkId| match target {
            At::Node(n) => self.ends[b as usize].1 == n,
            At::Link(_) => false,
        };
        if let At::Node(n) = target {
            if self.at_node(source, n) {
                return Some((Vec::new(), 0));
            }
        }
        self.dijkstra_until(source, label, pred, heap, |b, d| {
            if target == At::Link(b) || d >= best {
                return true;
            }
            if into_target(b) {
                best = best.min(d + self.time[b as usize].unwrap_or(0) as u64);
            }
            false
        });
        let (cost, last) = self.cost_to(source, target, label)?;
        let mut path = Vec::new();
        // For a link target, `last` is the target itself: start from its predecessor.
        let mut cur = match target {
            At::Link(b) => pred[b as usize],
            At::Node(_) => last,
        };
        let mut guard = 0;
        while cur != u32::MAX {
            path.push(cur);
            cur = pred[cur as usize];
            guard += 1;
            if guard > links {
                return None;
            }
        }
        path.reverse();
        Some((path, cost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Network;

    /// The bounded searches give the full searches' costs and paths, on the
    /// fixture town with each U-turn rule.
    #[test]
    fn bounded_searches_match_full_ones() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/town.osm.pbf");
        let net = Network::from_file(&path, None, &Default::default()).unwrap();
        for rule in [
            UTurnRule::Forbidden,
            UTurnRule::Cost(300),
            UTurnRule::Cost(0),
        ] {
            let g = LinkGraph::new(&net, rule, |l| {
                Some((net.segments[(l / 2) as usize].length_m as u32).max(1))
            });
            let links = 2 * net.segments.len() as u32;
            // A depot first, some links (every 3rd), and nodes (every 5th): a
            // district-like subset.
            let mut points: Vec<At> = vec![At::Node(0)];
            points.extend((0..links).step_by(3).map(At::Link));
            points.extend((1..net.nodes.len() as u32).step_by(5).map(At::Node));
            assert!(points.len() > 30);
            let full = g.matrix_full(&points);
            let exact = g.matrix(&points, usize::MAX);
            let differ = exact.iter().zip(&full).filter(|(a, b)| a != b).count();
            assert_eq!(differ, 0, "{rule:?}: {differ} entries differ");
            // With only the 5 nearest exact: never below the exact cost, the
            // same where exact was asked, and a path wherever there is one.
            let near = g.matrix(&points, 5);
            let p = points.len();
            let mut above = 0;
            for r in 0..p {
                for q in 0..p {
                    let (a, b) = (near[r * p + q], full[r * p + q]);
                    assert!(a >= b, "{rule:?} {r}->{q}: {a} below the exact {b}");
                    assert_eq!(a == u32::MAX, b == u32::MAX, "{rule:?} {r}->{q}");
                    above += (a > b) as usize;
                }
                // The 5 nearest link points (and node points) are exact.
                let mut row: Vec<(u32, usize)> = (0..p)
                    .filter(|&q| matches!(points[q], At::Link(_)) && full[r * p + q] != u32::MAX)
                    .map(|q| (full[r * p + q], q))
                    .collect();
                row.sort_unstable();
                if let Some(&(fifth, _)) = row.get(4) {
                    for &(c, q) in row.iter().filter(|x| x.0 < fifth) {
                        assert_eq!(near[r * p + q], c, "{rule:?} {r}->{q} among the nearest");
                    }
                }
                for q in (0..p).filter(|&q| matches!(points[q], At::Node(_))) {
                    assert_eq!(near[r * p + q], full[r * p + q]);
                }
            }
            assert!(
                above > 0,
                "{rule:?}: the bounded matrix is exact everywhere (test too small?)"
            );
            // Paths: their cost is the matrix entry, and it adds up.
            for (i, &s) in points.iter().enumerate().step_by(5) {
                for (j, &t) in points.iter().enumerate().step_by(3) {
                    let want = full[i * points.len() + j];
                    match g.path(s, t) {
                        None => assert_eq!(want, u32::MAX, "{s:?} -> {t:?}"),
                        Some((_, c)) => assert_eq!(c as u32, want, "{s:?} -> {t:?}"),
                    }
                }
            }
        }
    }
}
