//! A GPX 1.1 file per vehicle for the cab: one track per route-sheet row
//! (see [`super::directions`]), typed `service`, `deadhead`, `return` and
//! named as the sheet names it, every point with its (UTC) time, and
//! waypoints where the route starts, refills and ends.

use super::directions::rows;
use super::leg_coords;
use crate::geodesy::distance_m;
use crate::network::Network;
use crate::plan::clock::ShiftClock;
use crate::plan::shift::{LegKind, VehiclePlan};
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn time_tag(clock: Option<&ShiftClock>, t_s: f64) -> String {
    clock.map_or(String::new(), |c| format!("<time>{}</time>", c.utc(t_s)))
}

fn wpt(out: &mut String, p: [f64; 2], t: String, name: &str, sym: &str) {
    let _ = writeln!(
        out,
        "  <wpt lat=\"{:.7}\" lon=\"{:.7}\">{t}<name>{}</name><sym>{sym}</sym></wpt>",
        p[1],
        p[0],
        esc(name)
    );
}

/// The GPX text of `v`; times need the plan's shift start (`clock`).
pub fn track(v: &VehiclePlan, net: &Network, clock: Option<&ShiftClock>) -> String {
    let hm = |t: f64| clock.map_or_else(|| crate::plan::shift::hms(t), |c| c.hm(t));
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"arcplan\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n",
    );
    let _ = writeln!(
        out,
        "  <metadata><name>{}</name><copyright author=\"OpenStreetMap contributors\"><license>https://opendatacommons.org/licenses/odbl/</license></copyright>{}</metadata>",
        esc(&v.id),
        time_tag(clock, v.start_s)
    );
    // Points of each leg with their times, by distance along the leg.
    let timed: Vec<Vec<([f64; 2], f64)>> = v
        .legs
        .iter()
        .map(|l| {
            let pts = leg_coords(net, l);
            let mut along = vec![0.0];
            for w in pts.windows(2) {
                along.push(along.last().unwrap_or(&0.0) + distance_m(w[0], w[1]));
            }
            let total = along.last().copied().unwrap_or(0.0);
            pts.iter()
                .zip(along)
                .map(|(&p, d)| {
                    let f = if total > 0.0 { d / total } else { 0.0 };
                    (p, l.start_s + f * (l.end_s - l.start_s))
                })
                .collect()
        })
        .collect();
    // Waypoints: start, refills, end.
    if let Some(&(p, _)) = timed.iter().flatten().next() {
        wpt(
            &mut out,
            p,
            time_tag(clock, v.start_s),
            &format!("Start {} ({})", hm(v.start_s), v.depot),
            "Flag, Green",
        );
    }
    let mut refills = 0;
    let mut last: Option<[f64; 2]> = None;
    for (l, pts) in v.legs.iter().zip(&timed) {
        if let Some(&(p, _)) = pts.last() {
            last = Some(p);
        }
        if l.kind == LegKind::Refill {
            refills += 1;
            if let Some(p) = last {
                let site = l.site.as_deref().unwrap_or("refill site");
                wpt(
                    &mut out,
                    p,
                    time_tag(clock, l.start_s),
                    &format!("Refill {refills} {} at {site}", hm(l.start_s)),
                    "Gas Station",
                );
            }
        }
    }
    if let Some(p) = last {
        wpt(
            &mut out,
            p,
            time_tag(clock, v.end_s),
            &format!("End {}", hm(v.end_s)),
            "Flag, Red",
        );
    }
    // One track per row of the route sheet.
    let sheet = rows(v, net);
    let mut leg = 0;
    for (i, r) in sheet.iter().enumerate() {
        let mut pts: Vec<([f64; 2], f64)> = Vec::new();
        while leg < v.legs.len() && v.legs[leg].seq <= r.legs.1 {
            for &(p, t) in &timed[leg] {
                if pts.last().map(|x| x.0) != Some(p) {
                    pts.push((p, t));
                }
            }
            leg += 1;
        }
        if pts.len() < 2 {
            continue;
        }
        let kind = r.kind.name();
        let _ = writeln!(
            out,
            "  <trk><name>{} {} {}: {}</name><number>{}</number><type>{kind}</type>\n    <trkseg>",
            i + 1,
            hm(r.start_s),
            kind,
            esc(&r.street),
            i + 1
        );
        for (p, t) in pts {
            let _ = writeln!(
                out,
                "      <trkpt lat=\"{:.7}\" lon=\"{:.7}\">{}</trkpt>",
                p[1],
                p[0],
                time_tag(clock, t)
            );
        }
        out.push_str("    </trkseg>\n  </trk>\n");
    }
    out.push_str("</gpx>\n");
    out
}
