//! Shortest deadhead costs between the points the solver needs: the depot and the
//! endpoints of the tasks. One Dijkstra per point, run in parallel; memory is
//! `points²` (not `nodes²`), and no Floyd–Warshall.

use super::{Link, NodeId, Task, TaskKind};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An unreachable pair: stored as a cost so large no solution would use it,
/// so lookups need no branch.
const UNREACHABLE: u32 = u32::MAX;

/// A deadhead cost that no solution pays: what a route that does not open
/// with its vehicle's starting state would cost (finite, so that sums of a few
/// stay far from overflow).
pub const FORBIDDEN: u32 = 3_000_000_000;

/// Routes must open with a vehicle's starting state (route heads, the last
/// points from `first_head` on): nothing but the depot (point 0) reaches a
/// head point (at no cost), and the depot reaches nothing else.
pub fn restrict_to_heads(matrix: &mut [u32], p: usize, first_head: usize) {
    for q in 0..p {
        for h in first_head..p {
            matrix[q * p + h] = if q == 0 { 0 } else { FORBIDDEN };
        }
    }
    for c in &mut matrix[1..first_head] {
        *c = FORBIDDEN;
    }
}

/// Shortest-path costs between oracle points.
#[derive(Debug, Clone)]
pub struct CostOracle {
    /// Graph node of each point.
    point_node: Vec<NodeId>,
    /// `(start, end)` point of each task per service direction (an arc has the
    /// same pair twice).
    task_pts: Vec<[(u32, u32); 2]>,
    depot_point: u32,
    /// Row-major `points × points`.
    matrix: Vec<u32>,
}

/// Compressed adjacency (CSR) of the deadhead graph.
pub(crate) struct Csr {
    pub offsets: Vec<u32>,
    pub heads: Vec<NodeId>,
    pub costs: Vec<u32>,
}

impl Csr {
    pub fn new(num_nodes: usize, arcs: impl Iterator<Item = (NodeId, NodeId, u32)> + Clone) -> Csr {
        let mut offsets = vec![0u32; num_nodes + 1];
        for (u, _, _) in arcs.clone() {
            offsets[u as usize + 1] += 1;
        }
        for i in 0..num_nodes {
            offsets[i + 1] += offsets[i];
        }
        let m = offsets[num_nodes] as usize;
        let mut fill = offsets.clone();
        let mut heads = vec![0; m];
        let mut costs = vec![0; m];
        for (u, v, c) in arcs {
            let k = fill[u as usize] as usize;
            heads[k] = v;
            costs[k] = c;
            fill[u as usize] += 1;
        }
        Csr {
            offsets,
            heads,
            costs,
        }
    }

    /// Dijkstra from `source`; `dist` must have one slot per node.
    pub fn dijkstra(
        &self,
        source: NodeId,
        dist: &mut [u64],
        heap: &mut BinaryHeap<Reverse<(u64, NodeId)>>,
    ) {
        dist.fill(u64::MAX);
        heap.clear();
        dist[source as usize] = 0;
        heap.push(Reverse((0, source)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > dist[u as usize] {
                continue;
            }
            let (a, b) = (
                self.offsets[u as usize] as usize,
                self.offsets[u as usize + 1] as usize,
            );
            for k in a..b {
                let v = self.heads[k];
                let nd = d + self.costs[k] as u64;
                if nd < dist[v as usize] {
                    dist[v as usize] = nd;
                    heap.push(Reverse((nd, v)));
                }
            }
        }
    }
}

impl CostOracle {
    /// Builds the oracle over `tasks` (their deadhead traversals included) and `links`.
    pub fn build(
        num_nodes: usize,
        depot: NodeId,
        tasks: &[Task],
        links: &[Link],
    ) -> Result<CostOracle, String> {
        let mut arcs: Vec<(NodeId, NodeId, u32)> =
            Vec::with_capacity(2 * (links.len() + tasks.len()));
        let all = links.iter().copied().chain(tasks.iter().map(|t| Link {
            from: t.from,
            to: t.to,
            cost: t.deadhead_cost,
            directed: t.kind == TaskKind::Arc,
        }));
        for l in all {
            let c =
                u32::try_from(l.cost).map_err(|_| format!("link cost {} is too large", l.cost))?;
            arcs.push((l.from, l.to, c));
            if !l.directed {
                arcs.push((l.to, l.from, c));
            }
        }
        let csr = Csr::new(num_nodes, arcs.iter().copied());

        // Points: the depot first, then every distinct task endpoint.
        let mut point_of = vec![u32::MAX; num_nodes];
        let mut point_node = Vec::new();
        let mut add = |n: NodeId, point_node: &mut Vec<NodeId>| -> u32 {
            if point_of[n as usize] == u32::MAX {
                point_of[n as usize] = point_node.len() as u32;
                point_node.push(n);
            }
            point_of[n as usize]
        };
        let depot_point = add(depot, &mut point_node);
        let task_ends: Vec<[u32; 2]> = tasks
            .iter()
            .map(|t| [add(t.from, &mut point_node), add(t.to, &mut point_node)])
            .collect();
        let p = point_node.len();
        let mut matrix = vec![UNREACHABLE; p * p];
        matrix.par_chunks_mut(p).enumerate().for_each_init(
            || (vec![u64::MAX; num_nodes], BinaryHeap::new()),
            |(dist, heap), (row, out)| {
                csr.dijkstra(point_node[row], dist, heap);
                for (q, &node) in point_node.iter().enumerate() {
                    let d = dist[node as usize];
                    // Finite costs must stay below the marker (checked below).
                    out[q] = if d >= UNREACHABLE as u64 {
                        UNREACHABLE
                    } else {
                        d as u32
                    };
                }
            },
        );
        let task_pts = tasks
            .iter()
            .zip(&task_ends)
            .map(|(t, &[a, b])| match t.kind {
                TaskKind::Arc => [(a, b), (a, b)],
                TaskKind::Edge => [(a, b), (b, a)],
            })
            .collect();
        Self::from_matrix(point_node, task_pts, depot_point, matrix)
    }

    /// An oracle from a matrix computed elsewhere (the city builder's, whose
    /// points are directed links): `matrix` is row-major over the points,
    /// `u32::MAX` for no path. Every task must be reachable from the depot in
    /// at least one direction and the depot from it.
    pub fn from_matrix(
        point_node: Vec<NodeId>,
        task_pts: Vec<[(u32, u32); 2]>,
        depot_point: u32,
        matrix: Vec<u32>,
    ) -> Result<CostOracle, String> {
        let p = point_node.len();
        if matrix.len() != p * p || depot_point as usize >= p {
            return Err("the oracle matrix does not match its points".into());
        }
        if task_pts
            .iter()
            .flatten()
            .any(|&(a, b)| a as usize >= p || b as usize >= p)
        {
            return Err("a task uses a point outside the oracle".into());
        }
        let oracle = CostOracle {
            point_node,
            task_pts,
            depot_point,
            matrix,
        };
        for (i, pts) in oracle.task_pts.iter().enumerate() {
            let ok = pts.iter().any(|&(s, e)| {
                oracle.raw(depot_point, s) != UNREACHABLE
                    && oracle.raw(e, depot_point) != UNREACHABLE
            });
            if !ok {
                let reach = pts
                    .iter()
                    .any(|&(s, _)| oracle.raw(depot_point, s) != UNREACHABLE);
                return Err(if reach {
                    format!("the depot cannot be reached back from task {i}")
                } else {
                    format!("task {i} cannot be reached from the depot")
                });
            }
        }
        Ok(oracle)
    }

    /// The oracle of a subset of the tasks (a decomposition's sub-problem):
    /// the depot and those tasks' points, the costs copied from this one.
    /// `tasks[i]` becomes task `i`.
    pub fn restrict(&self, tasks: &[u32]) -> CostOracle {
        let mut point_of = vec![u32::MAX; self.point_node.len()];
        let mut old = Vec::with_capacity(2 * tasks.len() + 1);
        let mut add = |p: u32, old: &mut Vec<u32>| -> u32 {
            if point_of[p as usize] == u32::MAX {
                point_of[p as usize] = old.len() as u32;
                old.push(p);
            }
            point_of[p as usize]
        };
        let depot_point = add(self.depot_point, &mut old);
        let task_pts: Vec<[(u32, u32); 2]> = tasks
            .iter()
            .map(|&t| self.task_pts[t as usize].map(|(a, b)| (add(a, &mut old), add(b, &mut old))))
            .collect();
        let matrix = old
            .iter()
            .flat_map(|&p| old.iter().map(move |&q| (p, q)))
            .map(|(p, q)| self.raw(p, q))
            .collect();
        CostOracle {
            point_node: old.iter().map(|&p| self.point_node[p as usize]).collect(),
            task_pts,
            depot_point,
            matrix,
        }
    }

    pub fn num_tasks(&self) -> usize {
        self.task_pts.len()
    }

    #[inline]
    fn raw(&self, p: u32, q: u32) -> u32 {
        self.matrix[p as usize * self.point_node.len() + q as usize]
    }

    /// Shortest deadhead cost from point `p` to point `q` (`u32::MAX` if none).
    #[inline]
    pub fn dist(&self, p: u32, q: u32) -> i64 {
        self.raw(p, q) as i64
    }

    pub fn depot_point(&self) -> u32 {
        self.depot_point
    }

    pub fn num_points(&self) -> usize {
        self.point_node.len()
    }

    pub fn point_node(&self, p: u32) -> NodeId {
        self.point_node[p as usize]
    }

    /// Start and end points of task `t` in direction `dir` (arcs ignore `dir`).
    #[inline]
    pub fn task_points(&self, t: usize, dir: u8) -> (u32, u32) {
        self.task_pts[t][(dir & 1) as usize]
    }

    /// Bytes held by the matrix (for memory reports).
    pub fn matrix_bytes(&self) -> usize {
        self.matrix.len() * std::mem::size_of::<u32>()
    }
}
