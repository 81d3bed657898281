//! The abstract arc routing problem, immutable once built.
//!
//! An [`Instance`] is a mixed graph (edges traversable both ways, arcs one way),
//! the required tasks on it, a depot, the vehicle capacity and fleet, and the
//! [`CostOracle`] of shortest deadhead costs between task endpoints. Benchmark
//! files ([`carp_file`]) and the city scenario builder both produce it;
//! the solver reads nothing else.
//!
//! Where the extensions planned for real fleets go (kept out of the core until
//! they have their own tests):
//! - refill sites (intermediate facilities): a list of oracle points beside the
//!   depot; `solver::segment::Seg` then carries "cost to reach the nearest
//!   facility" per end orientation, and Split inserts refills between trips;
//! - route duration limits and per-task deadlines: a time dimension on tasks
//!   (service time, deadhead time in a second oracle matrix) and a duration /
//!   lateness field on `Seg`, penalised like the load;
//! - several depots and vehicle types: `depot` becomes per vehicle type, each
//!   type with its own capacity and a task compatibility mask; Split and the
//!   local search take the route's type;
//! - turn penalties: the oracle's graph becomes the line graph of the street
//!   network (points are directed links, not nodes), which `CostOracle::build`
//!   already allows, since it only needs point ids and a successor function.

pub mod carp_file;
pub mod oracle;

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
#[derive(Debug)]
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

impl Instance {
    /// Checks the spec and computes the cost oracle (in parallel).
    pub fn new(spec: InstanceSpec) -> std::result::Result<Instance, String> {
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
        let oracle = CostOracle::build(n, spec.depot, &spec.tasks, &spec.links)?;
        Ok(Instance {
            name: spec.name,
            num_nodes: n,
            depot: spec.depot,
            capacity: spec.capacity,
            fleet: spec.fleet,
            vehicles_in_file: spec.vehicles_in_file,
            route_fixed_cost: spec.route_fixed_cost,
            tasks: spec.tasks,
            links: spec.links,
            node_id_base: spec.node_id_base,
            oracle,
        })
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
    /// fewest trips the capacity allows, plus their fixed costs.
    pub fn lower_bound(&self) -> i64 {
        let trips = (self.total_demand() + self.capacity - 1) / self.capacity;
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
