//! Reads an `.osm.pbf` extract in one parallel pass: every node's coordinates,
//! the drivable ways with their attributes, and the turn restrictions. Blobs
//! are decoded on all cores (decompression dominates); the per-block results
//! are merged in file order, so the result does not depend on the thread count.
//!
//! Real files are messy: element order is not assumed (nodes, ways and relations
//! may come in any order), a header bbox is optional, and ways that reference
//! nodes missing from the file are handled by the network builder.

use super::tags::{self, Incline, Oneway, RoadClass};
use crate::error::{Error, Result};
use osmpbf::{BlobDecode, BlobReader, Element, RelMemberType};
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;

/// Attributes of a drivable way.
#[derive(Clone, Debug, Serialize)]
pub struct WayAttrs {
    pub osm_id: i64,
    pub class: RoadClass,
    pub name: Option<String>,
    #[serde(rename = "ref")]
    pub ref_: Option<String>,
    pub oneway: Oneway,
    pub roundabout: bool,
    pub lanes: Option<u8>,
    pub lanes_forward: Option<u8>,
    pub lanes_backward: Option<u8>,
    pub width_m: Option<f32>,
    pub maxspeed_kmh: Option<f32>,
    pub bridge: bool,
    pub tunnel: bool,
    pub incline: Option<Incline>,
    pub surface: Option<String>,
}

impl WayAttrs {
    pub fn ramp(&self) -> bool {
        self.class.is_ramp()
    }
}

#[derive(Clone, Debug)]
pub struct RawWay {
    pub attrs: WayAttrs,
    pub refs: Vec<i64>,
    /// Counted as drivable under the README census definition.
    pub census: bool,
}

/// `no_*` bans one turn; `only_*` bans every other turn from the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionKind {
    No,
    Only,
}

#[derive(Clone, Debug)]
pub struct RawRestriction {
    pub osm_id: i64,
    pub kind: RestrictionKind,
    /// The tag value, e.g. `no_left_turn`.
    pub value: String,
    pub from: Vec<i64>,
    pub via_nodes: Vec<i64>,
    pub via_ways: Vec<i64>,
    pub to: Vec<i64>,
}

/// Element counts under the definitions of `shared/data/osm/README.md`:
/// "drivable" there means `highway` in the road classes (service included),
/// `area≠yes`, `access∉{no, private}`; the tag counts are over `highway=*` ways.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct OsmCounts {
    pub nodes: u64,
    pub ways: u64,
    pub relations: u64,
    pub highway_ways: u64,
    pub drivable_ways: u64,
    pub drivable_segments: u64,
    pub bridge_yes: u64,
    pub incline: u64,
    pub link_ramps: u64,
    pub oneway_yes: u64,
    pub turn_restrictions: u64,
    pub roundabout_ways: u64,
    pub maxspeed: u64,
    pub lanes: u64,
}

impl OsmCounts {
    fn add(&mut self, o: &OsmCounts) {
        self.nodes += o.nodes;
        self.ways += o.ways;
        self.relations += o.relations;
        self.highway_ways += o.highway_ways;
        self.drivable_ways += o.drivable_ways;
        self.drivable_segments += o.drivable_segments;
        self.bridge_yes += o.bridge_yes;
        self.incline += o.incline;
        self.link_ramps += o.link_ramps;
        self.oneway_yes += o.oneway_yes;
        self.turn_restrictions += o.turn_restrictions;
        self.roundabout_ways += o.roundabout_ways;
        self.maxspeed += o.maxspeed;
        self.lanes += o.lanes;
    }
}

/// Which ways become part of the network.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Road classes kept (default: all of [`RoadClass::ALL`]).
    pub classes: Vec<RoadClass>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            classes: RoadClass::ALL.to_vec(),
        }
    }
}

/// Everything the network builder needs from the file.
pub struct RawExtract {
    /// Node ids, ascending, and their coordinates in 1e-7 degrees `[lon, lat]`.
    pub node_ids: Vec<i64>,
    pub node_coords: Vec<[i32; 2]>,
    pub ways: Vec<RawWay>,
    pub restrictions: Vec<RawRestriction>,
    pub header_bbox: Option<[f64; 4]>,
    pub counts: OsmCounts,
    /// Ways dropped for `oneway=reversible|alternating`.
    pub reversible_ways: u64,
    /// Ways dropped for access (`no`/`private` on the most specific key).
    pub access_denied_ways: u64,
    /// Nodes, ways and relations came in that order.
    pub sorted: bool,
    /// Node references of census-drivable ways that the network does not keep
    /// (for the census count of segments without coordinates).
    pub census_only_refs: Vec<Vec<i64>>,
}

#[derive(Default)]
struct BlockOut {
    node_ids: Vec<i64>,
    node_coords: Vec<[i32; 2]>,
    ways: Vec<RawWay>,
    restrictions: Vec<RawRestriction>,
    counts: OsmCounts,
    reversible: u64,
    denied: u64,
    /// Element kinds in this block: bit 0 nodes, 1 ways, 2 relations.
    kinds: u8,
    header_bbox: Option<[f64; 4]>,
    census_only_refs: Vec<Vec<i64>>,
}

/// Reads `path` with the given options.
pub fn read_extract(path: &Path, options: &IngestOptions) -> Result<RawExtract> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::invalid(path, "is a directory, not an .osm.pbf file"));
    }
    if meta.len() == 0 {
        return Err(Error::invalid(path, "the file is empty"));
    }
    let reader = BlobReader::from_path(path)
        .map_err(|e| Error::invalid(path, format!("cannot open: {e}")))?;
    let mut outs: Vec<(usize, Result<BlockOut>)> = reader
        .enumerate()
        .par_bridge()
        .map(|(i, blob)| {
            let out = blob
                .map_err(|e| {
                    Error::invalid(
                        path,
                        format!("not a readable OSM PBF file (block {}): {e}", i + 1),
                    )
                })
                .and_then(|b| {
                    decode_block(&b, options)
                        .map_err(|e| Error::invalid(path, format!("corrupt block {}: {e}", i + 1)))
                });
            (i, out)
        })
        .collect();
    outs.sort_unstable_by_key(|(i, _)| *i);

    let mut blocks = Vec::with_capacity(outs.len());
    for (_, o) in outs {
        blocks.push(o?);
    }
    if blocks.is_empty() {
        return Err(Error::invalid(path, "no OSM data in the file"));
    }
    let mut counts = OsmCounts::default();
    let mut header_bbox = None;
    let mut sorted = true;
    let mut highest_kind = 0u8;
    let (mut n_nodes, mut n_ways, mut n_rels) = (0, 0, 0);
    for b in &blocks {
        counts.add(&b.counts);
        header_bbox = header_bbox.or(b.header_bbox);
        for bit in 0..3 {
            if b.kinds & (1 << bit) != 0 {
                if bit < highest_kind {
                    sorted = false;
                }
                highest_kind = highest_kind.max(bit);
            }
        }
        n_nodes += b.node_ids.len();
        n_ways += b.ways.len();
        n_rels += b.restrictions.len();
    }
    let mut node_ids = Vec::with_capacity(n_nodes);
    let mut node_coords = Vec::with_capacity(n_nodes);
    let mut ways = Vec::with_capacity(n_ways);
    let mut restrictions = Vec::with_capacity(n_rels);
    let (mut reversible_ways, mut access_denied_ways) = (0, 0);
    let mut census_only_refs = Vec::new();
    for b in blocks {
        census_only_refs.extend(b.census_only_refs);
        node_ids.extend_from_slice(&b.node_ids);
        node_coords.extend_from_slice(&b.node_coords);
        ways.extend(b.ways);
        restrictions.extend(b.restrictions);
        reversible_ways += b.reversible;
        access_denied_ways += b.denied;
    }
    if !node_ids.windows(2).all(|w| w[0] < w[1]) {
        // Unsorted ids: sort by id.
        let mut idx: Vec<usize> = (0..node_ids.len()).collect();
        idx.sort_by_key(|&i| node_ids[i]);
        node_coords = idx.iter().map(|&i| node_coords[i]).collect();
        node_ids = idx.iter().map(|&i| node_ids[i]).collect();
    }
    // An id twice is a broken file (most often two extracts concatenated):
    // read as it is, every street would count twice.
    let dup_nodes: Vec<i64> = node_ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    let mut way_ids: Vec<i64> = ways.iter().map(|w| w.attrs.osm_id).collect();
    way_ids.sort_unstable();
    let dup_ways: Vec<i64> = way_ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    if !dup_nodes.is_empty() || !dup_ways.is_empty() {
        let first = match (dup_nodes.first(), dup_ways.first()) {
            (Some(n), _) => format!("OSM node {n}"),
            (None, Some(w)) => format!("OSM way {w}"),
            (None, None) => unreachable!("checked"),
        };
        return Err(Error::invalid(
            path,
            format!(
                "{first} appears more than once ({} duplicate node ids, {} duplicate way ids): \
                 the file holds the same elements twice, as two extracts joined end to end do; \
                 merge extracts with `osmium merge` instead",
                dup_nodes.len(),
                dup_ways.len()
            ),
        ));
    }
    Ok(RawExtract {
        node_ids,
        node_coords,
        ways,
        restrictions,
        header_bbox,
        counts,
        reversible_ways,
        access_denied_ways,
        sorted,
        census_only_refs,
    })
}

fn decode_block(
    blob: &osmpbf::Blob,
    options: &IngestOptions,
) -> std::result::Result<BlockOut, osmpbf::Error> {
    let mut out = BlockOut::default();
    match blob.decode()? {
        BlobDecode::OsmHeader(h) => {
            out.header_bbox = h.bbox().map(|b| [b.left, b.bottom, b.right, b.top]);
        }
        BlobDecode::OsmData(block) => {
            block.for_each_element(|el| match el {
                Element::DenseNode(n) => {
                    out.kinds |= 1;
                    out.counts.nodes += 1;
                    out.node_ids.push(n.id());
                    out.node_coords.push([n.decimicro_lon(), n.decimicro_lat()]);
                }
                Element::Node(n) => {
                    out.kinds |= 1;
                    out.counts.nodes += 1;
                    out.node_ids.push(n.id());
                    out.node_coords.push([n.decimicro_lon(), n.decimicro_lat()]);
                }
                Element::Way(w) => {
                    out.kinds |= 2;
                    way(&w, options, &mut out);
                }
                Element::Relation(r) => {
                    out.kinds |= 4;
                    relation(&r, &mut out);
                }
            });
        }
        BlobDecode::Unknown(_) => {}
    }
    Ok(out)
}

fn way(w: &osmpbf::Way, options: &IngestOptions, out: &mut BlockOut) {
    let c = &mut out.counts;
    c.ways += 1;
    let tags: Vec<(&str, &str)> = w.tags().collect();
    let get = |k: &str| tags.iter().find(|(a, _)| *a == k).map(|(_, v)| *v);
    let Some(highway) = get("highway") else {
        return;
    };
    c.highway_ways += 1;
    if get("bridge") == Some("yes") {
        c.bridge_yes += 1;
    }
    if get("incline").is_some() {
        c.incline += 1;
    }
    if get("oneway") == Some("yes") {
        c.oneway_yes += 1;
    }
    if get("junction") == Some("roundabout") {
        c.roundabout_ways += 1;
    }
    if get("maxspeed").is_some() {
        c.maxspeed += 1;
    }
    if get("lanes").is_some() {
        c.lanes += 1;
    }
    if highway.ends_with("_link") {
        c.link_ramps += 1;
    }
    let Some(class) = RoadClass::from_tag(highway) else {
        return;
    };
    let area = get("area") == Some("yes");
    let census = !area && !matches!(get("access"), Some("no" | "private"));
    if census {
        c.drivable_ways += 1;
        c.drivable_segments += w.refs().len().saturating_sub(1) as u64;
    }
    let dropped = |out: &mut BlockOut| {
        if census {
            out.census_only_refs.push(w.refs().collect());
        }
    };
    if area || !options.classes.contains(&class) {
        dropped(out);
        return;
    }
    if !tags::access_allowed(|k| get(k).map(str::to_string)) {
        out.denied += 1;
        dropped(out);
        return;
    }
    let oneway = tags::oneway(get("oneway"), get("junction"), class);
    if oneway == Oneway::Reversible {
        out.reversible += 1;
        dropped(out);
        return;
    }
    let attrs = WayAttrs {
        osm_id: w.id(),
        class,
        name: get("name").map(str::to_string),
        ref_: get("ref").map(str::to_string),
        oneway,
        roundabout: matches!(get("junction"), Some("roundabout" | "circular")),
        lanes: get("lanes").and_then(tags::lanes),
        lanes_forward: get("lanes:forward").and_then(tags::lanes),
        lanes_backward: get("lanes:backward").and_then(tags::lanes),
        width_m: get("width").and_then(tags::width_m),
        maxspeed_kmh: get("maxspeed").and_then(tags::maxspeed_kmh),
        bridge: tags::flag(get("bridge")),
        tunnel: tags::flag(get("tunnel")),
        incline: get("incline").and_then(tags::incline),
        surface: get("surface").map(str::to_string),
    };
    out.ways.push(RawWay {
        attrs,
        refs: w.refs().collect(),
        census,
    });
}

fn relation(r: &osmpbf::Relation, out: &mut BlockOut) {
    out.counts.relations += 1;
    let tags: Vec<(&str, &str)> = r.tags().collect();
    let get = |k: &str| tags.iter().find(|(a, _)| *a == k).map(|(_, v)| *v);
    let Some(ty) = get("type") else {
        return;
    };
    if ty != "restriction" && !ty.starts_with("restriction:") {
        return;
    }
    out.counts.turn_restrictions += 1;
    let value = [
        "restriction",
        "restriction:motorcar",
        "restriction:hgv",
        "restriction:motor_vehicle",
    ]
    .iter()
    .find_map(|k| get(k));
    let Some(value) = value else {
        return;
    };
    let kind = if value.starts_with("no_") {
        RestrictionKind::No
    } else if value.starts_with("only_") {
        RestrictionKind::Only
    } else {
        return;
    };
    let mut res = RawRestriction {
        osm_id: r.id(),
        kind,
        value: value.to_string(),
        from: Vec::new(),
        via_nodes: Vec::new(),
        via_ways: Vec::new(),
        to: Vec::new(),
    };
    for m in r.members() {
        let role = m.role().unwrap_or("");
        match (role, m.member_type) {
            ("from", RelMemberType::Way) => res.from.push(m.member_id),
            ("to", RelMemberType::Way) => res.to.push(m.member_id),
            ("via", RelMemberType::Node) => res.via_nodes.push(m.member_id),
            ("via", RelMemberType::Way) => res.via_ways.push(m.member_id),
            _ => {}
        }
    }
    out.restrictions.push(res);
}
