//! The abstract arc routing problem, immutable once built.
//!
//! An [`Instance`] is a mixed graph (edges traversable both ways, arcs one way),
//! the required tasks on it, a depot, the vehicle capacity and fleet, and the
//! [`CostOracle`] of shortest deadhead costs between task endpoints. Benchmark
//! files ([`carp_file`]) and the city scenario builder both produce it;
//! the solver reads nothing else.
//!
//! Real fleets add, all optional so that the literature's instances leave them
//! empty:
//! - **refill sites** (intermediate facilities): oracle points where a vehicle
//!   gets its capacity back, each with its own time to refill;
//! - a **route duration limit** (the shift), when costs are times;
//! - **priority deadlines**: a class per task and a deadline per class, with the
//!   weight of a second of lateness against a second of driving;
//! - **turn rules** (U-turns, turn restrictions): the city builder makes an
//!   oracle whose points are directed street links rather than nodes, so that a
//!   deadhead path knows how it left the last task and how it enters the next
//!   ([`CostOracle::from_matrix`]).
//!
//! Several depots and vehicle types are handled one level up: the city builder
//! (`crate::city`) gives each vehicle type (with its depot) its own instance
//! over the tasks it is assigned. This module holds only the abstract
//! problem, its oracle and the benchmark formats.

pub mod carp_file;
pub mod oracle;
pub mod salt_spreading;

pub use oracle::CostOracle;

/// Node of the instance graph, 0-based.
pub type NodeId = u32;

/// How a task may be serviced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// Serviced once, in either direction (a street salted in one pass).
    Edge,
    /// Serviced once, only from `from` to `to` (a one-way street, one curb).
    Arc,
}

/// A required edge or arc.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: TaskKind,
    pub demand: i64,
    /// Cost of servicing the task (counted once, in the objective).
    pub serve_cost: i64,
    /// Cost of driving along it without servicing (deadheading).
    pub deadhead_cost: i64,
    /// Priority class with a deadline (0-based index into `Instance::deadlines`).
    pub class: Option<u8>,
}

/// A refill site (intermediate facility): an oracle point and the cost (time)
/// of refilling there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refill {
    pub point: u32,
    pub cost: i64,
}

/// A traversable link of the graph, used for deadheading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: NodeId,
    pub to: NodeId,
    pub cost: i64,
    /// `true`: one way only (`from` to `to`).
    pub directed: bool,
}

/// Fleet size: literature CARP benchmarks leave it free; real fleets fix it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fleet {
    Limited(usize),
    Unlimited,
}

/// The immutable problem the solver works on.
#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub num_nodes: usize,
    pub depot: NodeId,
    pub capacity: i64,
    pub fleet: Fleet,
    /// Vehicles named in the source file, when it names them (reported, not enforced
    /// for the literature sets, where it is conventionally free).
    pub vehicles_in_file: Option<usize>,
    /// Fixed cost of every trip (MCARP `DUMPING_COST`).
    pub route_fixed_cost: i64,
    pub tasks: Vec<Task>,
    pub links: Vec<Link>,
    /// Added to internal node ids to give the source file's ids (1 for CARPLIB).
    pub node_id_base: u32,
    pub oracle: CostOracle,
    pub refills: Vec<Refill>,
    /// Longest route (the shift), in cost units.
    pub max_duration: Option<i64>,
    /// Deadline of each priority class, in cost units from the route's start.
    pub deadlines: Vec<i64>,
    /// Cost of one unit of lateness.
    pub lateness_weight: i64,
    /// Cost, in thousandths, of each unit of time by which a priority class
    /// finishes in a route (from the route's start): 0 prices only lateness;
    /// above 0, priority work comes first in every route ("priority first").
    pub first_weight_milli: i64,
    /// The last `route_heads` tasks are vehicles' starting states (a re-plan:
    /// where each vehicle is, when, with what load); each must open a route
    /// (the oracle makes anything else prohibitively dear).
    pub route_heads: usize,
    /// Deadhead costs carry terms beyond travel (a re-plan's stability
    /// penalty), so the triangle inequality may fail.
    pub perturbed: bool,
    /// Re-plan: the vehicle (route head index, below
    /// [`crate::solver::segment::MAX_HOMES`]) each task belongs to in the
    /// current plan (empty: none), and the price of a task served by another.
    pub homes: Vec<Option<u8>>,
    pub move_price: i64,
}

/// Builder input for [`Instance::new`].
pub struct InstanceSpec {
    pub name: String,
    pub num_nodes: usize,
    pub depot: NodeId,
    pub capacity: i64,
    pub fleet: Fleet,
    pub vehicles_in_file: Option<usize>,
    pub route_fixed_cost: i64,
    pub tasks: Vec<Task>,
    pub links: Vec<Link>,
    pub node_id_base: u32,
}

impl InstanceSpec {
    /// A classical CARP on nodes `0..num_nodes`: depot 0, as many vehicles as
    /// needed, no fixed cost per route (random and hand-made instances).
    pub fn plain(
        name: &str,
        num_nodes: usize,
        capacity: i64,
        tasks: Vec<Task>,
        links: Vec<Link>,
    ) -> InstanceSpec {
        InstanceSpec {
            name: name.to_string(),
            num_nodes,
            depot: 0,
            capacity,
            fleet: Fleet::Unlimited,
            vehicles_in_file: None,
            route_fixed_cost: 0,
            tasks,
            links,
            node_id_base: 0,
        }
    }
}

/// What real fleets add to an [`InstanceSpec`] (all empty for the literature).
#[derive(Clone, Debug, Default)]
pub struct Extensions {
    pub refills: Vec<Refill>,
    pub max_duration: Option<i64>,
    pub deadlines: Vec<i64>,
    pub lateness_weight: i64,
    pub first_weight_milli: i64,
    pub route_heads: usize,
    pub perturbed: bool,
    pub homes: Vec<Option<u8>>,
    pub move_price: i64,
}

impl Instance {
    /// Checks the spec and computes the cost oracle (in parallel).
    pub fn new(spec: InstanceSpec) -> std::result::Result<Instance, String> {
        Self::check(&spec)?;
        let oracle = CostOracle::build(spec.num_nodes, spec.depot, &spec.tasks, &spec.links)?;
        Self::assemble(spec, oracle, Extensions::default())
    }

    /// An instance whose oracle the caller computed (the city builder's
    /// turn-aware oracle over directed links), with the fleet extensions.
    pub fn with_oracle(
        spec: InstanceSpec,
        oracle: CostOracle,
        ext: Extensions,
    ) -> std::result::Result<Instance, String> {
        Self::check(&spec)?;
        if oracle.num_tasks() != spec.tasks.len() {
            return Err("the oracle does not match the tasks".into());
        }
        if ext.deadlines.len() > crate::solver::segment::MAX_CLASSES {
            return Err(format!(
                "{} priority classes with deadlines; at most {} are supported",
                ext.deadlines.len(),
                crate::solver::segment::MAX_CLASSES
            ));
        }
        for (i, t) in spec.tasks.iter().enumerate() {
            if t.class.is_some_and(|c| c as usize >= ext.deadlines.len()) {
                return Err(format!("task {i} has a class without a deadline"));
            }
        }
        for r in &ext.refills {
            if r.point as usize >= oracle.num_points() || r.cost < 0 {
                return Err("a refill site is not an oracle point".into());
            }
        }
        Self::assemble(spec, oracle, ext)
    }

    fn assemble(
        spec: InstanceSpec,
        oracle: CostOracle,
        ext: Extensions,
    ) -> std::result::Result<Instance, String> {
        let spec_len = spec.tasks.len();
        Ok(Instance {
            name: spec.name,
            num_nodes: spec.num_nodes,
            depot: spec.depot,
            capacity: spec.capacity,
            fleet: spec.fleet,
            vehicles_in_file: spec.vehicles_in_file,
            route_fixed_cost: spec.route_fixed_cost,
            tasks: spec.tasks,
            links: spec.links,
            node_id_base: spec.node_id_base,
            oracle,
            refills: ext.refills,
            max_duration: ext.max_duration,
            deadlines: ext.deadlines,
            lateness_weight: ext.lateness_weight,
            first_weight_milli: ext.first_weight_milli,
            route_heads: ext.route_heads.min(spec_len),
            perturbed: ext.perturbed,
            homes: ext.homes,
            move_price: ext.move_price,
        })
    }

    fn check(spec: &InstanceSpec) -> std::result::Result<(), String> {
        let n = spec.num_nodes;
        if n == 0 {
            return Err("the graph has no node".into());
        }
        if spec.depot as usize >= n {
            return Err(format!("depot {} is not a node", spec.depot));
        }
        if spec.capacity <= 0 {
            return Err(format!("capacity {} must be positive", spec.capacity));
        }
        if spec.tasks.is_empty() {
            return Err("no required task".into());
        }
        for (i, t) in spec.tasks.iter().enumerate() {
            if t.from as usize >= n || t.to as usize >= n {
                return Err(format!("task {i} uses a node outside the graph"));
            }
            if t.demand < 0 || t.serve_cost < 0 || t.deadhead_cost < 0 {
                return Err(format!("task {i} has a negative cost or demand"));
            }
            if t.demand > spec.capacity {
                return Err(format!(
                    "task {i} has demand {} above the vehicle capacity {}",
                    t.demand, spec.capacity
                ));
            }
        }
        for l in &spec.links {
            if l.from as usize >= n || l.to as usize >= n || l.cost < 0 {
                return Err(format!("link {}-{} is invalid", l.from, l.to));
            }
        }
        Ok(())
    }

    /// The sub-problem of a subset of the tasks, on the same graph, depot and
    /// costs (`tasks[i]` becomes task `i`), with `fleet` vehicles: what a
    /// route-based decomposition solves. Only for the plain problem (no refill
    /// sites, deadlines, duration limit or re-plan state), whose costs do not
    /// depend on the tasks outside the subset.
    pub fn restricted(&self, tasks: &[u32], fleet: Fleet) -> Option<Instance> {
        if !self.plain() || tasks.is_empty() {
            return None;
        }
        let mut kept = vec![false; self.tasks.len()];
        for &t in tasks {
            kept[t as usize] = true;
        }
        Some(Instance {
            name: format!("{} / {} tasks", self.name, tasks.len()),
            num_nodes: self.num_nodes,
            depot: self.depot,
            capacity: self.capacity,
            fleet,
            vehicles_in_file: None,
            route_fixed_cost: self.route_fixed_cost,
            tasks: tasks
                .iter()
                .map(|&t| self.tasks[t as usize].clone())
                .collect(),
            // The tasks left out stay in the graph as plain links.
            links: self
                .all_links()
                .enumerate()
                .filter(|&(k, _)| k < self.links.len() || !kept[k - self.links.len()])
                .map(|(_, l)| l)
                .collect(),
            node_id_base: self.node_id_base,
            oracle: self.oracle.restrict(tasks),
            refills: Vec::new(),
            max_duration: None,
            deadlines: Vec::new(),
            lateness_weight: self.lateness_weight,
            first_weight_milli: self.first_weight_milli,
            route_heads: 0,
            perturbed: self.perturbed,
            homes: Vec::new(),
            move_price: self.move_price,
        })
    }

    /// No refill sites, deadlines, duration limit or re-plan state: the
    /// classical (mixed) CARP.
    pub fn plain(&self) -> bool {
        self.refills.is_empty()
            && self.deadlines.is_empty()
            && self.max_duration.is_none()
            && self.route_heads == 0
            && self.homes.iter().all(|h| h.is_none())
    }

    pub fn num_tasks(&self) -> usize {
        self.tasks.len()
    }

    pub fn total_demand(&self) -> i64 {
        self.tasks.iter().map(|t| t.demand).sum()
    }

    pub fn total_serve_cost(&self) -> i64 {
        self.tasks.iter().map(|t| t.serve_cost).sum()
    }

    /// Endpoints of task `t` serviced in direction `dir` (0: from->to, 1: to->from).
    pub fn oriented(&self, t: usize, dir: u8) -> (NodeId, NodeId) {
        let task = &self.tasks[t];
        if dir == 0 || task.kind == TaskKind::Arc {
            (task.from, task.to)
        } else {
            (task.to, task.from)
        }
    }

    /// The graph links including the deadhead traversals of the required tasks.
    pub fn all_links(&self) -> impl Iterator<Item = Link> + '_ {
        self.links
            .iter()
            .copied()
            .chain(self.tasks.iter().map(|t| Link {
                from: t.from,
                to: t.to,
                cost: t.deadhead_cost,
                directed: t.kind == TaskKind::Arc,
            }))
    }

    /// A simple lower bound on any solution's cost: all service costs, plus for
    /// every trip the cheapest way out of and back into the depot, times the
    /// fewest trips the capacity allows, plus their fixed costs. (With refill
    /// sites, one route's way out and back.)
    pub fn lower_bound(&self) -> i64 {
        let trips = if self.refills.is_empty() {
            (self.total_demand() + self.capacity - 1) / self.capacity
        } else {
            1
        };
        let trips = trips.max(1);
        let o = &self.oracle;
        let d = o.depot_point();
        let mut out = i64::MAX;
        let mut back = i64::MAX;
        for t in 0..self.num_tasks() {
            for dir in 0..2u8 {
                let (s, e) = o.task_points(t, dir);
                out = out.min(o.dist(d, s));
                back = back.min(o.dist(e, d));
            }
        }
        self.total_serve_cost() + trips * (out + back + self.route_fixed_cost)
    }
}
