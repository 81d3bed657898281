//! `arcplan network`: read an extract (and a DEM) and summarise the road network.

use crate::error::{Error, Result};
use crate::network::{geojson, summary::Summary, Network};
use crate::osm::{reader::IngestOptions, RoadClass};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// OpenStreetMap extract (.osm.pbf).
    pub extract: PathBuf,
    /// Directory of SRTM .hgt tiles, for grades.
    #[arg(long)]
    pub dem: Option<PathBuf>,
    /// Write the segments with their attributes as GeoJSON here.
    #[arg(long)]
    pub geojson: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Road classes to keep, comma-separated `highway` values (default: all of
    /// motorway … residential, living_street, service, road and the `*_link`s).
    #[arg(long, value_delimiter = ',', value_parser = parse_class)]
    pub classes: Vec<RoadClass>,
    /// List the intersections nearest to this point, `LON,LAT` in degrees
    /// (for example a yard's gate), with the streets meeting there and where
    /// a depot or refill site put at the point would join the network.
    #[arg(long, value_name = "LON,LAT", value_parser = parse_point, allow_hyphen_values = true)]
    pub near: Option<[f64; 2]>,
    /// How many intersections `--near` lists.
    #[arg(long, default_value_t = 5, requires = "near")]
    pub count: usize,
}

fn parse_point(s: &str) -> std::result::Result<[f64; 2], String> {
    let (lon, lat) = s
        .split_once(',')
        .ok_or_else(|| format!("`{s}`: give `LON,LAT`, for example 24.9410,60.1690"))?;
    let num = |v: &str, what: &str, max: f64| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && x.abs() <= max)
            .ok_or_else(|| {
                format!(
                    "`{s}`: the {what} `{}` is not a number within ±{max}",
                    v.trim()
                )
            })
    };
    Ok([num(lon, "longitude", 180.0)?, num(lat, "latitude", 90.0)?])
}

/// One intersection near the `--near` point.
#[derive(serde::Serialize)]
struct NearNode {
    osm_node: i64,
    lon: f64,
    lat: f64,
    distance_m: f64,
    /// Streets that meet there.
    streets: Vec<String>,
    /// In the network part that can hold a yard (the main one, or a large
    /// island): a depot here reaches the streets.
    can_hold_a_yard: bool,
}

/// Where a yard at the point joins the network.
#[derive(serde::Serialize)]
struct YardJoin {
    street: String,
    osm_way: i64,
    distance_m: f64,
}

#[derive(serde::Serialize)]
struct Near {
    lon: f64,
    lat: f64,
    nodes: Vec<NearNode>,
    yard_joins: Option<YardJoin>,
}

fn near(net: &Network, p: [f64; 2], count: usize) -> Near {
    let d = crate::geodesy::distance_m;
    let nodes = net
        .snap
        .nearest_nodes(p, count)
        .into_iter()
        .map(|n| {
            let node = &net.nodes[n as usize];
            let mut streets: Vec<String> = Vec::new();
            for (i, s) in net.segments.iter().enumerate() {
                if s.from == n || s.to == n {
                    let name = crate::export::directions::street_label(net, i as u32);
                    if !streets.contains(&name) {
                        streets.push(name);
                    }
                }
            }
            NearNode {
                osm_node: node.osm_id,
                lon: node.lon,
                lat: node.lat,
                distance_m: d(p, [node.lon, node.lat]),
                streets,
                can_hold_a_yard: net.components.holds_yards(n),
            }
        })
        .collect();
    let yard_joins = net.snap_yard(p).map(|s| YardJoin {
        street: crate::export::directions::street_label(net, s.segment),
        osm_way: net.way_of(s.segment).osm_id,
        distance_m: s.distance_m,
    });
    Near {
        lon: p[0],
        lat: p[1],
        nodes,
        yard_joins,
    }
}

fn near_text(n: &Near) -> String {
    let mut s = format!("near lon {:.5}, lat {:.5}:\n", n.lon, n.lat);
    for (i, x) in n.nodes.iter().enumerate() {
        s.push_str(&format!(
            "  {}. {:.0} m: lon = {:.6}, lat = {:.6} (OSM node {}): {}{}\n",
            i + 1,
            x.distance_m,
            x.lon,
            x.lat,
            x.osm_node,
            x.streets.join(" / "),
            if x.can_hold_a_yard {
                ""
            } else {
                "; cut off from the main network (a yard here would not reach the streets)"
            }
        ));
    }
    match &n.yard_joins {
        Some(j) => s.push_str(&format!(
            "  a depot or refill site at this point joins {} (OSM way {}), {:.0} m away\n",
            j.street, j.osm_way, j.distance_m
        )),
        None => s.push_str("  no street here can hold a yard\n"),
    }
    s
}

fn parse_class(s: &str) -> std::result::Result<RoadClass, String> {
    RoadClass::from_tag(s.trim()).ok_or_else(|| {
        let known: Vec<&str> = RoadClass::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown road class `{s}` (known: {})", known.join(", "))
    })
}

pub fn run(args: Args) -> Result<()> {
    let mut options = IngestOptions::default();
    if !args.classes.is_empty() {
        options.classes = args.classes.clone();
    }
    let net = Network::from_file(&args.extract, args.dem.as_deref(), &options)?;
    let summary = Summary::of(&net);
    if let Some(out) = &args.geojson {
        let text = serde_json::to_vec(&geojson::segments(&net))
            .map_err(|e| Error::Other(e.to_string()))?;
        crate::util::write_atomic(out, &text)?;
    }
    let near = args.near.map(|p| near(&net, p, args.count));
    if args.json {
        let mut value = serde_json::to_value(&summary).map_err(|e| Error::Other(e.to_string()))?;
        if let (Some(n), Some(obj)) = (&near, value.as_object_mut()) {
            obj.insert(
                "near".into(),
                serde_json::to_value(n).map_err(|e| Error::Other(e.to_string()))?,
            );
        }
        let text = serde_json::to_string_pretty(&value).map_err(|e| Error::Other(e.to_string()))?;
        super::out!("{text}");
    } else {
        let name = args
            .extract
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        super::say!("{}", summary.text(&name).trim_end());
        if let Some(n) = &near {
            super::say!("{}", near_text(n).trim_end());
        }
    }
    Ok(())
}
