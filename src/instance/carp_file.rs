//! Readers for the CARP benchmark files: CARPLIB (Spanish keywords: gdb, val,
//! egl, and the 0-based Hefei files), its English-keyword variant (`kw-large`),
//! and the mixed MCARP format (`Lpr-*`, `mval*`: required edges and arcs with
//! separate service and traversal costs, and a dumping cost per trip).
//!
//! The files are parsed by keyword, not by position (the Hefei files carry an
//! empty list header that breaks positional readers). `COSTE_TOTAL_REQ` is ignored:
//! it is wrong in every val file. Node ids are 1-based, except in files that use
//! node 0 (Hefei, kw-large), which are 0-based.

use super::{Fleet, Instance, InstanceSpec, Link, Task, TaskKind};
use crate::error::{Error, Result};
use std::path::Path;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    None,
    ReqEdges,
    NoreqEdges,
    ReqArcs,
    NoreqArcs,
}

struct RawLink {
    line: usize,
    from: i64,
    to: i64,
    serve: i64,
    trav: i64,
    demand: i64,
}

/// Reads a benchmark file into an instance (fleet left free, as in the literature).
pub fn read(path: &Path) -> Result<Instance> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text)
}

/// Parses the text of a benchmark file; `path` only names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<Instance> {
    let mut name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut vertices: Option<(usize, usize)> = None;
    let mut vehicles: Option<usize> = None;
    let mut capacity: Option<(i64, usize)> = None;
    let mut depot: Option<(i64, usize)> = None;
    let mut dumping = 0i64;
    let mut declared: Vec<(Section, usize, usize)> = Vec::new();
    let mut lists: [Vec<RawLink>; 5] = Default::default();
    let mut section = Section::None;

    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let line = raw.trim();
        // A line of dashes separates the header in most kw-large files.
        if line.is_empty() || line == "END" || line.chars().all(|c| c == '-') {
            continue;
        }
        if line.starts_with('(') {
            if section == Section::None {
                return Err(Error::parse(
                    path,
                    line_no,
                    "a link line outside any link list",
                ));
            }
            let link = parse_link(line).map_err(|m| Error::parse(path, line_no, m))?;
            lists[section as usize].push(RawLink {
                line: line_no,
                ..link
            });
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(Error::parse(path, line_no, format!("cannot read `{line}`")));
        };
        let key = key.trim().to_ascii_uppercase().replace(' ', "_");
        let value = value.trim();
        let num = |what: &str| -> Result<i64> {
            value
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<i64>().ok())
                .ok_or_else(|| {
                    Error::parse(
                        path,
                        line_no,
                        format!("{what} `{value}` is not a whole number"),
                    )
                })
        };
        section = Section::None;
        match key.as_str() {
            "NOMBRE" | "NAME" => name = value.trim_end_matches(".dat").to_string(),
            "COMENTARIO"
            | "UPPER_BOUND"
            | "TIPO_COSTES_ARISTAS"
            | "TIPO_COSTES"
            | "COSTE_TOTAL_REQ" => {}
            "VERTICES" | "NODES" => {
                let v = num(&key)?;
                if v <= 0 {
                    return Err(Error::parse(
                        path,
                        line_no,
                        "the number of vertices must be positive",
                    ));
                }
                vertices = Some((v as usize, line_no));
            }
            "VEHICULOS" | "VEHICLES" => vehicles = Some(num(&key)?.max(0) as usize),
            "CAPACIDAD" | "CAPACITY" => capacity = Some((num(&key)?, line_no)),
            "DEPOSITO" | "DEPOT" => depot = Some((num(&key)?, line_no)),
            "DUMPING_COST" => dumping = num(&key)?,
            "ARISTAS_REQ" | "EDGES_REQ" | "REQ_EDGES" => {
                declared.push((Section::ReqEdges, num(&key)? as usize, line_no))
            }
            "ARISTAS_NOREQ" | "EDGES_NOREQ" | "NOREQ_EDGES" => {
                declared.push((Section::NoreqEdges, num(&key)? as usize, line_no))
            }
            "REQ_ARCS" => declared.push((Section::ReqArcs, num(&key)? as usize, line_no)),
            "NOREQ_ARCS" => declared.push((Section::NoreqArcs, num(&key)? as usize, line_no)),
            "LISTA_ARISTAS_REQ" | "EDGE_REQ_LIST" | "LIST_REQ_EDGES" => section = Section::ReqEdges,
            "LISTA_ARISTAS_NOREQ" | "EDGE_NOREQ_LIST" | "LIST_NOREQ_EDGES" => {
                section = Section::NoreqEdges
            }
            "LIST_REQ_ARCS" => section = Section::ReqArcs,
            "LIST_NOREQ_ARCS" => section = Section::NoreqArcs,
            _ => {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!("unknown keyword `{}`", key),
                ))
            }
        }
    }

    let (vertices, vertices_line) =
        vertices.ok_or_else(|| Error::invalid(path, "no VERTICES / NODES line"))?;
    let (capacity, cap_line) =
        capacity.ok_or_else(|| Error::invalid(path, "no CAPACIDAD / CAPACITY line"))?;
    let (depot, depot_line) =
        depot.ok_or_else(|| Error::invalid(path, "no DEPOSITO / DEPOT line"))?;
    if capacity <= 0 {
        return Err(Error::parse(
            path,
            cap_line,
            "the capacity must be positive",
        ));
    }
    for (sec, count, line) in declared {
        let got = lists[sec as usize].len();
        if got != count {
            return Err(Error::parse(
                path,
                line,
                format!("declares {count} links but its list has {got}"),
            ));
        }
    }

    // Every array is sized by the node count: check it against what the
    // file holds before anything is allocated (a node no link touches is
    // never visited; a count far above the links' ends is a typo).
    let links_in_file: usize = lists.iter().map(|l| l.len()).sum();
    let most = 2 * links_in_file + 1;
    if vertices > most || vertices > u32::MAX as usize / 2 {
        return Err(Error::parse(
            path,
            vertices_line,
            format!(
                "declares {vertices} vertices, but its {links_in_file} links touch at most {most}: \
                 is the number mistyped?"
            ),
        ));
    }
    // 0-based files use node 0; 1-based files never do.
    let zero_based = depot == 0 || lists.iter().flatten().any(|l| l.from == 0 || l.to == 0);
    let base: i64 = if zero_based { 0 } else { 1 };
    let to_node = |id: i64, line: usize| -> Result<u32> {
        let n = id - base;
        if n < 0 || n as usize >= vertices {
            Err(Error::parse(
                path,
                line,
                format!(
                    "node {id} is outside 1..{vertices} (ids are {}-based here)",
                    base
                ),
            ))
        } else {
            Ok(n as u32)
        }
    };

    let mut tasks = Vec::new();
    for (sec, kind) in [
        (Section::ReqEdges, TaskKind::Edge),
        (Section::ReqArcs, TaskKind::Arc),
    ] {
        for l in &lists[sec as usize] {
            tasks.push(Task {
                class: None,
                from: to_node(l.from, l.line)?,
                to: to_node(l.to, l.line)?,
                kind,
                demand: l.demand,
                serve_cost: l.serve,
                deadhead_cost: l.trav,
            });
        }
    }
    let mut links = Vec::new();
    for (sec, directed) in [(Section::NoreqEdges, false), (Section::NoreqArcs, true)] {
        for l in &lists[sec as usize] {
            links.push(Link {
                from: to_node(l.from, l.line)?,
                to: to_node(l.to, l.line)?,
                cost: l.trav,
                directed,
            });
        }
    }
    let depot = to_node(depot, depot_line)?;
    Instance::new(InstanceSpec {
        name,
        num_nodes: vertices,
        depot,
        capacity,
        fleet: Fleet::Unlimited,
        vehicles_in_file: vehicles,
        route_fixed_cost: dumping,
        tasks,
        links,
        node_id_base: base as u32,
    })
    .map_err(|m| Error::invalid(path, m))
}

/// `( i, j)  coste c demanda d`, `( i, j) cost c demand d`,
/// `( i, j) serv_cost s trav_cost t demand d`, `( i, j) cost c`.
fn parse_link(line: &str) -> std::result::Result<RawLink, String> {
    let close = line.find(')').ok_or("missing `)`")?;
    let inner = &line[1..close];
    let (a, b) = inner.split_once(',').ok_or("expected `( i, j)`")?;
    let from = a
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("bad node `{}`", a.trim()))?;
    let to = b
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("bad node `{}`", b.trim()))?;
    let mut serve = None;
    let mut trav = None;
    let mut demand = None;
    let words: Vec<&str> = line[close + 1..].split_whitespace().collect();
    if !words.len().is_multiple_of(2) {
        return Err(format!(
            "expected `key value` pairs after the nodes, got `{}`",
            words.join(" ")
        ));
    }
    for pair in words.chunks(2) {
        let v = pair[1]
            .parse::<i64>()
            .map_err(|_| format!("`{}` of `{}` is not a whole number", pair[1], pair[0]))?;
        if v < 0 {
            return Err(format!("`{}` is negative", pair[0]));
        }
        match pair[0].to_ascii_lowercase().as_str() {
            "coste" | "cost" => {
                serve = Some(v);
                trav = Some(v);
            }
            "serv_cost" => serve = Some(v),
            "trav_cost" => trav = Some(v),
            "demanda" | "demand" => demand = Some(v),
            other => return Err(format!("unknown field `{other}`")),
        }
    }
    let trav = trav.ok_or("no cost")?;
    Ok(RawLink {
        line: 0,
        from,
        to,
        serve: serve.unwrap_or(trav),
        trav,
        demand: demand.unwrap_or(0),
    })
}
