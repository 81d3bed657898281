//! `report.html`: one self-contained page a planner reads (no tiles, no CDN,
//! no network). The map is drawn on a canvas from the network and the plan
//! embedded as JSON (street geometry once, in metres around the area's centre;
//! legs refer to it by link), with zoom, pan and a vehicle filter; the tables,
//! KPIs and the priority-completion chart are plain HTML and SVG made here, so
//! they read even with scripts off.
//!
//! The page sets `data-status` on `<body>` to `ok` once the map is drawn, or to
//! `error: …` on any script error, which the headless-browser test reads.

use super::esc;
use crate::network::Network;
use crate::plan::clock::ShiftClock;
use crate::plan::shift::{hms, LegKind, Plan};
use crate::scenario::Scenario;
use serde_json::json;
use std::fmt::Write;

/// Vehicle colours for fleets up to its size, chosen to stay apart on a
/// light map.
const PALETTE: [&str; 12] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#008080", "#f032e6", "#9a6324",
    "#800000", "#808000", "#000075", "#46f0f0",
];

/// Colour of vehicle `i` of `n`: the palette for small fleets; for larger
/// ones a distinct colour per vehicle: a hue of its own (golden-ratio steps
/// round the wheel, so neighbours in the list are far apart) in one of three
/// lightness bands (dark, mid, light), so no two vehicles share a colour
/// however many there are.
pub fn colour(i: usize, n: usize) -> String {
    if n <= PALETTE.len() {
        return PALETTE[i % PALETTE.len()].to_string();
    }
    // Golden-ratio steps never repeat a hue and keep consecutive vehicles
    // apart; the lightness cycles through three bands.
    let band = i % 3;
    let hue = ((i as f64 * 0.618_034) % 1.0) * 360.0;
    let light = [0.32, 0.47, 0.62][band];
    // HSL (saturation 75 %) to RGB, written as hex like the palette.
    let c = (1.0 - (2.0 * light - 1.0_f64).abs()) * 0.75;
    let h = hue / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = light - c / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

/// Colours of the priority classes in the chart.
const CLASS_COLOURS: [&str; 4] = ["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c"];

/// Grade (%) from which a street is marked steep: the lowest `min_grade_pct`
/// of the scenario's priorities, 6 % without one.
fn steep_threshold(scenario: &Scenario) -> f64 {
    scenario
        .priorities
        .iter()
        .filter_map(|p| p.get_ref().min_grade_pct)
        .reduce(f64::min)
        .unwrap_or(6.0)
}

/// The page. `changes`, when given, is an extra HTML section (the re-plan's).
pub fn to_html(scenario: &Scenario, net: &Network, plan: &Plan, changes: Option<&str>) -> String {
    let data = map_data(scenario, net, plan);
    // `</` may not appear inside a script element.
    let data = data.to_string().replace("</", "<\\/");
    let title = esc(&plan.scenario);
    let clock = ShiftClock::parse(&plan.shift_start);
    let clock = clock.as_ref();
    let mut body = String::new();
    let k = &plan.kpis;
    let _ = write!(
        body,
        "<h1>{title}</h1><p class=sub>Shift from {} for at most {}. Times are clock times in the shift's UTC offset, with the time into the shift after them. Map data © OpenStreetMap contributors, ODbL.</p>",
        esc(&clock.map_or(plan.shift_start.clone(), |c| c.heading())),
        hms(plan.shift_max_s)
    );
    let _ = write!(
        body,
        "<section class=kpis><div><b>{}</b><span>vehicles</span></div><div><b>{:.1} km</b><span>serviced</span></div><div><b>{:.1} km</b><span>deadhead ({:.1} %)</span></div><div><b>{:.1} km</b><span>deadhead lower bound (gap {})</span></div><div><b>{:.1}</b><span>material used</span></div><div><b>{}</b><span>refills</span></div><div><b>{}</b><span>last return</span></div></section>",
        k.vehicles_used,
        k.service_km,
        k.deadhead_km,
        100.0 * k.deadhead_share,
        k.deadhead_km_lower_bound,
        k.deadhead_gap_pct
            .map_or("n/a".to_string(), |g| format!("{g:.1} %")),
        k.material_used,
        k.refills,
        clock_time(clock, k.shift_end_s)
    );
    if !plan.violations.is_empty() {
        body.push_str("<section class=violations><h2>Violations</h2><ul>");
        for v in &plan.violations {
            let _ = write!(body, "<li>{}</li>", esc(v));
        }
        body.push_str("</ul></section>");
    }
    if !plan.warnings.is_empty() {
        body.push_str("<section class=warnings><h2>Warnings</h2><ul>");
        for w in &plan.warnings {
            let _ = write!(body, "<li>{}</li>", esc(w));
        }
        body.push_str("</ul></section>");
    }
    body.push_str(
        "<section class=mapbox><div id=filter></div><canvas id=map></canvas>\
         <div class=legend><span class=l-bridge>bridge</span><span class=l-ramp>ramp</span>\
         <span class=l-steep>steep</span><span>■ depot</span><span>▲ refill site</span>\
         <span>— service, ┄ deadhead</span><span class=hint>wheel: zoom · drag: pan · click: name a street</span>\
         <span id=pick></span></div></section>",
    );
    body.push_str(&vehicle_table(plan, clock));
    body.push_str(&class_section(plan, clock));
    if let Some(c) = changes {
        body.push_str(c);
    }
    let _ = write!(
        body,
        "<footer>{} · made by arcplan {}</footer>",
        esc(&plan.attribution),
        env!("CARGO_PKG_VERSION")
    );
    format!(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{title}</title>\
         <meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <style>{CSS}</style></head><body data-status=loading>{body}\
         <script id=data type=application/json>{data}</script><script>{JS}</script></body></html>"
    )
}

/// The map's data: streets (metres around the centre), marked streets,
/// depots and refill sites, and each vehicle's legs as lists of links.
fn map_data(scenario: &Scenario, net: &Network, plan: &Plan) -> serde_json::Value {
    let n = net.segments.len();
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for s in 0..n as u32 {
        for p in net.coords(s) {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
    }
    if n == 0 {
        lo = [0.0; 2];
        hi = [0.0; 2];
    }
    let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
    let m_per_deg_lat = 111_320.0;
    let m_per_deg_lon = m_per_deg_lat * centre[1].to_radians().cos();
    let xy = |p: &[f64; 2]| -> [i64; 2] {
        [
            ((p[0] - centre[0]) * m_per_deg_lon).round() as i64,
            ((p[1] - centre[1]) * m_per_deg_lat).round() as i64,
        ]
    };
    // Flat coordinates with offsets: segment s is points off[s]..off[s+1].
    let mut pts: Vec<i64> = Vec::new();
    let mut off: Vec<usize> = Vec::with_capacity(n + 1);
    let (mut bridges, mut ramps, mut steep) = (Vec::new(), Vec::new(), Vec::new());
    let threshold = steep_threshold(scenario);
    // Each segment's way, as an index into `ways` ([OSM id, name]): a click
    // on the map names the street (and, in the service's page, closes it).
    let mut way_index: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    let mut ways: Vec<serde_json::Value> = Vec::new();
    let mut seg_way: Vec<usize> = Vec::with_capacity(n);
    for s in 0..n as u32 {
        let w = net.segments[s as usize].way;
        let k = *way_index.entry(w).or_insert_with(|| {
            let a = net.way_of(s);
            let name = a
                .name
                .clone()
                .or_else(|| a.ref_.clone())
                .unwrap_or_default();
            ways.push(json!([a.osm_id, name]));
            ways.len() - 1
        });
        seg_way.push(k);
    }
    for s in 0..n as u32 {
        off.push(pts.len() / 2);
        for p in net.coords(s) {
            let q = xy(p);
            pts.extend_from_slice(&q);
        }
        let w = net.way_of(s);
        if w.bridge {
            bridges.push(s);
        }
        if w.ramp() {
            ramps.push(s);
        }
        if net.segments[s as usize]
            .grade_pct
            .is_some_and(|g| g.abs() as f64 >= threshold)
        {
            steep.push(s);
        }
    }
    off.push(pts.len() / 2);
    let site = |id: &str, lon: f64, lat: f64| json!({"id": id, "xy": xy(&[lon, lat])});
    let depots: Vec<_> = scenario
        .depots
        .iter()
        .map(|d| site(&d.get_ref().id, d.get_ref().lon, d.get_ref().lat))
        .collect();
    let refills: Vec<_> = scenario
        .refills
        .iter()
        .map(|r| site(&r.get_ref().id, r.get_ref().lon, r.get_ref().lat))
        .collect();
    let vehicles: Vec<_> = plan
        .vehicles
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // Legs as [kind, links…] with link = 2·segment + direction.
            let legs: Vec<_> = v
                .legs
                .iter()
                .filter(|l| !l.steps.is_empty())
                .map(|l| {
                    let kind = match l.kind {
                        LegKind::Service => 1,
                        _ => 0,
                    };
                    let links: Vec<u32> = l
                        .steps
                        .iter()
                        .map(|s| 2 * s.segment + s.dir as u32)
                        .collect();
                    json!([kind, links])
                })
                .collect();
            json!({"id": v.id, "colour": colour(i, plan.vehicles.len()), "legs": legs})
        })
        .collect();
    json!({
        "pts": pts,
        "off": off,
        "w": seg_way,
        "ways": ways,
        "bridges": bridges,
        "ramps": ramps,
        "steep": steep,
        "depots": depots,
        "refills": refills,
        "vehicles": vehicles,
    })
}

/// `03:02 (+1:02:00)`: the clock time in the shift's offset and the time
/// into the shift (the offset alone if the plan's start does not parse).
fn clock_time(clock: Option<&ShiftClock>, t_s: f64) -> String {
    match clock {
        Some(c) => format!("{} <small>(+{})</small>", c.hm(t_s), hms(t_s)),
        None => hms(t_s),
    }
}

fn vehicle_table(plan: &Plan, clock: Option<&ShiftClock>) -> String {
    let mut t = String::from(
        "<section><h2>Vehicles</h2><table><thead><tr><th></th><th>vehicle</th><th>depot</th>\
         <th>start</th><th>end</th><th>service km</th><th>deadhead km</th><th>material</th>\
         <th>refills</th><th>priority work done by</th></tr></thead><tbody>",
    );
    for (i, v) in plan.vehicles.iter().enumerate() {
        // Last service end per priority class on this vehicle.
        let mut by_class: Vec<(u8, f64)> = Vec::new();
        for l in v.legs.iter().filter(|l| l.kind == LegKind::Service) {
            if let Some(c) = l.priority {
                match by_class.iter_mut().find(|x| x.0 == c) {
                    Some(x) => x.1 = x.1.max(l.end_s),
                    None => by_class.push((c, l.end_s)),
                }
            }
        }
        by_class.sort_by_key(|x| x.0);
        let done: Vec<String> = by_class
            .iter()
            .map(|(c, t)| format!("class {c}: {}", clock_time(clock, *t)))
            .collect();
        let _ = write!(
            t,
            "<tr><td><span class=swatch style=\"background:{}\"></span></td><td><a href=\"sheet-{}.html\" title=\"the printable route sheet\">{}</a></td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1} {unit} used ({:.1} {unit} a load)</td><td>{}</td><td>{}</td></tr>",
            colour(i, plan.vehicles.len()),
            esc(&super::file_stem(&v.id)),
            esc(&v.id),
            esc(&v.depot),
            clock_time(clock, v.start_s),
            clock_time(clock, v.end_s),
            v.service_km,
            v.deadhead_km,
            v.material_used,
            v.capacity,
            v.refills,
            done.join(", "),
            unit = v.service.unit()
        );
    }
    for v in &plan.idle {
        let _ = write!(
            t,
            "<tr class=idle><td></td><td>{}</td><td>{}</td><td colspan=7>idle: {}</td></tr>",
            esc(&v.id),
            esc(&v.depot),
            esc(&v.reason)
        );
    }
    t.push_str("</tbody></table></section>");
    t
}

/// The priority classes: a table against the deadlines, and an SVG chart of
/// the share of each class's tasks finished over time.
fn class_section(plan: &Plan, clock: Option<&ShiftClock>) -> String {
    let mut s = String::from("<section><h2>Priority classes</h2>");
    if plan.classes.is_empty() {
        s.push_str("<p>No priority classes in this scenario.</p></section>");
        return s;
    }
    s.push_str(
        "<table><thead><tr><th>class</th><th>tasks</th><th>deadline</th><th>finished</th>\
         <th>late tasks</th><th>lateness</th></tr></thead><tbody>",
    );
    for c in &plan.classes {
        let late = c.late_tasks > 0;
        let _ = write!(
            s,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if late { " class=late" } else { "" },
            c.class,
            c.tasks,
            clock_time(clock, c.deadline_s),
            c.finished_s.map_or("—".into(), |t| clock_time(clock, t)),
            c.late_tasks,
            hms(c.lateness_s)
        );
    }
    s.push_str("</tbody></table>");
    // Completion curves.
    let (w, h, pad) = (720.0, 260.0, 40.0);
    let horizon = plan
        .kpis
        .shift_end_s
        .max(
            plan.classes
                .iter()
                .map(|c| c.deadline_s)
                .fold(0.0, f64::max),
        )
        .max(1.0);
    let x = |t: f64| pad + (w - 2.0 * pad) * t / horizon;
    let y = |f: f64| h - pad - (h - 2.0 * pad) * f;
    let _ = write!(
        s,
        "<svg class=chart viewBox=\"0 0 {w} {h}\" role=img aria-label=\"share of each priority class finished over time\">\
         <line x1={pad} y1={} x2={} y2={} class=axis /><line x1={pad} y1={pad} x2={pad} y2={} class=axis />\
         <text x=4 y={} class=tick>0 %</text><text x=4 y={} class=tick>100 %</text>\
         <text x={} y={} class=tick>clock time (time into the shift)</text>",
        y(0.0),
        w - pad,
        y(0.0),
        y(0.0),
        y(0.0),
        y(1.0) + 4.0,
        w / 2.0 - 50.0,
        h - 4.0
    );
    // Five ticks: the clock time, and the time into the shift.
    for k in 0..=4 {
        let t = horizon * k as f64 / 4.0;
        let anchor = match k {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let label = clock.map_or(hms(t), |c| format!("{} (+{})", c.hm(t), hms(t)));
        let _ = write!(
            s,
            "<text x={:.1} y={} class=tick text-anchor={anchor}>{label}</text>",
            x(t),
            h - pad + 16.0
        );
    }
    // Legend, bottom right of the plot (the curves end at the top).
    let n = plan.classes.len();
    for (i, c) in plan.classes.iter().enumerate() {
        let col = CLASS_COLOURS[i % CLASS_COLOURS.len()];
        let ly = y(0.0) - 8.0 - 16.0 * (n - 1 - i) as f64;
        let lx = w - pad - 230.0;
        let _ = write!(
            s,
            "<line x1={lx:.1} y1={:.1} x2={:.1} y2={:.1} stroke=\"{col}\" stroke-width=2 />\
             <text x={:.1} y={ly:.1} class=tick>class {} ({} tasks): share finished</text>",
            ly - 4.0,
            lx + 18.0,
            ly - 4.0,
            lx + 24.0,
            c.class,
            c.tasks
        );
    }
    for (i, c) in plan.classes.iter().enumerate() {
        let col = CLASS_COLOURS[i % CLASS_COLOURS.len()];
        let mut ends: Vec<f64> = plan
            .vehicles
            .iter()
            .flat_map(|v| v.legs.iter())
            .filter(|l| l.kind == LegKind::Service && l.priority == Some(c.class))
            .map(|l| l.end_s)
            .collect();
        ends.sort_by(f64::total_cmp);
        let total = ends.len().max(1) as f64;
        let mut d = format!("M{:.1},{:.1}", x(0.0), y(0.0));
        for (k, t) in ends.iter().enumerate() {
            let _ = write!(
                d,
                " L{:.1},{:.1} L{:.1},{:.1}",
                x(*t),
                y(k as f64 / total),
                x(*t),
                y((k + 1) as f64 / total)
            );
        }
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=none stroke=\"{col}\" stroke-width=2 />\
             <line x1={:.1} y1={pad} x2={:.1} y2={} stroke=\"{col}\" stroke-dasharray=\"5 4\" />\
             <text x={:.1} y={} fill=\"{col}\" class=tick>class {} deadline</text>",
            x(c.deadline_s),
            x(c.deadline_s),
            y(0.0),
            x(c.deadline_s) + 3.0,
            pad + 12.0 + 12.0 * i as f64,
            c.class
        );
    }
    s.push_str("</svg></section>");
    s
}

const CSS: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:12px 20px;color:#222}
h1{font-size:22px;margin:8px 0 0}h2{font-size:17px;margin:18px 0 6px}.sub{color:#666;margin:2px 0 10px}
.kpis{display:flex;flex-wrap:wrap;gap:10px}.kpis div{background:#f3f5f8;border-radius:6px;padding:6px 12px}
.kpis b{display:block;font-size:18px}.kpis span{color:#555;font-size:12px}
.violations{background:#fff3f0;border-left:4px solid #d62728;padding:2px 12px;margin-top:10px}
.warnings{background:#fffbe6;border-left:4px solid #e6a700;padding:2px 12px;margin-top:10px}
tr.idle td{color:#777}
.mapbox{position:relative;margin-top:12px}#map{width:100%;height:620px;border:1px solid #ccc;border-radius:4px;cursor:grab;background:#fbfbf8}
#pick{font-weight:600;color:#222}#filter{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:6px}#filter label{cursor:pointer;white-space:nowrap}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:#444;margin-top:4px}
.l-bridge{border-bottom:3px solid #1f5fbf}.l-ramp{border-bottom:3px solid #8e44ad}.l-steep{border-bottom:3px solid #e67e22}.hint{color:#888}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e3e3e3;padding:4px 6px;text-align:left}
th{background:#f7f7f7}tr.late td{color:#b00}.swatch{display:inline-block;width:14px;height:14px;border-radius:3px}
.chart{width:100%;max-width:760px;height:auto}.axis{stroke:#888}.tick{font-size:11px;fill:#555}
footer{color:#777;font-size:12px;margin:20px 0}
"#;

const JS: &str = r#"
(function(){
'use strict';
const body=document.body;
window.addEventListener('error',e=>{body.dataset.status='error: '+e.message;});
const D=JSON.parse(document.getElementById('data').textContent);
const cv=document.getElementById('map'),ctx=cv.getContext('2d');
const P=D.pts,O=D.off,nseg=O.length-1;
const shown=D.vehicles.map(()=>true);
let minx=Infinity,miny=Infinity,maxx=-Infinity,maxy=-Infinity;
for(let i=0;i<P.length;i+=2){minx=Math.min(minx,P[i]);maxx=Math.max(maxx,P[i]);miny=Math.min(miny,P[i+1]);maxy=Math.max(maxy,P[i+1]);}
if(!isFinite(minx)){minx=miny=-100;maxx=maxy=100;}
let scale=1,tx=0,ty=0,W=0,H=0;
function fit(){const r=cv.getBoundingClientRect(),dpr=window.devicePixelRatio||1;W=r.width;H=r.height;cv.width=W*dpr;cv.height=H*dpr;ctx.setTransform(dpr,0,0,dpr,0,0);
 const sx=W/Math.max(1,maxx-minx),sy=H/Math.max(1,maxy-miny);scale=0.94*Math.min(sx,sy);tx=W/2-scale*(minx+maxx)/2;ty=H/2+scale*(miny+maxy)/2;}
const X=x=>tx+scale*x,Y=y=>ty-scale*y;
function seg(s,rev){const a=O[s],b=O[s+1];ctx.moveTo(X(P[2*(rev?b-1:a)]),Y(P[2*(rev?b-1:a)+1]));
 if(rev){for(let k=b-2;k>=a;k--)ctx.lineTo(X(P[2*k]),Y(P[2*k+1]));}else{for(let k=a+1;k<b;k++)ctx.lineTo(X(P[2*k]),Y(P[2*k+1]));}}
function strokeSegs(list,colour,width){if(!list.length)return;ctx.beginPath();for(const s of list)seg(s,false);ctx.strokeStyle=colour;ctx.lineWidth=width;ctx.stroke();}
function arrow(s,rev,colour){const a=O[s],b=O[s+1];if(b-a<2)return;const m=a+((b-a-1)>>1);
 let x0=X(P[2*m]),y0=Y(P[2*m+1]),x1=X(P[2*m+2]),y1=Y(P[2*m+3]);if(rev){[x0,y0,x1,y1]=[x1,y1,x0,y0];}
 const dx=x1-x0,dy=y1-y0,L=Math.hypot(dx,dy);if(L<8)return;const ux=dx/L,uy=dy/L,cx=(x0+x1)/2,cy=(y0+y1)/2,z=Math.min(8,3+scale*4);
 ctx.beginPath();ctx.moveTo(cx+ux*z,cy+uy*z);ctx.lineTo(cx-ux*z-uy*z*0.7,cy-uy*z+ux*z*0.7);ctx.lineTo(cx-ux*z+uy*z*0.7,cy-uy*z-ux*z*0.7);ctx.closePath();ctx.fillStyle=colour;ctx.fill();ctx.strokeStyle='#222';ctx.lineWidth=0.8;ctx.stroke();}
function draw(){ctx.clearRect(0,0,W,H);ctx.lineCap='round';ctx.lineJoin='round';
 ctx.beginPath();for(let s=0;s<nseg;s++)seg(s,false);ctx.strokeStyle='#c8c8c8';ctx.lineWidth=1;ctx.stroke();
 ctx.globalAlpha=0.55;strokeSegs(D.steep,'#e67e22',9);strokeSegs(D.ramps,'#8e44ad',9);strokeSegs(D.bridges,'#1f5fbf',11);ctx.globalAlpha=1;
 const arrows=scale>0.08;
 D.vehicles.forEach((v,i)=>{if(!shown[i])return;
  ctx.setLineDash([4,4]);ctx.beginPath();for(const l of v.legs)if(l[0]===0)for(const k of l[1])seg(k>>1,k&1);ctx.strokeStyle=v.colour;ctx.globalAlpha=0.7;ctx.lineWidth=1.5;ctx.stroke();
  ctx.setLineDash([]);ctx.globalAlpha=1;ctx.beginPath();for(const l of v.legs)if(l[0]===1)for(const k of l[1])seg(k>>1,k&1);ctx.lineWidth=3;ctx.stroke();
  if(arrows)for(const l of v.legs)if(l[0]===1)for(const k of l[1])arrow(k>>1,k&1,v.colour);});
 ctx.setLineDash([]);
 if(picked>=0){const wk=D.w[picked];ctx.beginPath();for(let s=0;s<nseg;s++)if(D.w[s]===wk)seg(s,false);ctx.strokeStyle='#000';ctx.lineWidth=6;ctx.globalAlpha=0.35;ctx.stroke();ctx.globalAlpha=1;}
 for(const d of D.depots){ctx.fillStyle='#111';ctx.fillRect(X(d.xy[0])-6,Y(d.xy[1])-6,12,12);}
 for(const r of D.refills){const x=X(r.xy[0]),y=Y(r.xy[1]);ctx.beginPath();ctx.moveTo(x,y-8);ctx.lineTo(x+7,y+5);ctx.lineTo(x-7,y+5);ctx.closePath();ctx.fillStyle='#2a9d8f';ctx.fill();}
 labels();
}
// Depot and refill names placed so that none covers another or a marker:
// the first free spot of ten around the marker, else the least covered.
function overlap(a,b){const w=Math.min(a[2],b[2])-Math.max(a[0],b[0]),h=Math.min(a[3],b[3])-Math.max(a[1],b[1]);return w>0&&h>0?w*h:0;}
function labels(){const sites=D.depots.concat(D.refills);ctx.font='12px sans-serif';ctx.fillStyle='#111';
 const marks=sites.map(s=>{const x=X(s.xy[0]),y=Y(s.xy[1]);return [x-7,y-8,x+7,y+6];}),placed=[];
 for(const s of sites){const x=X(s.xy[0]),y=Y(s.xy[1]),w=ctx.measureText(s.id).width,h=13;
  const cands=[[x+9,y-12],[x+9,y+2],[x-9-w,y-12],[x-9-w,y+2],[x-w/2,y-23],[x-w/2,y+8],[x+9,y-26],[x+9,y+16],[x-9-w,y-26],[x-9-w,y+16]];
  let best=null,bo=Infinity;for(const [lx,ly] of cands){const b=[lx,ly,lx+w,ly+h];let o=0;for(const q of marks.concat(placed))o+=overlap(b,q);if(o<bo){bo=o;best=b;}if(o===0)break;}
  placed.push(best);ctx.fillText(s.id,best[0],best[1]+h-3);}
 cv.dataset.labels=JSON.stringify(placed.map(b=>b.map(v=>Math.round(v*10)/10)));cv.dataset.marks=JSON.stringify(marks.map(b=>b.map(v=>Math.round(v*10)/10)));}
const f=document.getElementById('filter');
const all=document.createElement('label');all.innerHTML='<input type=checkbox checked> all vehicles';f.appendChild(all);
const boxes=D.vehicles.map((v,i)=>{const l=document.createElement('label');const b=document.createElement('input');b.type='checkbox';b.checked=true;
 b.onchange=()=>{shown[i]=b.checked;draw();};l.appendChild(b);const sw=document.createElement('span');sw.className='swatch';sw.style.background=v.colour;l.appendChild(sw);l.appendChild(document.createTextNode(' '+v.id));f.appendChild(l);return b;});
all.firstChild.onchange=e=>{boxes.forEach((b,i)=>{b.checked=e.target.checked;shown[i]=b.checked;});draw();};
cv.addEventListener('wheel',e=>{e.preventDefault();const r=cv.getBoundingClientRect(),mx=e.clientX-r.left,my=e.clientY-r.top,k=Math.exp(-e.deltaY*0.0015);
 tx=mx-(mx-tx)*k;ty=my-(my-ty)*k;scale*=k;draw();},{passive:false});
let drag=null,moved=0,picked=-1;cv.addEventListener('mousedown',e=>{drag=[e.clientX,e.clientY];moved=0;cv.style.cursor='grabbing';});
window.addEventListener('mouseup',e=>{if(drag&&moved<4&&e.target===cv)pick(e);drag=null;cv.style.cursor='grab';});
window.addEventListener('mousemove',e=>{if(!drag)return;moved+=Math.abs(e.clientX-drag[0])+Math.abs(e.clientY-drag[1]);tx+=e.clientX-drag[0];ty+=e.clientY-drag[1];drag=[e.clientX,e.clientY];draw();});
function near(mx,my){let best=-1,bd=100;for(let s=0;s<nseg;s++){for(let k=O[s];k<O[s+1]-1;k++){const ax=X(P[2*k]),ay=Y(P[2*k+1]),bx=X(P[2*k+2]),by=Y(P[2*k+3]);
 const dx=bx-ax,dy=by-ay,L=dx*dx+dy*dy,t=L>0?Math.max(0,Math.min(1,((mx-ax)*dx+(my-ay)*dy)/L)):0,ex=ax+t*dx-mx,ey=ay+t*dy-my,d=ex*ex+ey*ey;if(d<bd){bd=d;best=s;}}}return best;}
function pick(e){const r=cv.getBoundingClientRect(),s=near(e.clientX-r.left,e.clientY-r.top);const out=document.getElementById('pick');picked=s;draw();
 if(s<0){out.textContent='';return;}const w=D.ways[D.w[s]];out.textContent=(w[1]||'unnamed street')+' (OSM way '+w[0]+')';
 if(window.parent!==window)window.parent.postMessage({arcplan:'street',way:w[0],name:w[1]},location.origin);}
// For tests that click a street: the middle of segment s on the canvas.
window.arcplanPoint=s=>{const m=O[s]+((O[s+1]-O[s]-1)>>1);return [(X(P[2*m])+X(P[2*m+2]))/2,(Y(P[2*m+1])+Y(P[2*m+3]))/2];};
cv.addEventListener('dblclick',()=>{fit();draw();});
window.addEventListener('resize',()=>{const s=scale,x=tx,y=ty;fit();scale=s;tx=x;ty=y;draw();});
fit();draw();
if(!String(body.dataset.status).startsWith('error'))body.dataset.status='ok';
})();
"#;

#[cfg(test)]
mod colour_tests {
    use super::colour;

    #[test]
    fn every_vehicle_of_a_large_fleet_has_its_own_colour() {
        for n in [1, 12, 13, 59, 150] {
            let all: std::collections::BTreeSet<String> = (0..n).map(|i| colour(i, n)).collect();
            assert_eq!(all.len(), n, "{n} vehicles");
        }
    }
}
