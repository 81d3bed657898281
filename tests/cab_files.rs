//! The files a driver gets: the itinerary CSV (clock times in the shift's
//! offset, one row per street rather than per piece of way, empty runs
//! given as the streets they take) and the GPX (service and deadhead told
//! apart, a time on every point, waypoints), checked against the plan they
//! were written from and the rules of the GPX 1.1 schema.

mod common;

use arcplan::plan::clock::ShiftClock;
use arcplan::plan::shift::{LegKind, Plan};
use std::path::{Path, PathBuf};

fn plan_town(tag: &str) -> (PathBuf, Plan) {
    let dir = std::env::temp_dir().join(format!("arcplan-cab-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let plan = common::plan_town_into(&dir);
    (dir, plan)
}

fn file_id(id: &str) -> String {
    id.replace([' ', '#'], "_")
}

/// Splits one CSV line (quoted fields may hold commas).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}

/// A vehicle's itinerary CSV: its header and its rows, split into fields.
fn itinerary(dir: &Path, id: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(dir.join(format!("itinerary-{}.csv", file_id(id)))).unwrap();
    let mut lines = text.lines();
    let header = fields(lines.next().unwrap());
    (header, lines.map(fields).collect())
}

#[test]
fn itinerary_rows_read_as_a_driver_reads_them() {
    let (dir, plan) = plan_town("csv");
    let clock = ShiftClock::parse(&plan.shift_start).expect("shift start");
    for v in &plan.vehicles {
        let (header, rows) = itinerary(&dir, &v.id);
        let col = |name: &str| header.iter().position(|h| h == name).expect(name);
        assert!(!rows.is_empty());
        // Fewer rows than legs: consecutive services on one street are one row.
        assert!(
            rows.len() < v.legs.len(),
            "{}: {} rows for {} legs",
            v.id,
            rows.len(),
            v.legs.len()
        );
        // The rows cover every leg once, in order.
        let mut next = v.legs[0].seq;
        let mut km = 0.0;
        for r in &rows {
            let legs = &r[col("legs")];
            let (a, b) = match legs.split_once('-') {
                Some((a, b)) => (a.parse::<usize>().unwrap(), b.parse::<usize>().unwrap()),
                None => (legs.parse().unwrap(), legs.parse().unwrap()),
            };
            assert_eq!(a, next, "{}: rows skip or repeat legs at {legs}", v.id);
            next = b + 1;
            let covered: Vec<_> = v.legs.iter().filter(|l| (a..=b).contains(&l.seq)).collect();
            let kind = &r[col("kind")];
            // A merged row: services on the one street it names.
            if a != b {
                assert_eq!(kind, "service");
                assert!(covered.iter().all(|l| l.kind == LegKind::Service));
                assert!(covered.iter().all(|l| l.priority == covered[0].priority));
            }
            let first = covered[0];
            let last = covered[covered.len() - 1];
            // Clock times in the shift's offset, beside the offsets.
            assert_eq!(r[col("clock_start")], clock.hm(first.start_s));
            assert_eq!(r[col("clock_end")], clock.hm(last.end_s));
            assert_eq!(r[col("start")], arcplan::plan::shift::hms(first.start_s));
            let metres: f64 = covered.iter().map(|l| l.distance_m).sum();
            let shown: f64 = r[col("distance_m")].parse().unwrap();
            assert!((shown - metres).abs() <= 0.5, "{shown} vs {metres}");
            km += metres / 1000.0;
            // Empty runs name their streets, never a count of them.
            if kind == "deadhead" || kind == "return" {
                let street = &r[col("street")];
                assert!(
                    !street.is_empty() && !street.contains(" streets"),
                    "{street}"
                );
                let parts: Vec<&str> = street.split(" → ").collect();
                assert!(parts.windows(2).all(|w| w[0] != w[1]), "repeats: {street}");
                assert!(parts.iter().all(|p| !p.trim().is_empty()), "{street}");
            }
            assert_eq!(r[col("unit")], v.service.unit());
        }
        assert_eq!(next, v.legs.last().unwrap().seq + 1);
        assert!((km - v.service_km - v.deadhead_km).abs() < 0.05, "{}", v.id);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The GPX 1.1 schema's rules for the elements arcplan writes: the order of
/// each element's children (`xsd:sequence`), the attributes and their
/// ranges, and `xsd:dateTime` times.
fn check_gpx_1_1(path: &Path) -> roxmltree::Document<'static> {
    let text: &'static str = Box::leak(std::fs::read_to_string(path).unwrap().into_boxed_str());
    let doc =
        roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ns = "http://www.topografix.com/GPX/1/1";
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "gpx");
    assert_eq!(root.tag_name().namespace(), Some(ns));
    assert_eq!(root.attribute("version"), Some("1.1"));
    assert!(root.attribute("creator").is_some());
    // Element order of each type used (children not listed are refused).
    let order = |parent: &str| -> &'static [&'static str] {
        match parent {
            "gpx" => &["metadata", "wpt", "rte", "trk", "extensions"],
            "metadata" => &[
                "name",
                "desc",
                "author",
                "copyright",
                "link",
                "time",
                "keywords",
                "bounds",
                "extensions",
            ],
            "copyright" => &["year", "license"],
            "wpt" | "trkpt" => &[
                "ele",
                "time",
                "magvar",
                "geoidheight",
                "name",
                "cmt",
                "desc",
                "src",
                "link",
                "sym",
                "type",
                "fix",
                "sat",
                "hdop",
                "vdop",
                "pdop",
                "ageofdgpsdata",
                "dgpsid",
                "extensions",
            ],
            "trk" => &[
                "name",
                "cmt",
                "desc",
                "src",
                "link",
                "number",
                "type",
                "extensions",
                "trkseg",
            ],
            "trkseg" => &["trkpt", "extensions"],
            _ => &[],
        }
    };
    let repeatable = ["wpt", "rte", "trk", "link", "trkseg", "trkpt"];
    for node in root.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert_eq!(node.tag_name().namespace(), Some(ns), "{name}");
        let allowed = order(name);
        let mut at = 0;
        let mut prev = "";
        for child in node.children().filter(|n| n.is_element()) {
            let c = child.tag_name().name();
            if allowed.is_empty() {
                panic!("<{name}> may not hold <{c}>");
            }
            let k = allowed
                .iter()
                .position(|a| *a == c)
                .unwrap_or_else(|| panic!("<{c}> is not allowed in <{name}>"));
            assert!(k >= at, "<{c}> after <{prev}> in <{name}>");
            assert!(
                k > at || !prev.eq(c) || repeatable.contains(&c),
                "<{c}> twice in <{name}>"
            );
            at = k;
            prev = c;
        }
        if name == "wpt" || name == "trkpt" {
            let lat: f64 = node.attribute("lat").unwrap().parse().unwrap();
            let lon: f64 = node.attribute("lon").unwrap().parse().unwrap();
            assert!((-90.0..=90.0).contains(&lat) && (-180.0..180.0).contains(&lon));
        }
        if name == "time" {
            let t = node.text().unwrap_or("");
            assert!(
                chrono::DateTime::parse_from_rfc3339(t).is_ok() && t.ends_with('Z'),
                "time {t:?} is not a UTC xsd:dateTime"
            );
        }
        if name == "number" {
            node.text()
                .unwrap()
                .parse::<u32>()
                .expect("nonNegativeInteger");
        }
        if name == "copyright" {
            assert!(
                node.attribute("author").is_some(),
                "copyright needs its author"
            );
        }
    }
    doc
}

#[test]
fn gpx_tracks_are_typed_timed_and_valid_gpx_1_1() {
    let (dir, plan) = plan_town("gpx");
    let clock = ShiftClock::parse(&plan.shift_start).unwrap();
    let mut refills_seen = 0;
    for v in &plan.vehicles {
        let doc = check_gpx_1_1(&dir.join(format!("track-{}.gpx", file_id(&v.id))));
        let root = doc.root_element();
        let el = |n: roxmltree::Node, name: &str| {
            n.children()
                .find(|c| c.tag_name().name() == name)
                .and_then(|c| c.text().map(str::to_string))
        };
        // Waypoints: start at the vehicle's start, each refill, the end.
        let wpts: Vec<_> = root
            .children()
            .filter(|n| n.tag_name().name() == "wpt")
            .collect();
        let names: Vec<String> = wpts.iter().filter_map(|w| el(*w, "name")).collect();
        assert!(names[0].starts_with("Start"), "{names:?}");
        assert!(names.last().unwrap().starts_with("End"), "{names:?}");
        assert_eq!(el(wpts[0], "time").unwrap(), clock.utc(v.start_s));
        assert_eq!(
            el(*wpts.last().unwrap(), "time").unwrap(),
            clock.utc(v.end_s)
        );
        let refills = names.iter().filter(|n| n.starts_with("Refill")).count();
        assert_eq!(
            refills,
            v.legs.iter().filter(|l| l.kind == LegKind::Refill).count()
        );
        refills_seen += refills;
        // Tracks: typed, every point timed, times never going back.
        let mut last = String::new();
        let mut kinds = std::collections::BTreeSet::new();
        for trk in root.children().filter(|n| n.tag_name().name() == "trk") {
            let kind = el(trk, "type").expect("a track type");
            assert!(
                ["service", "deadhead", "return"].contains(&kind.as_str()),
                "{kind}"
            );
            kinds.insert(kind);
            for pt in trk.descendants().filter(|n| n.tag_name().name() == "trkpt") {
                let t = el(pt, "time").expect("a time on every point");
                assert!(t >= last, "time goes back: {t} after {last}");
                last = t;
            }
        }
        assert!(kinds.contains("service"), "{kinds:?}");
        assert!(last <= clock.utc(v.end_s));
    }
    assert!(
        refills_seen > 0,
        "the frost scenario refills: its waypoints are checked"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The printable route sheet: one per vehicle, linked from the report, with
/// a row per itinerary row in the same order and clock times, refills
/// naming their site, and nothing that needs a network or a script.
#[test]
fn route_sheets_match_the_itinerary_and_print_alone() {
    let (dir, plan) = plan_town("sheet");
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for v in &plan.vehicles {
        let name = format!("sheet-{}.html", file_id(&v.id));
        assert!(
            report.contains(&format!("href=\"{name}\"")),
            "report links {name}"
        );
        let sheet = std::fs::read_to_string(dir.join(&name)).expect("a sheet per vehicle");
        assert!(
            sheet.contains(&v.id) && sheet.contains(&v.depot),
            "{name} names vehicle and depot"
        );
        for forbidden in ["<script", "http://", "https://", "&lt;"] {
            assert!(!sheet.contains(forbidden), "{name} holds `{forbidden}`");
        }
        assert!(sheet.contains("@media print"), "{name} has print rules");
        let (header, csv_rows) = itinerary(&dir, &v.id);
        let col = |n: &str| header.iter().position(|h| h == n).expect(n);
        let body = &sheet[sheet.find("<tbody>").expect("a table")..];
        let sheet_rows: Vec<&str> = body.split("<tr class=").skip(1).collect();
        assert_eq!(sheet_rows.len(), csv_rows.len(), "{name}: rows");
        for (k, (s, c)) in sheet_rows.iter().zip(&csv_rows).enumerate() {
            let cells: Vec<&str> = s
                .split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap())
                .collect();
            assert_eq!(cells[0], (k + 1).to_string(), "{name} row {k}");
            assert_eq!(
                cells[1],
                format!("{}–{}", c[col("clock_start")], c[col("clock_end")]),
                "{name} row {k}: times"
            );
            if c[col("kind")] == "refill" {
                assert!(
                    cells[2].contains(&c[col("site")]),
                    "{name} row {k}: {}",
                    cells[2]
                );
            }
        }
    }
}
