//! The ROAR-NET "Salt Spreading" format (Fonnesbach and Chiarandini): a mixed
//! road graph given as JSON, with deadhead arcs `A`, required arcs `A_R`
//! (salted and driven only in their direction), required edges `E_R`
//! (salted once, either way; drivable both ways), vehicles with a capacity
//! and a home, refill depots with a refill amount, the nodes `U` where a
//! U-turn is allowed, and a time limit per route. The objective is the total
//! length driven from each home to the route's last depot (the way home is
//! free).
//!
//! [`read`] checks the file and names the element at fault; [`model`] turns
//! it into an [`Instance`](crate::instance::Instance) for the solver (the same
//! core the city plans use); [`write`] turns a solution back into the
//! format's arcs solution. The independent checker is
//! [`crate::plan::salt_check`].

pub mod model;
pub mod write;

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
struct FileJson {
    name: String,
    max_time: f64,
    nodes: Vec<NodeJson>,
    vehicles: Vec<VehicleJson>,
    depots: Vec<DepotJson>,
    #[serde(rename = "A")]
    a: Vec<ArcJson>,
    #[serde(rename = "A_R")]
    a_r: Vec<ReqJson>,
    #[serde(rename = "E_R")]
    e_r: Vec<ReqEdgeJson>,
    #[serde(rename = "U")]
    u: Vec<LabelJson>,
}

#[derive(Deserialize)]
struct NodeJson {
    label: String,
}

#[derive(Deserialize)]
struct VehicleJson {
    id: String,
    capacity: f64,
    home: String,
}

#[derive(Deserialize)]
struct DepotJson {
    label: String,
    refill: f64,
}

#[derive(Deserialize)]
struct ArcJson {
    arc: Vec<String>,
    len: f64,
    time: f64,
}

#[derive(Deserialize)]
struct ReqJson {
    arc: Vec<String>,
    dem: f64,
    len: f64,
    time: f64,
}

#[derive(Deserialize)]
struct ReqEdgeJson {
    edge: Vec<String>,
    dem: f64,
    len: f64,
    time: f64,
}

#[derive(Deserialize)]
struct LabelJson {
    label: String,
}

/// A vehicle: it leaves `home` (a node index) with `capacity` of salt.
#[derive(Clone, Debug)]
pub struct Vehicle {
    pub id: String,
    pub capacity: f64,
    pub home: u32,
}

/// A refill depot: a visit tops the load up by `refill` (to the capacity at most).
#[derive(Clone, Copy, Debug)]
pub struct Depot {
    pub node: u32,
    pub refill: f64,
}

/// A directed link a vehicle may drive: an `A` arc, an `A_R` arc, or one
/// direction of an `E_R` edge.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    pub from: u32,
    pub to: u32,
    /// Metres.
    pub len: f64,
    /// Minutes.
    pub time: f64,
    /// The required item salted when this link is driven salting.
    pub item: Option<u32>,
}

/// A required arc (`A_R`) or edge (`E_R`).
#[derive(Clone, Debug)]
pub struct Item {
    pub edge: bool,
    /// The link(s) it may be salted along: one for an arc, both directions for an edge.
    pub links: Vec<u32>,
    pub dem: f64,
    /// Where it is in the file, for messages (`A_R[3]`, `E_R[12]`).
    pub name: String,
}

/// A checked salt-spreading instance, nodes numbered by their position in
/// `nodes`.
#[derive(Clone, Debug)]
pub struct SaltInstance {
    pub name: String,
    /// Longest route, minutes.
    pub max_time: f64,
    pub labels: Vec<String>,
    pub vehicles: Vec<Vehicle>,
    pub depots: Vec<Depot>,
    pub links: Vec<Link>,
    pub items: Vec<Item>,
    /// Whether a U-turn is allowed at each node.
    pub u_turn: Vec<bool>,
}

impl SaltInstance {
    pub fn total_demand(&self) -> f64 {
        self.items.iter().map(|i| i.dem).sum()
    }

    /// Metres to salt.
    pub fn salted_len(&self) -> f64 {
        self.items
            .iter()
            .map(|i| self.links[i.links[0] as usize].len)
            .sum()
    }
}

/// Whether `path` looks like a salt-spreading instance (a `.json` file).
pub fn is_salt_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Reads and checks an instance file.
pub fn read(path: &Path) -> Result<SaltInstance> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text)
}

/// Parses and checks the JSON text of an instance; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<SaltInstance> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let file: FileJson = serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        let at = e.path().to_string();
        Error::parse(
            path,
            inner.line(),
            if at == "." {
                format!("not a salt-spreading instance: {inner}")
            } else {
                format!("`{at}`: {inner}")
            },
        )
    })?;
    let bad = |m: String| Error::invalid(path, m);

    let mut index: HashMap<&str, u32> = HashMap::with_capacity(file.nodes.len());
    for (i, n) in file.nodes.iter().enumerate() {
        if let Some(&first) = index.get(n.label.as_str()) {
            return Err(bad(format!(
                "nodes[{i}]: label \"{}\" appears twice (first as nodes[{first}])",
                n.label
            )));
        }
        index.insert(&n.label, i as u32);
    }
    let node = |label: &str, what: &str| -> Result<u32> {
        index.get(label).copied().ok_or_else(|| {
            bad(format!(
                "{what}: node \"{label}\" is not in `nodes` ({} nodes)",
                file.nodes.len()
            ))
        })
    };
    let ends = |pair: &[String], what: &str| -> Result<(u32, u32)> {
        if pair.len() != 2 {
            return Err(bad(format!(
                "{what}: names {} nodes, an arc or edge has two",
                pair.len()
            )));
        }
        Ok((node(&pair[0], what)?, node(&pair[1], what)?))
    };
    let number = |x: f64, what: &str, field: &str| -> Result<f64> {
        if !x.is_finite() || x < 0.0 {
            return Err(bad(format!(
                "{what}: `{field}` is {x}, it must not be negative"
            )));
        }
        Ok(x)
    };
    if !(file.max_time.is_finite() && file.max_time > 0.0) {
        return Err(bad(format!(
            "`max_time` is {}, it must be a positive number of minutes",
            file.max_time
        )));
    }
    if file.vehicles.is_empty() {
        return Err(bad("`vehicles` is empty: no vehicle to salt with".into()));
    }
    let mut vehicles = Vec::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, v) in file.vehicles.iter().enumerate() {
        let what = format!("vehicles[{i}] (id \"{}\")", v.id);
        if let Some(first) = ids.insert(&v.id, i) {
            return Err(bad(format!("{what}: the id is also vehicles[{first}]'s")));
        }
        if !(v.capacity.is_finite() && v.capacity > 0.0) {
            return Err(bad(format!(
                "{what}: `capacity` is {}, it must be positive",
                v.capacity
            )));
        }
        vehicles.push(Vehicle {
            id: v.id.clone(),
            capacity: v.capacity,
            home: node(&v.home, &format!("{what} `home`"))?,
        });
    }
    let mut depots = Vec::new();
    for (i, d) in file.depots.iter().enumerate() {
        let what = format!("depots[{i}]");
        let n = node(&d.label, &what)?;
        if depots.iter().any(|x: &Depot| x.node == n) {
            return Err(bad(format!(
                "{what}: depot \"{}\" is listed twice",
                d.label
            )));
        }
        depots.push(Depot {
            node: n,
            refill: number(d.refill, &what, "refill")?,
        });
    }
    if depots.is_empty() {
        return Err(bad(
            "`depots` is empty: every route must end at a depot".into()
        ));
    }
    let mut u_turn = vec![false; file.nodes.len()];
    for (i, u) in file.u.iter().enumerate() {
        u_turn[node(&u.label, &format!("U[{i}]"))? as usize] = true;
    }

    let mut links = Vec::new();
    let mut items = Vec::new();
    for (i, a) in file.a.iter().enumerate() {
        let what = format!("A[{i}]");
        let (from, to) = ends(&a.arc, &what)?;
        links.push(Link {
            from,
            to,
            len: number(a.len, &what, "len")?,
            time: number(a.time, &what, "time")?,
            item: None,
        });
    }
    let largest = vehicles.iter().map(|v| v.capacity).fold(0.0, f64::max);
    let mut required = |what: String,
                        edge: bool,
                        (from, to): (u32, u32),
                        dem: f64,
                        len: f64,
                        time: f64,
                        links: &mut Vec<Link>|
     -> Result<()> {
        let dem = number(dem, &what, "dem")?;
        let len = number(len, &what, "len")?;
        let time = number(time, &what, "time")?;
        if dem > largest {
            return Err(bad(format!(
                "{what}: demand {dem} is more than any vehicle carries (largest capacity {largest})"
            )));
        }
        let item = items.len() as u32;
        let mut ls = vec![links.len() as u32];
        links.push(Link {
            from,
            to,
            len,
            time,
            item: Some(item),
        });
        if edge {
            ls.push(links.len() as u32);
            links.push(Link {
                from: to,
                to: from,
                len,
                time,
                item: Some(item),
            });
        }
        items.push(Item {
            edge,
            links: ls,
            dem,
            name: what,
        });
        Ok(())
    };
    for (i, a) in file.a_r.iter().enumerate() {
        let what = format!("A_R[{i}]");
        let e = ends(&a.arc, &what)?;
        required(what, false, e, a.dem, a.len, a.time, &mut links)?;
    }
    for (i, a) in file.e_r.iter().enumerate() {
        let what = format!("E_R[{i}]");
        let e = ends(&a.edge, &what)?;
        required(what, true, e, a.dem, a.len, a.time, &mut links)?;
    }
    if items.is_empty() {
        return Err(bad("`A_R` and `E_R` are empty: nothing to salt".into()));
    }
    Ok(SaltInstance {
        name: file.name,
        max_time: file.max_time,
        labels: file.nodes.into_iter().map(|n| n.label).collect(),
        vehicles,
        depots,
        links,
        items,
        u_turn,
    })
}
