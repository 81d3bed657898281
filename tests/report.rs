//! `report.html`: self-contained (nothing fetched from the network), and in
//! headless Chromium it loads without a script error and draws the routes.
//! Chromium is Debian's `chromium` (installed by `.ci/run`): missing, the
//! browser part fails in CI and is skipped elsewhere.

mod common;

use arcplan::plan::shift::Plan;
use std::path::Path;
use std::process::Command;

fn plan_town(dir: &Path) -> (Plan, String) {
    let plan = common::plan_town_into(dir);
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html written");
    (plan, html)
}

/// Runs headless Chromium on `page` with `args`; returns stdout.
fn run_chromium(bin: &Path, profile: &Path, page: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,1400",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn report_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, html) = plan_town(dir.path());
    // Offline: no resource from elsewhere.
    for needle in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
        assert!(!html.contains(needle), "the report fetches `{needle}`");
    }
    assert!(html.contains("OpenStreetMap contributors"));
    for v in &plan.vehicles {
        assert!(html.contains(&v.id), "vehicle {} missing", v.id);
    }
    for c in &plan.classes {
        assert!(html.contains(&format!("class {} deadline", c.class)));
        // The completion chart's legend names each class's curve.
        assert!(html.contains(&format!(
            "class {} ({} tasks): share finished",
            c.class, c.tasks
        )));
    }
    // Clock times in the shift's offset, the time into the shift beside them:
    // the town's shift starts at 03:00 (+01:00).
    let clock = arcplan::plan::clock::ShiftClock::parse(&plan.shift_start).unwrap();
    assert!(html.contains(&clock.heading()), "no shift heading");
    for v in &plan.vehicles {
        let end = format!(
            "{} <small>(+{})</small>",
            clock.hm(v.end_s),
            arcplan::plan::shift::hms(v.end_s)
        );
        assert!(html.contains(&end), "vehicle {} ends at {end}", v.id);
    }
    assert!(!html.contains("&lt;small&gt;"), "markup escaped into text");
    assert!(html.contains("<canvas id=map>") && html.contains("<svg class=chart"));
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(bin) = common::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (plan, _) = plan_town(dir.path());
    let page = dir.path().join("report.html");
    let profile = dir.path().join("profile");

    let dom = run_chromium(&bin, &profile, &page, &["--dump-dom"]);
    assert!(
        dom.contains("data-status=\"ok\""),
        "the page did not finish drawing: {}",
        dom.split("data-status=")
            .nth(1)
            .map(|s| &s[..s.len().min(200)])
            .unwrap_or("no status")
    );

    let shot = dir.path().join("shot.png");
    run_chromium(
        &bin,
        &profile,
        &page,
        &[&format!("--screenshot={}", shot.display())],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("screenshot written"),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    // Pixels in each vehicle's colour: its route is drawn (the colour swatches
    // of the filter and the table hold fewer than 400).
    for (i, v) in plan.vehicles.iter().enumerate() {
        let hex = arcplan::export::report::colour(i, plan.vehicles.len());
        let rgb: Vec<u8> = (0..3)
            .map(|k| u8::from_str_radix(&hex[1 + 2 * k..3 + 2 * k], 16).unwrap())
            .collect();
        let count = buf[..info.buffer_size()]
            .chunks(px)
            .filter(|p| (0..3).all(|k| (p[k] as i32 - rgb[k] as i32).abs() <= 6))
            .count();
        assert!(
            count > 1000,
            "vehicle {} ({hex}): only {count} pixels of its colour in the screenshot",
            v.id
        );
    }
}

/// Depot and refill names that would sit on one another (two refill sites
/// beside the yard) are placed apart: no label covers another or a marker.
#[test]
fn map_labels_do_not_overlap() {
    let Some(bin) = common::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = common::fixture_text_anywhere("town-frost.toml")
        + "\n[[refill]]\nid = \"yard salt store\"\nkind = \"salt\"\nlon = 10.0031\nlat = 45.0021\nminutes = 10\n\
           \n[[refill]]\nid = \"yard brine tank\"\nkind = \"salt\"\nlon = 10.0029\nlat = 45.0019\nminutes = 10\n";
    let scen = dir.path().join("crowded.toml");
    std::fs::write(&scen, text).unwrap();
    let out = dir.path().join("out");
    let (code, o, e) = common::arcplan(&[
        "plan",
        scen.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--max-iterations",
        "200",
    ]);
    assert_eq!(code, 0, "{o}{e}");
    let dom = run_chromium(
        &bin,
        &dir.path().join("profile"),
        &out.join("report.html"),
        &["--dump-dom"],
    );
    let attr = |name: &str| -> Vec<[f64; 4]> {
        let start = dom
            .find(&format!("data-{name}=\""))
            .unwrap_or_else(|| panic!("no data-{name} on the map"))
            + name.len()
            + 7;
        let end = start + dom[start..].find('"').unwrap();
        serde_json::from_str(&dom[start..end].replace("&quot;", "\"")).unwrap()
    };
    let (labels, marks) = (attr("labels"), attr("marks"));
    assert_eq!(labels.len(), 4, "one depot and three refill sites");
    let overlap = |a: &[f64; 4], b: &[f64; 4]| {
        a[0].max(b[0]) < a[2].min(b[2]) && a[1].max(b[1]) < a[3].min(b[3])
    };
    for (i, a) in labels.iter().enumerate() {
        for b in labels.iter().skip(i + 1).chain(marks.iter()) {
            assert!(!overlap(a, b), "label {a:?} covers {b:?}");
        }
    }
}
