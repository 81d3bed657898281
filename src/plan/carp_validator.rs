//! An independent check of a CARP solution, from the instance's own data alone.
//!
//! It shares no code with the solver: deadhead costs come from its own
//! Dijkstra over the instance's links (not the solver's cost oracle), and it
//! checks that every task is serviced exactly once, in an allowed direction,
//! that no route exceeds the capacity, that the fleet limit holds, and that the
//! claimed cost is the cost the routes really have.

use crate::instance::{Fleet, Instance, TaskKind};
use crate::solver::Solution;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// What the validator found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The cost recomputed from the routes.
    pub cost: i64,
    pub route_loads: Vec<i64>,
    pub errors: Vec<String>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

struct Graph {
    adj: Vec<Vec<(u32, i64)>>,
    cache: HashMap<u32, Vec<i64>>,
}

impl Graph {
    fn new(inst: &Instance) -> Graph {
        let mut adj = vec![Vec::new(); inst.num_nodes];
        for l in inst.all_links() {
            adj[l.from as usize].push((l.to, l.cost));
            if !l.directed {
                adj[l.to as usize].push((l.from, l.cost));
            }
        }
        Graph {
            adj,
            cache: HashMap::new(),
        }
    }

    fn dist(&mut self, from: u32, to: u32) -> Option<i64> {
        let adj = &self.adj;
        let row = self.cache.entry(from).or_insert_with(|| {
            let mut d = vec![i64::MAX; adj.len()];
            let mut heap = BinaryHeap::new();
            d[from as usize] = 0;
            heap.push(Reverse((0i64, from)));
            while let Some(Reverse((du, u))) = heap.pop() {
                if du > d[u as usize] {
                    continue;
                }
                for &(v, c) in &adj[u as usize] {
                    if du + c < d[v as usize] {
                        d[v as usize] = du + c;
                        heap.push(Reverse((du + c, v)));
                    }
                }
            }
            d
        });
        let v = row[to as usize];
        (v != i64::MAX).then_some(v)
    }
}

/// Checks `sol` against `inst`.
pub fn validate(inst: &Instance, sol: &Solution) -> Report {
    let mut errors = Vec::new();
    let mut graph = Graph::new(inst);
    let mut seen = vec![0u32; inst.num_tasks()];
    let mut total = 0i64;
    let mut loads = Vec::new();
    let routes: Vec<_> = sol.routes.iter().filter(|r| !r.is_empty()).collect();
    if let Fleet::Limited(k) = inst.fleet {
        if routes.len() > k {
            errors.push(format!("{} routes for a fleet of {k}", routes.len()));
        }
    }
    for (ri, route) in routes.iter().enumerate() {
        let mut at = inst.depot;
        let mut load = 0i64;
        let mut cost = inst.route_fixed_cost;
        for s in route.iter() {
            let Some(task) = inst.tasks.get(s.task as usize) else {
                errors.push(format!("route {ri}: task {} does not exist", s.task));
                continue;
            };
            seen[s.task as usize] += 1;
            let (a, b) = match (s.dir, task.kind) {
                (0, _) => (task.from, task.to),
                (1, TaskKind::Edge) => (task.to, task.from),
                (1, TaskKind::Arc) => {
                    errors.push(format!(
                        "route {ri}: arc task {} serviced against its direction",
                        s.task
                    ));
                    (task.to, task.from)
                }
                (d, _) => {
                    errors.push(format!("route {ri}: task {} has direction {d}", s.task));
                    (task.from, task.to)
                }
            };
            match graph.dist(at, a) {
                Some(d) => cost += d,
                None => errors.push(format!("route {ri}: no path from node {at} to node {a}")),
            }
            cost += task.serve_cost;
            load += task.demand;
            at = b;
        }
        match graph.dist(at, inst.depot) {
            Some(d) => cost += d,
            None => errors.push(format!(
                "route {ri}: no path back to the depot from node {at}"
            )),
        }
        if load > inst.capacity {
            errors.push(format!(
                "route {ri}: load {load} exceeds the capacity {}",
                inst.capacity
            ));
        }
        loads.push(load);
        total += cost;
    }
    for (t, &c) in seen.iter().enumerate() {
        match c {
            1 => {}
            0 => errors.push(format!("task {t} is never serviced")),
            k => errors.push(format!("task {t} is serviced {k} times")),
        }
    }
    if total != sol.cost {
        errors.push(format!(
            "claimed cost {} but the routes cost {total}",
            sol.cost
        ));
    }
    Report {
        cost: total,
        route_loads: loads,
        errors,
    }
}
