//! The network summary printed by `arcplan network` (text, or one JSON object).

use super::{Components, IngestReport, Network};
use crate::osm::reader::OsmCounts;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Debug, Serialize, Default, PartialEq)]
pub struct CountKm {
    pub segments: usize,
    pub km: f64,
}

impl CountKm {
    fn add(&mut self, km: f64) {
        self.segments += 1;
        self.km += km;
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct GradeSummary {
    pub known: CountKm,
    pub unknown: CountKm,
    /// |grade| ≥ 4 % and ≥ 8 %.
    pub ge_4_pct: CountKm,
    pub ge_8_pct: CountKm,
    /// Percentiles of |grade| weighted by length (%).
    pub p50_abs_pct: f64,
    pub p95_abs_pct: f64,
    pub max_abs_pct: f64,
}

/// The extent of the network's intersections, from the data (an extract's
/// header may have no bounding box, or a larger one).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Extent {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
    /// `[lon, lat]` of the box's middle.
    pub centre: [f64; 2],
    pub width_km: f64,
    pub height_km: f64,
}

impl Extent {
    fn of(net: &Network) -> Option<Extent> {
        let first = net.nodes.first()?;
        let (mut a, mut b) = ([first.lon, first.lat], [first.lon, first.lat]);
        for n in &net.nodes {
            a = [a[0].min(n.lon), a[1].min(n.lat)];
            b = [b[0].max(n.lon), b[1].max(n.lat)];
        }
        let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        let d = crate::geodesy::distance_m;
        Some(Extent {
            min_lon: a[0],
            min_lat: a[1],
            max_lon: b[0],
            max_lat: b[1],
            centre: mid,
            width_km: d([a[0], mid[1]], [b[0], mid[1]]) / 1000.0,
            height_km: d([mid[0], a[1]], [mid[0], b[1]]) / 1000.0,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// `None` for a network without intersections.
    pub extent: Option<Extent>,
    pub intersections: usize,
    pub segments: usize,
    /// Directed links (a two-way segment is two).
    pub links: usize,
    pub km: f64,
    pub km_by_class: BTreeMap<&'static str, f64>,
    pub oneway: CountKm,
    /// Share of the network's length that is one-way.
    pub oneway_share: f64,
    pub roundabout: CountKm,
    pub bridges: CountKm,
    pub bridge_ways: usize,
    pub tunnels: CountKm,
    pub ramps: CountKm,
    /// `None` when neither a DEM nor any `incline` tag gives grades.
    pub grade: Option<GradeSummary>,
    pub turn_restrictions_applied: usize,
    pub components: Components,
    pub ingest: IngestReport,
    /// Counts under the definitions of `shared/data/osm/README.md`.
    pub osm_counts: OsmCounts,
    pub seconds: f64,
}

impl Summary {
    pub fn of(net: &Network) -> Summary {
        let mut km_by_class = BTreeMap::new();
        let (mut oneway, mut roundabout, mut bridges, mut tunnels, mut ramps) = (
            CountKm::default(),
            CountKm::default(),
            CountKm::default(),
            CountKm::default(),
            CountKm::default(),
        );
        let mut grades: Vec<(f64, f64)> = Vec::new();
        let mut unknown = CountKm::default();
        let (mut ge4, mut ge8, mut known) =
            (CountKm::default(), CountKm::default(), CountKm::default());
        for s in &net.segments {
            let w = &net.ways[s.way as usize];
            let km = s.length_m / 1000.0;
            *km_by_class.entry(w.class.as_str()).or_insert(0.0) += km;
            if s.forward != s.backward {
                oneway.add(km);
            }
            if w.roundabout {
                roundabout.add(km);
            }
            if w.bridge {
                bridges.add(km);
            }
            if w.tunnel {
                tunnels.add(km);
            }
            if w.ramp() {
                ramps.add(km);
            }
            match s.grade_pct {
                Some(g) => {
                    let g = g.abs() as f64;
                    known.add(km);
                    grades.push((g, km));
                    if g >= 4.0 {
                        ge4.add(km);
                    }
                    if g >= 8.0 {
                        ge8.add(km);
                    }
                }
                None => unknown.add(km),
            }
        }
        let grade = (!grades.is_empty()).then(|| {
            grades.sort_by(|a, b| a.0.total_cmp(&b.0));
            let total: f64 = grades.iter().map(|g| g.1).sum();
            let pct = |q: f64| {
                let mut acc = 0.0;
                for &(g, w) in &grades {
                    acc += w;
                    if acc >= q * total {
                        return g;
                    }
                }
                grades.last().map_or(0.0, |g| g.0)
            };
            GradeSummary {
                known,
                unknown,
                ge_4_pct: ge4,
                ge_8_pct: ge8,
                p50_abs_pct: pct(0.5),
                p95_abs_pct: pct(0.95),
                max_abs_pct: grades.last().map_or(0.0, |g| g.0),
            }
        });
        let bridge_ways = net.ways.iter().filter(|w| w.bridge).count();
        let km = net.total_km();
        Summary {
            extent: Extent::of(net),
            intersections: net.nodes.len(),
            segments: net.segments.len(),
            links: net.num_links(),
            km,
            km_by_class,
            oneway_share: if km > 0.0 { oneway.km / km } else { 0.0 },
            oneway,
            roundabout,
            bridges,
            bridge_ways,
            tunnels,
            ramps,
            grade,
            turn_restrictions_applied: net.restrictions.len(),
            components: net.components.clone(),
            ingest: net.report.clone(),
            osm_counts: net.osm_counts.clone(),
            seconds: net.build_time.as_secs_f64(),
        }
    }

    /// The human summary.
    pub fn text(&self, name: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{name}: road network");
        let _ = writeln!(
            s,
            "  {} intersections, {} street segments ({} directed links), {:.1} km",
            self.intersections, self.segments, self.links, self.km
        );
        if let Some(e) = &self.extent {
            let _ = writeln!(
                s,
                "  extent: lon {:.5} to {:.5}, lat {:.5} to {:.5} ({:.1} km × {:.1} km); centre lon {:.5}, lat {:.5}",
                e.min_lon, e.max_lon, e.min_lat, e.max_lat, e.width_km, e.height_km, e.centre[0], e.centre[1]
            );
        }
        let mut classes: Vec<_> = self.km_by_class.iter().collect();
        classes.sort_by(|a, b| b.1.total_cmp(a.1));
        let list: Vec<String> = classes.iter().map(|(c, k)| format!("{c} {k:.1}")).collect();
        let _ = writeln!(s, "  km by class: {}", list.join(", "));
        let _ = writeln!(
            s,
            "  one-way: {} segments, {:.1} km ({:.1} % of length); roundabouts {} segments",
            self.oneway.segments,
            self.oneway.km,
            100.0 * self.oneway_share,
            self.roundabout.segments
        );
        let _ = writeln!(
            s,
            "  bridges: {} ways, {} segments, {:.2} km; tunnels {} segments, {:.2} km; ramps {} segments, {:.2} km",
            self.bridge_ways,
            self.bridges.segments,
            self.bridges.km,
            self.tunnels.segments,
            self.tunnels.km,
            self.ramps.segments,
            self.ramps.km
        );
        match &self.grade {
            Some(g) => {
                let _ = writeln!(
                    s,
                    "  grade: ≥4 % {} segments ({:.1} km), ≥8 % {} segments ({:.1} km); |grade| median {:.1} %, 95th pct {:.1} %, max {:.1} %; unknown {} segments",
                    g.ge_4_pct.segments, g.ge_4_pct.km, g.ge_8_pct.segments, g.ge_8_pct.km, g.p50_abs_pct, g.p95_abs_pct, g.max_abs_pct, g.unknown.segments
                );
            }
            None => {
                let _ = writeln!(s, "  grade: unknown (no DEM given and no incline tags)");
            }
        }
        let i = &self.ingest;
        let _ = writeln!(
            s,
            "  turn restrictions: {} found, {} applied, {} via-way (not applied), {} unresolved",
            i.restrictions_found,
            i.restrictions_resolved,
            i.restrictions_via_way,
            i.restrictions_unresolved
        );
        let c = &self.components;
        let _ = writeln!(
            s,
            "  strongly connected components: {}; main has {} intersections, {} segments; outside it: {} intersections, {} segments, {:.2} km",
            c.count, c.main_nodes, c.main_segments, c.outside_nodes, c.outside_segments, c.outside_km
        );
        let _ = writeln!(
            s,
            "  dropped: {} dangling node references (in {} ways), {} ways without access, {} reversible ways",
            i.dangling_refs, i.ways_with_dangling_refs, i.access_denied_ways, i.reversible_ways
        );
        let _ = writeln!(s, "  built in {:.3} s", self.seconds);
        s
    }
}
