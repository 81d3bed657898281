//! An independent checker of salt-spreading solutions (the ROAR-NET format),
//! from the instance file and the solution file alone.
//!
//! It shares nothing with the solver or with
//! [`crate::instance::salt_spreading`]: it reads both files itself (as plain
//! JSON values) and drives each route arc by arc. It checks continuity from
//! the vehicle's home, that every arc exists and is driven in a legal
//! direction, that each required arc or edge is salted exactly once (and
//! only along an allowed direction), that the load never goes below zero
//! (a depot visit tops it up by the depot's refill, to the capacity at
//! most), that no U-turn is made outside the nodes of `U`, that every route
//! ends at a depot (or, in the variant, right after its last salted road),
//! and each route's time; and it totals the length.
//!
//! Solutions are read in three forms: the arcs form (`[{"vehicle",
//! "route": [{"arc": [u, v], "salted": bool}]}]`), the nodes form
//! (`[{"id", "route": [u, v, …]}]`), and plain text node sequences, one
//! vehicle after another in the file's vehicle order, each closed by a token
//! that is not a node label (as in the practitioners' Kerteminde route).
//! Where a form does not say what was salted, a required item is taken as
//! salted the first time it is driven in an allowed direction with enough
//! salt on board.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// What the checker knows of an instance.
pub struct CheckInstance {
    name: String,
    max_time: f64,
    labels: Vec<String>,
    index: HashMap<String, usize>,
    /// `(id, capacity, home)`.
    vehicles: Vec<(String, f64, usize)>,
    /// Refill amount at each node that is a depot.
    refill: HashMap<usize, f64>,
    u_turn: Vec<bool>,
    /// Drivable arcs `(from, to)` -> their lengths, times and required item.
    arcs: HashMap<(usize, usize), Vec<ArcInfo>>,
    /// Name and demand of each required item.
    items: Vec<(String, f64)>,
}

#[derive(Clone, Copy)]
struct ArcInfo {
    len: f64,
    time: f64,
    item: Option<usize>,
}

/// One vehicle's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct VehicleFigures {
    pub id: String,
    pub arcs: usize,
    pub length_m: f64,
    pub time_min: f64,
    pub salted: usize,
    /// Depot visits before the last one (refills).
    pub refills: usize,
    pub ends_at_depot: bool,
    pub u_turns: usize,
}

/// The checker's verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub instance: String,
    pub vehicles: Vec<VehicleFigures>,
    pub length_m: f64,
    /// Forbidden U-turns, over all vehicles.
    pub u_turns: usize,
    pub violations: Vec<String>,
}

impl Check {
    pub fn feasible(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} in all, {}",
            self.instance,
            km(self.length_m),
            if self.feasible() {
                "feasible".to_string()
            } else {
                format!("NOT feasible ({} violations)", self.violations.len())
            }
        )?;
        for v in &self.vehicles {
            writeln!(
                f,
                "  vehicle {}: {} in {:.1} min, {} arcs ({} salted), {} refills, {}{}",
                v.id,
                km(v.length_m),
                v.time_min,
                v.arcs,
                v.salted,
                v.refills,
                if v.ends_at_depot {
                    "ends at a depot"
                } else {
                    "does not end at a depot"
                },
                if v.u_turns > 0 {
                    format!(", {} forbidden U-turns", v.u_turns)
                } else {
                    String::new()
                }
            )?;
        }
        for v in &self.violations {
            writeln!(f, "  violation: {v}")?;
        }
        Ok(())
    }
}

/// Kilometres with one decimal, or three below 10 km (the toy instances).
pub fn km(m: f64) -> String {
    if m.abs() < 10_000.0 {
        format!("{:.3} km", m / 1000.0)
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

fn field<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a Value, String> {
    v.get(key).ok_or_else(|| format!("{what}: no `{key}`"))
}

fn num(v: &Value, key: &str, what: &str) -> Result<f64, String> {
    field(v, key, what)?
        .as_f64()
        .ok_or_else(|| format!("{what}: `{key}` is not a number"))
}

fn text<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a str, String> {
    field(v, key, what)?
        .as_str()
        .ok_or_else(|| format!("{what}: `{key}` is not a string"))
}

fn list<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a Vec<Value>, String> {
    field(v, key, what)?
        .as_array()
        .ok_or_else(|| format!("{what}: `{key}` is not a list"))
}

fn pair(v: &Value, key: &str, what: &str) -> Result<(String, String), String> {
    let a = list(v, key, what)?;
    match a.as_slice() {
        [Value::String(x), Value::String(y)] => Ok((x.clone(), y.clone())),
        _ => Err(format!("{what}: `{key}` is not a pair of node labels")),
    }
}

impl CheckInstance {
    /// Reads an instance from its JSON text (errors name the element).
    pub fn parse(json: &str) -> Result<CheckInstance, String> {
        let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
        let mut labels = Vec::new();
        let mut index = HashMap::new();
        for (i, n) in list(&v, "nodes", "the instance")?.iter().enumerate() {
            let l = text(n, "label", &format!("nodes[{i}]"))?.to_string();
            if index.insert(l.clone(), i).is_some() {
                return Err(format!("nodes[{i}]: label \"{l}\" appears twice"));
            }
            labels.push(l);
        }
        let node = |l: &str, what: &str| {
            index
                .get(l)
                .copied()
                .ok_or_else(|| format!("{what}: node \"{l}\" is not in `nodes`"))
        };
        let mut vehicles = Vec::new();
        for (i, x) in list(&v, "vehicles", "the instance")?.iter().enumerate() {
            let what = format!("vehicles[{i}]");
            vehicles.push((
                text(x, "id", &what)?.to_string(),
                num(x, "capacity", &what)?,
                node(text(x, "home", &what)?, &what)?,
            ));
        }
        let mut refill = HashMap::new();
        for (i, x) in list(&v, "depots", "the instance")?.iter().enumerate() {
            let what = format!("depots[{i}]");
            refill.insert(
                node(text(x, "label", &what)?, &what)?,
                num(x, "refill", &what)?,
            );
        }
        let mut u_turn = vec![false; labels.len()];
        for (i, x) in list(&v, "U", "the instance")?.iter().enumerate() {
            let what = format!("U[{i}]");
            u_turn[node(text(x, "label", &what)?, &what)?] = true;
        }
        let mut arcs: HashMap<(usize, usize), Vec<ArcInfo>> = HashMap::new();
        let mut items = Vec::new();
        for (set, key, required, both) in [
            ("A", "arc", false, false),
            ("A_R", "arc", true, false),
            ("E_R", "edge", true, true),
        ] {
            for (i, x) in list(&v, set, "the instance")?.iter().enumerate() {
                let what = format!("{set}[{i}]");
                let (a, b) = pair(x, key, &what)?;
                let (a, b) = (node(&a, &what)?, node(&b, &what)?);
                let item = required.then(|| {
                    items.push((
                        format!("{what} (\"{}\"-\"{}\")", labels[a], labels[b]),
                        x.get("dem").and_then(Value::as_f64).unwrap_or(0.0),
                    ));
                    items.len() - 1
                });
                let info = ArcInfo {
                    len: num(x, "len", &what)?,
                    time: num(x, "time", &what)?,
                    item,
                };
                arcs.entry((a, b)).or_default().push(info);
                if both {
                    arcs.entry((b, a)).or_default().push(info);
                }
            }
        }
        Ok(CheckInstance {
            name: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("instance")
                .to_string(),
            max_time: num(&v, "max_time", "the instance")?,
            labels,
            index,
            vehicles,
            refill,
            u_turn,
            arcs,
            items,
        })
    }

    /// Reads a solution in any of the three forms (see the module's doc):
    /// per route, the vehicle id and the arcs `(from, to, salted)`.
    pub fn parse_solution(&self, content: &str) -> Result<Vec<SolutionRoute>, String> {
        let trimmed = content.trim_start();
        if trimmed.starts_with('[') || trimmed.starts_with('{') {
            let v: Value = serde_json::from_str(content).map_err(|e| format!("not JSON: {e}"))?;
            let routes = v
                .as_array()
                .ok_or("a solution is a list of routes, one per vehicle")?;
            let mut out = Vec::new();
            for (i, r) in routes.iter().enumerate() {
                let what = format!("route [{i}]");
                if let Some(id) = r.get("vehicle") {
                    let id = id
                        .as_str()
                        .ok_or_else(|| format!("{what}: `vehicle` is not a string"))?;
                    let mut arcs = Vec::new();
                    for (j, s) in list(r, "route", &what)?.iter().enumerate() {
                        let w = format!("{what} arc {}", j + 1);
                        let (a, b) = pair(s, "arc", &w)?;
                        let salted = field(s, "salted", &w)?
                            .as_bool()
                            .ok_or_else(|| format!("{w}: `salted` is not true or false"))?;
                        arcs.push((a, b, Some(salted)));
                    }
                    out.push(SolutionRoute {
                        vehicle: id.to_string(),
                        arcs,
                    });
                } else {
                    let id = text(r, "id", &what)?;
                    let nodes: Vec<String> = list(r, "route", &what)?
                        .iter()
                        .map(|x| x.as_str().map(str::to_string))
                        .collect::<Option<_>>()
                        .ok_or_else(|| format!("{what}: `route` is not a list of node labels"))?;
                    out.push(SolutionRoute {
                        vehicle: id.to_string(),
                        arcs: self.node_walk(&nodes),
                    });
                }
            }
            Ok(out)
        } else {
            // Node sequences, each closed by a token that is not a label.
            let mut out = Vec::new();
            let mut seq: Vec<String> = Vec::new();
            for tok in content
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
            {
                if self.index.contains_key(tok) {
                    seq.push(tok.to_string());
                } else {
                    let k = out.len();
                    let id = self.vehicles.get(k).map(|v| v.0.clone()).ok_or_else(|| {
                        format!("node sequence {} is one more than the vehicles", k + 1)
                    })?;
                    out.push(SolutionRoute {
                        vehicle: id,
                        arcs: self.node_walk(&seq),
                    });
                    seq.clear();
                }
            }
            if !seq.is_empty() {
                return Err(format!(
                    "the last node sequence (from \"{}\") is not closed",
                    seq[0]
                ));
            }
            Ok(out)
        }
    }

    /// The arcs of a node sequence; a node repeated (a stop, as at a depot)
    /// is no arc unless the instance has a loop there.
    fn node_walk(&self, nodes: &[String]) -> Vec<(String, String, Option<bool>)> {
        nodes
            .windows(2)
            .filter(|w| {
                w[0] != w[1]
                    || self
                        .index
                        .get(&w[0])
                        .is_some_and(|&n| self.arcs.contains_key(&(n, n)))
            })
            .map(|w| (w[0].clone(), w[1].clone(), None))
            .collect()
    }

    /// Checks the routes; `end_anywhere`: the variant in which a route ends
    /// right after its last salted road.
    pub fn check(&self, routes: &[SolutionRoute], end_anywhere: bool) -> Check {
        let mut violations = Vec::new();
        let mut salted_by: Vec<Vec<String>> = vec![Vec::new(); self.items.len()];
        let mut figures = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (r, route) in routes.iter().enumerate() {
            let Some(k) = self.vehicles.iter().position(|v| v.0 == route.vehicle) else {
                violations.push(format!(
                    "route [{r}]: vehicle \"{}\" is not in the instance",
                    route.vehicle
                ));
                continue;
            };
            if let Some(first) = seen.insert(&route.vehicle, r) {
                violations.push(format!(
                    "vehicle {}: has two routes ([{first}] and [{r}])",
                    route.vehicle
                ));
            }
            figures.push(self.drive(k, route, end_anywhere, &mut salted_by, &mut violations));
        }
        let mut missing = Vec::new();
        for (i, by) in salted_by.iter().enumerate() {
            match by.len() {
                0 => missing.push(self.items[i].0.clone()),
                1 => {}
                n => violations.push(format!(
                    "{} is salted {n} times (vehicles {})",
                    self.items[i].0,
                    by.join(", ")
                )),
            }
        }
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(8).map(String::as_str).collect();
            violations.push(format!(
                "{} required items are not salted: {}{}",
                missing.len(),
                shown.join(", "),
                if missing.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        Check {
            instance: self.name.clone(),
            length_m: figures.iter().map(|f| f.length_m).sum(),
            u_turns: figures.iter().map(|f| f.u_turns).sum(),
            vehicles: figures,
            violations,
        }
    }

    fn drive(
        &self,
        k: usize,
        route: &SolutionRoute,
        end_anywhere: bool,
        salted_by: &mut [Vec<String>],
        violations: &mut Vec<String>,
    ) -> VehicleFigures {
        let (id, capacity, home) = (&self.vehicles[k].0, self.vehicles[k].1, self.vehicles[k].2);
        let mut fig = VehicleFigures {
            id: id.clone(),
            arcs: route.arcs.len(),
            length_m: 0.0,
            time_min: 0.0,
            salted: 0,
            refills: 0,
            ends_at_depot: self.refill.contains_key(&home),
            u_turns: 0,
        };
        let mut load = capacity;
        let mut at = home;
        let mut prev: Option<(usize, usize)> = None;
        let mut short = false;
        let mut after_salt = 0.0;
        let mut depot_visits = 0;
        for (j, (a, b, salted)) in route.arcs.iter().enumerate() {
            let what = format!("vehicle {id}, arc {} [\"{a}\", \"{b}\"]", j + 1);
            let (Some(&u), Some(&v)) = (self.index.get(a), self.index.get(b)) else {
                violations.push(format!("{what}: names a node that is not in the instance"));
                continue;
            };
            if u != at {
                violations.push(format!(
                    "{what}: starts at \"{a}\", but the vehicle is at \"{}\" (no arc driven between)",
                    self.labels[at]
                ));
            }
            if let Some((pu, pv)) = prev {
                if pv == u && pu == v && u != v && !self.u_turn[u] {
                    fig.u_turns += 1;
                    violations.push(format!(
                        "{what}: U-turn at \"{}\" (\"{}\" -> \"{a}\" -> \"{b}\"), not allowed there",
                        self.labels[u], self.labels[pu]
                    ));
                }
            }
            let options = self.arcs.get(&(u, v)).map(Vec::as_slice).unwrap_or(&[]);
            if options.is_empty() {
                violations.push(format!(
                    "{what}: no arc or edge leads from \"{a}\" to \"{b}\""
                ));
                at = v;
                prev = Some((u, v));
                continue;
            }
            let open = |o: &&ArcInfo| o.item.is_some_and(|i| salted_by[i].is_empty());
            let used = match salted {
                Some(true) => match options
                    .iter()
                    .find(open)
                    .or_else(|| options.iter().find(|o| o.item.is_some()))
                {
                    Some(o) => Some(*o),
                    None => {
                        violations.push(format!(
                            "{what}: salted, but no required arc or edge is salted in this direction"
                        ));
                        None
                    }
                },
                Some(false) => None,
                // Inferred: the first pass that can salt does.
                None => options.iter().find(open).copied(),
            };
            let driven = used.unwrap_or_else(|| {
                *options
                    .iter()
                    .min_by(|x, y| x.len.total_cmp(&y.len))
                    .expect("options is not empty")
            });
            fig.length_m += driven.len;
            fig.time_min += driven.time;
            after_salt += driven.len;
            if let Some(i) = used.and_then(|o| o.item) {
                salted_by[i].push(id.clone());
                fig.salted += 1;
                load -= self.items[i].1;
                after_salt = 0.0;
                if load < -1e-9 && !short {
                    short = true;
                    violations.push(format!(
                        "{what}: salting {} needs {}, only {} is left (capacity {capacity})",
                        self.items[i].0,
                        self.items[i].1,
                        load + self.items[i].1
                    ));
                }
            }
            if let Some(&r) = self.refill.get(&v) {
                load = capacity.min(load + r);
                depot_visits += 1;
            }
            at = v;
            prev = Some((u, v));
        }
        if !route.arcs.is_empty() {
            fig.ends_at_depot = self.refill.contains_key(&at);
            fig.refills = depot_visits - usize::from(fig.ends_at_depot);
            if end_anywhere {
                if fig.salted > 0 && after_salt > 0.0 {
                    violations.push(format!(
                        "vehicle {id}: drives {:.0} m after its last salted road (the variant ends there)",
                        after_salt
                    ));
                }
            } else if !fig.ends_at_depot {
                violations.push(format!(
                    "vehicle {id}: ends at \"{}\", not at a depot (every trip ends at one)",
                    self.labels[at]
                ));
            }
        }
        if fig.time_min > self.max_time + 1e-6 {
            violations.push(format!(
                "vehicle {id}: drives {:.1} min, more than the {} min allowed",
                fig.time_min, self.max_time
            ));
        }
        fig
    }
}

/// One route of a solution: the vehicle and its arcs `(from, to, salted)`
/// (`None`: the form does not say).
#[derive(Clone, Debug)]
pub struct SolutionRoute {
    pub vehicle: String,
    pub arcs: Vec<(String, String, Option<bool>)>,
}
