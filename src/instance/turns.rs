//! Shortest deadhead times over the street network's directed links, with turn
//! rules: turn restrictions (`no_*`, `only_*`) and U-turns (forbidden outside
//! dead ends, or priced). A path's state is the link it is on, so the oracle's
//! points are links ("having just driven link a", "about to drive link b") or
//! nodes (a depot or refill yard, left and entered in any heading).
//!
//! Used by the city builder for its [`CostOracle`](super::CostOracle) and by
//! the plan to trace the deadhead legs it reports.

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

/// The directed-link graph one vehicle type may drive, with its turn rules.
pub struct LinkGraph {
    /// Time to drive each link (cost units), `None` where this vehicle may not.
    pub time: Vec<Option<u32>>,
    /// Successors of each link: `(next link, turn cost)`, in CSR form.
    succ_offsets: Vec<u32>,
    succ: Vec<(LinkId, u32)>,
    /// Links leaving and entering each node (drivable ones only).
    out_of: Vec<Vec<LinkId>>,
    into: Vec<Vec<LinkId>>,
}

impl LinkGraph {
    /// `time_of(link)`: the time to deadhead a link, or `None` if the vehicle
    /// may not drive it (legal directions are checked here).
    pub fn new(net: &Network, u_turns: UTurnRule, time_of: impl Fn(LinkId) -> Option<u32>) -> Self {
        let links = 2 * net.segments.len();
        let time: Vec<Option<u32>> = (0..links as u32)
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
        let mut out_of = vec![Vec::new(); net.nodes.len()];
        let mut into = vec![Vec::new(); net.nodes.len()];
        for l in 0..links as u32 {
            if time[l as usize].is_some() {
                let (u, v) = net.link_ends(l);
                out_of[u as usize].push(l);
                into[v as usize].push(l);
            }
        }
        let mut succ_offsets = Vec::with_capacity(links + 1);
        let mut succ = Vec::new();
        succ_offsets.push(0);
        for a in 0..links as u32 {
            if time[a as usize].is_some() {
                let (_, v) = net.link_ends(a);
                for &b in &out_of[v as usize] {
                    let mut cost = 0;
                    if b == a ^ 1 && degree[v as usize] > 1 {
                        match u_turns {
                            UTurnRule::Forbidden => continue,
                            UTurnRule::Cost(c) => cost = c,
                        }
                    }
                    if bans.banned(a / 2, v, b / 2) {
                        continue;
                    }
                    succ.push((b, cost));
                }
            }
            succ_offsets.push(succ.len() as u32);
        }
        LinkGraph {
            time,
            succ_offsets,
            succ,
            out_of,
            into,
        }
    }

    #[inline]
    fn successors(&self, a: LinkId) -> &[(LinkId, u32)] {
        &self.succ
            [self.succ_offsets[a as usize] as usize..self.succ_offsets[a as usize + 1] as usize]
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
        while let Some(Reverse((d, b))) = heap.pop() {
            if d > label[b as usize] {
                continue;
            }
            let through = d + self.time[b as usize].unwrap_or(0) as u64;
            for &(c, t) in self.successors(b) {
                let nd = through + t as u64;
                if nd < label[c as usize] {
                    label[c as usize] = nd;
                    pred[c as usize] = b;
                    heap.push(Reverse((nd, c)));
                }
            }
        }
    }

    /// Cost to reach `target` given the labels from `source`.
    fn cost_to(
        &self,
        net: &Network,
        source: At,
        target: At,
        label: &[u64],
    ) -> Option<(u64, LinkId)> {
        match target {
            At::Link(b) => (label[b as usize] != u64::MAX).then(|| (label[b as usize], b)),
            At::Node(n) => {
                let here = match source {
                    At::Node(m) => m == n,
                    At::Link(a) => net.link_ends(a).1 == n,
                };
                if here {
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
    /// `u32::MAX` where there is no path. One Dijkstra per row, in parallel.
    pub fn matrix(&self, net: &Network, points: &[At]) -> Vec<u32> {
        let p = points.len();
        let links = self.time.len();
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
                self.dijkstra(src, label, pred, heap);
                for (q, &dst) in points.iter().enumerate() {
                    if let Some((c, _)) = self.cost_to(net, src, dst, label) {
                        out[q] = c.min(u32::MAX as u64 - 1) as u32;
                    }
                }
            },
        );
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
    pub fn path(&self, net: &Network, source: At, target: At) -> Option<(Vec<LinkId>, u64)> {
        let links = self.time.len();
        let mut label = vec![u64::MAX; links];
        let mut pred = vec![u32::MAX; links];
        let mut heap = BinaryHeap::new();
        self.dijkstra(source, &mut label, &mut pred, &mut heap);
        let (cost, last) = self.cost_to(net, source, target, &label)?;
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
