//! The road network: intersections, street segments between them (with OSM way
//! id, geometry, length, attributes, directions and grade), a compact CSR
//! adjacency of directed links, turn restrictions, strongly connected
//! components, and a spatial index for snapping coordinates.

mod build;
pub mod components;
pub mod geojson;
pub mod snap;
pub mod summary;
pub mod turns;

use crate::error::Result;
use crate::osm::reader::{IngestOptions, RestrictionKind, WayAttrs};
pub use components::Components;
use geo::LineString;
pub use snap::{SnapIndex, Snapped};
use std::path::Path;
use std::time::Duration;

/// An intersection or street end.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    pub osm_id: i64,
    pub lon: f64,
    pub lat: f64,
}

/// A street segment between two nodes, along one OSM way, in the way's direction.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    /// Index into [`Network::ways`].
    pub way: u32,
    pub from: u32,
    pub to: u32,
    pub length_m: f64,
    /// Traffic may drive from `from` to `to`.
    pub forward: bool,
    /// Traffic may drive from `to` to `from`.
    pub backward: bool,
    /// Grade in percent, uphill from `from` to `to` positive; `None` when unknown
    /// (no DEM, or the DEM does not cover it, and no `incline` tag).
    pub grade_pct: Option<f32>,
}

/// A directed link: segment `seg` driven forward (`dir = 0`) or backward (`1`).
/// Its id is `2 * seg + dir`.
pub type LinkId = u32;

#[inline]
pub fn link_id(seg: u32, dir: u8) -> LinkId {
    2 * seg + dir as u32
}

/// A turn restriction resolved onto the network: at node `via`, from segment
/// `from` (driven into `via`) to segment `to` (driven out of `via`).
#[derive(Clone, Copy, Debug)]
pub struct TurnRestriction {
    pub osm_id: i64,
    pub kind: RestrictionKind,
    pub from: u32,
    pub via: u32,
    pub to: u32,
}

/// What the ingest dropped or could not use, for the summary.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IngestReport {
    /// Way node references to nodes missing from the file (dropped).
    pub dangling_refs: u64,
    /// Census (README definition): node pairs of drivable ways lacking a node.
    pub census_segments_without_coordinates: u64,
    /// Ways with at least one dangling reference.
    pub ways_with_dangling_refs: u64,
    /// Ways left with no segment (all parts too short after dropping).
    pub ways_without_segments: u64,
    pub access_denied_ways: u64,
    pub reversible_ways: u64,
    pub restrictions_found: u64,
    pub restrictions_resolved: u64,
    /// Via-way restrictions (counted, not applied).
    pub restrictions_via_way: u64,
    /// Restrictions whose ways or via node are not in the network.
    pub restrictions_unresolved: u64,
    pub file_sorted: bool,
    pub header_bbox: Option<[f64; 4]>,
    /// DEM tiles loaded, and segments without a grade although a DEM was given.
    pub dem_tiles: usize,
    pub segments_without_grade: u64,
}

/// The road network.
pub struct Network {
    pub nodes: Vec<Node>,
    pub segments: Vec<Segment>,
    pub ways: Vec<WayAttrs>,
    /// Flat geometry (`[lon, lat]`), `geom_offsets[s]..geom_offsets[s+1]` for segment `s`.
    coords: Vec<[f64; 2]>,
    geom_offsets: Vec<u32>,
    /// CSR of links leaving each node: `out_links[out_offsets[n]..out_offsets[n+1]]`.
    out_offsets: Vec<u32>,
    out_links: Vec<LinkId>,
    pub restrictions: Vec<TurnRestriction>,
    pub components: Components,
    pub snap: SnapIndex,
    pub report: IngestReport,
    pub osm_counts: crate::osm::reader::OsmCounts,
    pub build_time: Duration,
}

/// The turn restrictions as lookups: `no` holds banned `(from, via, to)`
/// segment turns, `only` the allowed exits for `(from, via)`.
#[derive(Default)]
pub struct TurnBans {
    no: std::collections::HashSet<(u32, u32, u32)>,
    only: std::collections::HashMap<(u32, u32), Vec<u32>>,
}

impl TurnBans {
    /// Whether driving from segment `from` through node `via` into `to` is banned.
    pub fn banned(&self, from: u32, via: u32, to: u32) -> bool {
        self.no.contains(&(from, via, to))
            || self
                .only
                .get(&(from, via))
                .is_some_and(|o| !o.contains(&to))
    }
}

impl Network {
    /// The turn restrictions, indexed for lookups.
    pub fn turn_bans(&self) -> TurnBans {
        let mut bans = TurnBans::default();
        for r in &self.restrictions {
            match r.kind {
                RestrictionKind::No => {
                    bans.no.insert((r.from, r.via, r.to));
                }
                RestrictionKind::Only => bans.only.entry((r.from, r.via)).or_default().push(r.to),
            }
        }
        bans
    }

    /// Segments meeting at each node (a dead end has 1).
    pub fn degrees(&self) -> Vec<u32> {
        let mut degree = vec![0u32; self.nodes.len()];
        for s in &self.segments {
            degree[s.from as usize] += 1;
            if s.to != s.from {
                degree[s.to as usize] += 1;
            }
        }
        degree
    }

    /// Reads an extract (and optionally a DEM directory) into a network.
    pub fn from_file(
        path: &Path,
        dem_dir: Option<&Path>,
        options: &IngestOptions,
    ) -> Result<Network> {
        let start = std::time::Instant::now();
        let raw = crate::osm::read_extract(path, options)?;
        let mut net = build::build(path, raw, dem_dir)?;
        net.build_time = start.elapsed();
        Ok(net)
    }

    /// Where a yard (depot, refill site) at `[lon, lat]` joins the network:
    /// the nearest segment inside one component large enough to hold yards
    /// ([`Components::holds_yards`]), so that a yard beside a cut-off bit of
    /// road (a parking loop, an island's pier) joins the streets it serves.
    pub fn snap_yard(&self, p: [f64; 2]) -> Option<Snapped> {
        let comps = &self.components;
        self.snap.snap_where(self, p, |seg| {
            let g = &self.segments[seg as usize];
            comps.holds_yards(g.from) && comps.of(g.from) == comps.of(g.to)
        })
    }

    /// Geometry of a segment, `[lon, lat]` points from `from` to `to`.
    pub fn coords(&self, seg: u32) -> &[[f64; 2]] {
        &self.coords
            [self.geom_offsets[seg as usize] as usize..self.geom_offsets[seg as usize + 1] as usize]
    }

    /// Geometry of a segment as a `geo` line string.
    pub fn geometry(&self, seg: u32) -> LineString<f64> {
        LineString::from(
            self.coords(seg)
                .iter()
                .map(|c| (c[0], c[1]))
                .collect::<Vec<_>>(),
        )
    }

    pub fn way_of(&self, seg: u32) -> &WayAttrs {
        &self.ways[self.segments[seg as usize].way as usize]
    }

    /// Links leaving node `n`.
    pub fn out_links(&self, n: u32) -> &[LinkId] {
        &self.out_links
            [self.out_offsets[n as usize] as usize..self.out_offsets[n as usize + 1] as usize]
    }

    /// Tail and head node of a link.
    pub fn link_ends(&self, l: LinkId) -> (u32, u32) {
        let s = &self.segments[(l / 2) as usize];
        if l.is_multiple_of(2) {
            (s.from, s.to)
        } else {
            (s.to, s.from)
        }
    }

    pub fn num_links(&self) -> usize {
        self.out_links.len()
    }

    pub fn total_km(&self) -> f64 {
        self.segments.iter().map(|s| s.length_m).sum::<f64>() / 1000.0
    }
}
