//! From the raw extract to the network: ways are cut at intersections (nodes
//! shared by two or more way positions, way ends, and restriction via nodes)
//! into segments; references to nodes missing from the file split a way into
//! the parts that remain (they are counted, never a panic).

use super::{components, snap, IngestReport, Network, Node, Segment, TurnRestriction};
use crate::error::{Error, Result};
use crate::geodesy::{bearing_deg, distance_m};
use crate::osm::reader::RawExtract;
use crate::osm::tags::{Incline, Oneway};
use crate::terrain::{grade, Dem};
use std::collections::HashMap;
use std::path::Path;

const NONE: u32 = u32::MAX;

pub(super) fn build(path: &Path, raw: RawExtract, dem_dir: Option<&Path>) -> Result<Network> {
    let RawExtract {
        node_ids,
        node_coords,
        ways: raw_ways,
        restrictions: raw_restrictions,
        header_bbox,
        counts,
        reversible_ways,
        access_denied_ways,
        sorted,
        census_only_refs,
    } = raw;
    let mut report = IngestReport {
        access_denied_ways,
        reversible_ways,
        file_sorted: sorted,
        header_bbox,
        ..Default::default()
    };
    // The README census: node pairs of drivable ways with a node missing. Ways
    // the network keeps are counted below, from their resolved references.
    let has = |id: &i64| node_ids.binary_search(id).is_ok();
    report.census_segments_without_coordinates = census_only_refs
        .iter()
        .map(|r| r.windows(2).filter(|p| !has(&p[0]) || !has(&p[1])).count() as u64)
        .sum();
    let coord = |i: usize| {
        [
            node_coords[i][0] as f64 * 1e-7,
            node_coords[i][1] as f64 * 1e-7,
        ]
    };

    // Resolve references; count uses of each node over all way positions.
    let mut uses = vec![0u8; node_ids.len()];
    let mut resolved: Vec<Vec<u32>> = Vec::with_capacity(raw_ways.len());
    for w in &raw_ways {
        let mut r = Vec::with_capacity(w.refs.len());
        let mut missing = 0;
        for id in &w.refs {
            match node_ids.binary_search(id) {
                Ok(i) => {
                    // A node repeated back to back is one position.
                    if r.last() != Some(&(i as u32)) {
                        r.push(i as u32);
                        uses[i] = uses[i].saturating_add(1);
                    }
                }
                Err(_) => {
                    missing += 1;
                    r.push(NONE);
                }
            }
        }
        if missing > 0 {
            report.dangling_refs += missing;
            report.ways_with_dangling_refs += 1;
            if w.census {
                // A repeated node folded above never neighbours a missing one,
                // so these pairs are the file's pairs.
                report.census_segments_without_coordinates += r
                    .windows(2)
                    .filter(|p| p[0] == NONE || p[1] == NONE)
                    .count() as u64;
            }
        }
        resolved.push(r);
    }
    let mut split_here = uses.iter().map(|&u| u >= 2).collect::<Vec<bool>>();
    for r in &raw_restrictions {
        for v in &r.via_nodes {
            if let Ok(i) = node_ids.binary_search(v) {
                split_here[i] = true;
            }
        }
    }

    // Cut ways into segments.
    let mut net_node = vec![NONE; node_ids.len()];
    let mut nodes: Vec<Node> = Vec::new();
    let mut node_of = |i: u32, nodes: &mut Vec<Node>| -> u32 {
        let slot = &mut net_node[i as usize];
        if *slot == NONE {
            *slot = nodes.len() as u32;
            let c = coord(i as usize);
            nodes.push(Node {
                osm_id: node_ids[i as usize],
                lon: c[0],
                lat: c[1],
            });
        }
        *slot
    };
    let mut segments = Vec::new();
    let mut coords: Vec<[f64; 2]> = Vec::new();
    let mut offsets = vec![0u32];
    let mut ways = Vec::with_capacity(raw_ways.len());
    let mut way_segments: Vec<(u32, u32)> = Vec::with_capacity(raw_ways.len());
    for (w, refs) in raw_ways.into_iter().zip(resolved) {
        let way_index = ways.len() as u32;
        let (forward, backward) = match w.attrs.oneway {
            Oneway::Forward => (true, false),
            Oneway::Backward => (false, true),
            _ => (true, true),
        };
        let first_seg = segments.len() as u32;
        for run in refs.split(|&r| r == NONE) {
            if run.len() < 2 {
                continue;
            }
            let mut start = node_of(run[0], &mut nodes);
            let mut length = 0.0;
            coords.push(coord(run[0] as usize));
            for k in 1..run.len() {
                let c = coord(run[k] as usize);
                length += distance_m(*coords.last().expect("segment start"), c);
                coords.push(c);
                if split_here[run[k] as usize] || k + 1 == run.len() {
                    let end = node_of(run[k], &mut nodes);
                    segments.push(Segment {
                        way: way_index,
                        from: start,
                        to: end,
                        length_m: length,
                        forward,
                        backward,
                        grade_pct: None,
                    });
                    offsets.push(coords.len() as u32);
                    if k + 1 < run.len() {
                        coords.push(c);
                    }
                    start = end;
                    length = 0.0;
                }
            }
        }
        if segments.len() as u32 == first_seg {
            report.ways_without_segments += 1;
        }
        way_segments.push((first_seg, segments.len() as u32));
        ways.push(w.attrs);
    }
    drop(net_node);
    if segments.is_empty() {
        return Err(Error::invalid(path, "no drivable road in the extract"));
    }

    // Turn restrictions onto segments.
    let way_index: HashMap<i64, usize> = ways
        .iter()
        .enumerate()
        .map(|(i, w)| (w.osm_id, i))
        .collect();
    let node_index: HashMap<i64, u32> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.osm_id, i as u32))
        .collect();
    let mut restrictions = Vec::new();
    for r in &raw_restrictions {
        report.restrictions_found += 1;
        if !r.via_ways.is_empty() || r.via_nodes.len() != 1 {
            report.restrictions_via_way += 1;
            continue;
        }
        let via = node_index.get(&r.via_nodes[0]).copied();
        let (Some(via), [from_way], [to_way]) = (via, r.from.as_slice(), r.to.as_slice()) else {
            report.restrictions_unresolved += 1;
            continue;
        };
        let (Some(&fw), Some(&tw)) = (way_index.get(from_way), way_index.get(to_way)) else {
            report.restrictions_unresolved += 1;
            continue;
        };
        let touching = |w: usize| -> Vec<u32> {
            let (a, b) = way_segments[w];
            (a..b)
                .filter(|&s| segments[s as usize].from == via || segments[s as usize].to == via)
                .collect()
        };
        let (froms, tos) = (touching(fw), touching(tw));
        // Heading into `via` along a candidate `from`, out of it along a `to`.
        let bearing_at = |s: u32, into: bool| -> f64 {
            let g = &coords[offsets[s as usize] as usize..offsets[s as usize + 1] as usize];
            let at_end = segments[s as usize].to == via;
            let (a, b) = match (into, at_end) {
                (true, true) => (g[g.len() - 2], g[g.len() - 1]),
                (true, false) => (g[1], g[0]),
                (false, true) => (g[g.len() - 1], g[g.len() - 2]),
                (false, false) => (g[0], g[1]),
            };
            bearing_deg(a, b)
        };
        let wanted = turn_angle_of(&r.value);
        let mut best: Option<(f64, u32, u32)> = None;
        for &f in &froms {
            for &t in &tos {
                if f == t && !r.value.contains("u_turn") {
                    continue;
                }
                let turn =
                    (bearing_at(t, false) - bearing_at(f, true) + 540.0).rem_euclid(360.0) - 180.0;
                let miss = wanted.map_or(0.0, |w| angle_diff(turn, w));
                if best.is_none_or(|(m, _, _)| miss < m) {
                    best = Some((miss, f, t));
                }
            }
        }
        match best {
            Some((_, from, to)) => {
                report.restrictions_resolved += 1;
                restrictions.push(TurnRestriction {
                    osm_id: r.osm_id,
                    kind: r.kind,
                    from,
                    via,
                    to,
                });
            }
            None => report.restrictions_unresolved += 1,
        }
    }

    // Grades: from the DEM along each way, `incline` tags override.
    if let Some(dir) = dem_dir {
        let mut cells: Vec<(i32, i32)> = nodes
            .iter()
            .map(|n| (n.lon.floor() as i32, n.lat.floor() as i32))
            .collect();
        cells.sort_unstable();
        cells.dedup();
        let dem = Dem::load(dir, &cells)?;
        if dem.tile_count() == 0 {
            return Err(Error::invalid(
                dir,
                format!(
                    "no DEM tile covers the network (looked for {})",
                    cells
                        .iter()
                        .take(4)
                        .map(|&(x, y)| crate::terrain::hgt::tile_name(x, y))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        report.dem_tiles = dem.tile_count();
        apply_dem_grades(&dem, &ways, &way_segments, &mut segments, &coords, &offsets);
        report.segments_without_grade =
            segments.iter().filter(|s| s.grade_pct.is_none()).count() as u64;
    }
    apply_incline_tags(&ways, &way_segments, &mut segments);

    // CSR of links.
    let n = nodes.len();
    let mut out_offsets = vec![0u32; n + 1];
    for s in &segments {
        if s.forward {
            out_offsets[s.from as usize + 1] += 1;
        }
        if s.backward {
            out_offsets[s.to as usize + 1] += 1;
        }
    }
    for i in 0..n {
        out_offsets[i + 1] += out_offsets[i];
    }
    let mut fill = out_offsets.clone();
    let mut out_links = vec![0u32; out_offsets[n] as usize];
    for (i, s) in segments.iter().enumerate() {
        if s.forward {
            out_links[fill[s.from as usize] as usize] = super::link_id(i as u32, 0);
            fill[s.from as usize] += 1;
        }
        if s.backward {
            out_links[fill[s.to as usize] as usize] = super::link_id(i as u32, 1);
            fill[s.to as usize] += 1;
        }
    }

    let (components, snap) = rayon::join(
        || components::strongly_connected(n, &segments),
        || snap::SnapIndex::build(&nodes, &segments, &coords, &offsets),
    );
    Ok(Network {
        nodes,
        segments,
        ways,
        coords,
        geom_offsets: offsets,
        out_offsets,
        out_links,
        restrictions,
        components,
        snap,
        report,
        osm_counts: counts,
        build_time: Default::default(),
    })
}

/// The turn a restriction value names, degrees (left positive is -90 here:
/// bearings grow clockwise, so a left turn changes the heading by -90).
fn turn_angle_of(value: &str) -> Option<f64> {
    let v = value.trim_start_matches("no_").trim_start_matches("only_");
    match v {
        "left_turn" => Some(-90.0),
        "right_turn" => Some(90.0),
        "straight_on" => Some(0.0),
        "u_turn" => Some(180.0),
        _ => None,
    }
}

fn angle_diff(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

fn apply_dem_grades(
    dem: &Dem,
    ways: &[crate::osm::reader::WayAttrs],
    way_segments: &[(u32, u32)],
    segments: &mut [Segment],
    coords: &[[f64; 2]],
    offsets: &[u32],
) {
    use rayon::prelude::*;
    // One profile per connected run of a way's segments.
    let grades: Vec<Vec<(u32, Option<f32>)>> = way_segments
        .par_iter()
        .enumerate()
        .map(|(w, &(a, b))| {
            let mut out = Vec::new();
            let mut k = a;
            while k < b {
                // A run: consecutive segments sharing end and start.
                let mut e = k + 1;
                while e < b && segments[e as usize].from == segments[e as usize - 1].to {
                    e += 1;
                }
                let mut line: Vec<[f64; 2]> = Vec::new();
                let mut bounds = Vec::new();
                let mut along = 0.0;
                for s in k..e {
                    let g = &coords[offsets[s as usize] as usize..offsets[s as usize + 1] as usize];
                    if line.is_empty() {
                        line.extend_from_slice(g);
                    } else {
                        line.extend_from_slice(&g[1..]);
                    }
                    let len = segments[s as usize].length_m;
                    bounds.push((s, along, along + len));
                    along += len;
                }
                let prof = grade::profile(dem, &line);
                let structure = ways[w].bridge || ways[w].tunnel;
                let straight = if structure {
                    prof.end_to_end(along)
                } else {
                    None
                };
                for (s, lo, hi) in bounds {
                    let g = if structure {
                        straight
                    } else {
                        prof.grade(lo, hi, along)
                    };
                    out.push((s, g.map(|x| x as f32)));
                }
                k = e;
            }
            out
        })
        .collect();
    for list in grades {
        for (s, g) in list {
            segments[s as usize].grade_pct = g;
        }
    }
}

fn apply_incline_tags(
    ways: &[crate::osm::reader::WayAttrs],
    way_segments: &[(u32, u32)],
    segments: &mut [Segment],
) {
    for (w, &(a, b)) in way_segments.iter().enumerate() {
        let Some(inc) = ways[w].incline else { continue };
        for s in &mut segments[a as usize..b as usize] {
            s.grade_pct = match inc {
                Incline::Percent(p) => Some(p),
                Incline::Up => s.grade_pct.map(f32::abs),
                Incline::Down => s.grade_pct.map(|g| -g.abs()),
            };
        }
    }
}
