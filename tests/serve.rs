//! `arcplan serve` driven over HTTP on a loopback port, as the page and the
//! fleet's telematics drive it: plan the fixture town, read the plan, post
//! a breakdown, get version 2, check both versions with the independent
//! validator (`arcplan validate`), fetch every file; the refusals (401, 404,
//! 409, 413, 422, 428, a map path outside `--maps`); a progress report; and
//! a server killed during a re-plan (`kill -9`) that comes back with every
//! committed version and the interrupted job reported.

mod common;

use common::server::Server;
use common::{arcplan, fixture};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A vehicle-down event for `vehicle` at `minutes` into the town's shift.
fn breakdown(vehicle: &str, minutes: u32) -> String {
    format!(
        "[[event]]\nat = 2026-12-01T03:{minutes:02}:00+01:00\nkind = \"vehicle_down\"\nvehicle = \"{vehicle}\"\n"
    )
}

/// Writes a version's plan (and events) to `dir` and runs the independent
/// validator on them, as a planner would.
fn validate(server: &Server, plan: i64, n: i64, dir: &Path) {
    let base = format!("/api/plans/{plan}/versions/{n}");
    let plan_path = dir.join(format!("plan-{n}.json"));
    let (s, json) = server.get(&base);
    assert_eq!(s, 200);
    std::fs::write(&plan_path, json).unwrap();
    let scen = fixture("town-frost.toml");
    let mut args = vec![
        "validate".to_string(),
        scen.display().to_string(),
        plan_path.display().to_string(),
    ];
    if n > 1 {
        let (s, events) = server.get(&format!("{base}/events.toml"));
        assert_eq!(s, 200);
        let ev: PathBuf = dir.join(format!("events-{n}.toml"));
        std::fs::write(&ev, events).unwrap();
        args.extend(["--events".to_string(), ev.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = arcplan(&args);
    assert_eq!(code, 0, "version {n} fails the validator: {out}{err}");
    assert!(out.contains(" 0 errors"), "{out}");
}

#[test]
fn plan_replan_validate_and_fetch_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    // The token file is the owner's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data/token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(server.get_json("/api/health")["status"], "ok");
    let openapi = server.get_json("/api/openapi.json");
    assert!(
        openapi["paths"]["/api/plans/{id}/events"].is_object(),
        "{openapi}"
    );

    let plan = server.plan_town();
    let v1 = server.get_json(&format!("/api/plans/{plan}"));
    assert_eq!(v1["vehicles"].as_array().unwrap().len(), 2);
    validate(&server, plan, 1, dir.path());

    // A breakdown half-way through the second truck's route.
    let truck = v1["vehicles"][1]["id"].as_str().unwrap().to_string();
    let minutes = (v1["vehicles"][1]["end_s"].as_f64().unwrap() / 120.0) as u32;
    let events = breakdown(&truck, minutes.max(1));
    // No token: 401; no If-Match: 428; a version that is not the latest: 409.
    let p = format!("/api/plans/{plan}/events?time_limit=1s");
    assert_eq!(server.post(&p, &events, false, &[("If-Match", "1")]).0, 401);
    assert_eq!(server.post(&p, &events, true, &[]).0, 428);
    let (s, v) = server.post(&p, &events, true, &[("If-Match", "7")]);
    assert_eq!(s, 409, "{v}");
    // Bad events: 422 with the line, as the command line says it.
    let (s, v) = server.post(&p, &breakdown("truck 9", 5), true, &[("If-Match", "1")]);
    assert_eq!(s, 422, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("events.toml:1: event[0]: unknown vehicle"),
        "{v}"
    );
    let (s, v) = server.post(
        &p,
        &events,
        true,
        &[("If-Match", "\"1\""), ("X-Arcplan-User", "officer K")],
    );
    assert_eq!(s, 202, "{v}");
    // While it runs (or once it ran), a second re-plan of version 1 is refused.
    let (s, again) = server.post(&p, &events, true, &[("If-Match", "1")]);
    assert_eq!(s, 409, "{again}");
    let job = server.wait(v["job"].as_i64().unwrap());
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["version"], 2);
    assert!(job["progress"]["deadhead_km"].as_f64().is_some(), "{job}");

    let versions = server.get_json(&format!("/api/plans/{plan}/versions"));
    let list = versions["versions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["posted_by"], "officer K");
    assert!(list[1]["events"].as_str().unwrap().contains("vehicle_down"));
    assert!(
        list[1]["summary"]["replan"]["taken_over_from_vehicles_down"]
            .as_u64()
            .unwrap()
            > 0,
        "{}",
        list[1]
    );
    let latest = server.get_json(&format!("/api/plans/{plan}"));
    assert!(latest["replan"].is_object(), "the latest is version 2");
    // The summary names each late class as the plan has it.
    for (v, entry) in list.iter().enumerate() {
        let plan_v = server.get_json(&format!("/api/plans/{plan}/versions/{}", v + 1));
        let late: Vec<(u64, u64)> = plan_v["classes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["late_tasks"].as_u64().unwrap() > 0)
            .map(|c| {
                (
                    c["class"].as_u64().unwrap(),
                    c["late_tasks"].as_u64().unwrap(),
                )
            })
            .collect();
        let listed: Vec<(u64, u64)> = entry["summary"]["late_classes"]
            .as_array()
            .expect("late_classes")
            .iter()
            .map(|c| {
                (
                    c["class"].as_u64().unwrap(),
                    c["late_passes"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(listed, late, "version {}", v + 1);
    }
    validate(&server, plan, 2, dir.path());
    // The stale version is refused now that version 2 exists.
    assert_eq!(server.post(&p, &events, true, &[("If-Match", "1")]).0, 409);

    // Every file of both versions, named as the versions list gives them,
    // and each vehicle's files by the vehicle's id.
    for v in list {
        let n = v["n"].as_i64().unwrap();
        let files: Vec<&str> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        for must in ["plan.json", "routes.geojson", "report.html"] {
            assert!(files.contains(&must), "version {n}: {files:?}");
        }
        if n == 2 {
            assert!(files.contains(&"changes.json") && files.contains(&"events.toml"));
        }
        for f in &files {
            let (s, body) = server.get(&format!("/api/plans/{plan}/versions/{n}/{f}"));
            assert_eq!(s, 200, "{f}");
            assert!(!body.is_empty(), "{f}");
        }
        let (_, report) = server.get(&format!("/api/plans/{plan}/versions/{n}/report.html"));
        assert!(report.contains("<canvas id=map>"));
        let plan_n = server.get_json(&format!("/api/plans/{plan}/versions/{n}"));
        for veh in plan_n["vehicles"].as_array().unwrap() {
            let id = veh["id"]
                .as_str()
                .unwrap()
                .replace(' ', "%20")
                .replace('#', "%23");
            for (file, must) in [
                ("track.gpx", "<gpx"),
                ("itinerary.csv", ","),
                ("sheet.html", "<table"),
            ] {
                let (s, body) = server.get(&format!(
                    "/api/plans/{plan}/versions/{n}/vehicles/{id}/{file}"
                ));
                assert_eq!(s, 200, "{id} {file}");
                assert!(body.contains(must), "{id} {file}");
            }
        }
    }

    // 404 on unknown ids, versions, vehicles and files.
    for path in [
        "/api/plans/999".to_string(),
        format!("/api/plans/{plan}/versions/9"),
        format!("/api/plans/{plan}/versions/2/nothing.txt"),
        format!("/api/plans/{plan}/versions/2/vehicles/truck%209/track.gpx"),
        "/api/jobs/999".to_string(),
    ] {
        let (s, body) = server.get(&path);
        assert_eq!(s, 404, "{path}: {body}");
        assert!(body.contains("\"error\""), "{body}");
    }
    assert_eq!(
        server
            .post("/api/plans/999/events", &events, true, &[("If-Match", "1")])
            .0,
        404
    );
}

#[test]
fn bad_scenarios_and_paths_outside_the_maps_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let text = std::fs::read_to_string(fixture("town-frost.toml")).unwrap();
    let post = |body: &str| server.post("/api/plans?time_limit=1s", body, true, &[]);
    // No token: 401, nothing stored.
    assert_eq!(server.post("/api/plans", &text, false, &[]).0, 401);
    // A key error: 422 with the key and line, as the command line gives it.
    let (s, v) = post(&text.replace("max_hours = 8.0", "max_hours = \"eight\""));
    assert_eq!(s, 422, "{v}");
    let e = v["error"].as_str().unwrap();
    assert!(
        e.starts_with("scenario.toml:") && e.contains("max_hours"),
        "{e}"
    );
    // Map paths that leave `--maps`, by `..`, absolute or through a link.
    for bad in ["../Cargo.toml", "/etc/passwd", "dem/../../Cargo.toml"] {
        let (s, v) = post(&text.replace("\"town.osm.pbf\"", &format!("\"{bad}\"")));
        assert_eq!(s, 422, "{bad}: {v}");
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .contains("leaves the maps folder"),
            "{v}"
        );
    }
    let (s, v) = post(&text.replace("\"town.osm.pbf\"", "\"elsewhere.osm.pbf\""));
    assert_eq!(s, 422);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("is not in the maps folder"),
        "{v}"
    );
    // A bad time limit: 400; a body over the limit: 413.
    assert_eq!(
        server
            .post("/api/plans?time_limit=forever", &text, true, &[])
            .0,
        400
    );
    let huge = "#".repeat(2 << 20);
    let status = server.post_too_large("/api/plans", &huge);
    assert!(matches!(status, None | Some(413)), "{status:?}");
    assert_eq!(
        server.get_json("/api/health")["status"],
        "ok",
        "the server still serves"
    );
    // Nothing of this was stored.
    assert_eq!(
        server.get_json("/api/plans")["plans"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn progress_reports_are_checked_against_the_plan_and_join_the_next_replan() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"));
    let plan = server.plan_town();
    let v1 = server.get_json(&format!("/api/plans/{plan}"));
    let truck = v1["vehicles"][0]["id"].as_str().unwrap();
    let services = v1["vehicles"][0]["legs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "service")
        .count();
    let p = format!("/api/plans/{plan}/progress");
    let report = |vehicle: &str, done: usize| {
        format!(
            r#"{{"vehicle": "{vehicle}", "at": "2026-12-01T03:05:00+01:00", "services_done": {done}, "position": [10.004, 45.003]}}"#
        )
    };
    // A service the vehicle never had, an unknown vehicle, no token: refused.
    let (s, v) = server.post(&p, &report(truck, services + 1), true, &[]);
    assert_eq!(s, 422, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains(&format!("has {services} services")),
        "{v}"
    );
    assert_eq!(server.post(&p, &report("truck 9", 1), true, &[]).0, 422);
    assert_eq!(server.post(&p, &report(truck, 1), false, &[]).0, 401);
    let (s, v) = server.post(
        &p,
        &report(truck, 1).replace("03:05:00", "23:05:00"),
        true,
        &[],
    );
    assert_eq!(s, 422, "outside the shift: {v}");
    assert_eq!(
        server.get_json(&p)["reports"].as_array().unwrap().len(),
        0,
        "nothing stored"
    );
    let (s, v) = server.post(&p, &report(truck, 2), true, &[]);
    assert_eq!(s, 201, "{v}");
    // The next re-plan takes it as a `progress` event.
    let other = v1["vehicles"][1]["id"].as_str().unwrap();
    let (s, v) = server.post(
        &format!("/api/plans/{plan}/events?time_limit=1s"),
        &breakdown(other, 6),
        true,
        &[("If-Match", "1")],
    );
    assert_eq!(s, 202, "{v}");
    assert_eq!(v["progress_reports"], 1);
    let job = server.wait(v["job"].as_i64().unwrap());
    assert_eq!(job["state"], "done", "{job}");
    let (_, events) = server.get(&format!("/api/plans/{plan}/versions/2/events.toml"));
    assert!(
        events.contains("kind = \"progress\"") && events.contains("vehicle_down"),
        "{events}"
    );
    validate(&server, plan, 2, dir.path());
    let reports = server.get_json(&p);
    assert_eq!(reports["reports"][0]["used_by_job"], job["id"]);
}

#[test]
fn a_killed_server_keeps_its_versions_and_reports_the_interrupted_job() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data);
    let plan = server.plan_town();
    let (_, v1_before) = server.get(&format!("/api/plans/{plan}/versions/1"));
    let v1 = server.get_json(&format!("/api/plans/{plan}"));
    let truck = v1["vehicles"][1]["id"].as_str().unwrap().to_string();
    // A long re-plan, killed while it runs.
    let (s, v) = server.post(
        &format!("/api/plans/{plan}/events?time_limit=60s"),
        &breakdown(&truck, 5),
        true,
        &[("If-Match", "1")],
    );
    assert_eq!(s, 202, "{v}");
    let job = v["job"].as_i64().unwrap();
    let start = Instant::now();
    while server.get_json(&format!("/api/jobs/{job}"))["state"] != "running" {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the job never ran"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // While it runs, the job tells the best routes' kilometres, not only hours.
    let progress = loop {
        let j = server.get_json(&format!("/api/jobs/{job}"));
        if j["progress"]["best_service_km"].as_f64().is_some() {
            break j["progress"].clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(40) && j["state"] == "running",
            "no kilometres while running: {j}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(progress["stage"], "solving", "{progress}");
    let service = progress["best_service_km"].as_f64().unwrap();
    let empty = progress["best_deadhead_km"].as_f64().unwrap();
    let town = v1["kpis"]["service_km"].as_f64().unwrap();
    assert!(
        service > 0.0 && service < town && empty >= 0.0,
        "the re-plan's routes from the breakdown on: {progress}; the night: {town} km"
    );
    server.kill(); // SIGKILL: no shutdown code runs
    let server = Server::start(&data);
    let j = server.get_json(&format!("/api/jobs/{job}"));
    assert_eq!(j["state"], "failed", "{j}");
    assert!(
        j["error"]
            .as_str()
            .unwrap()
            .contains("the server stopped while this job was running"),
        "{j}"
    );
    let (s, v1_after) = server.get(&format!("/api/plans/{plan}/versions/1"));
    assert_eq!(s, 200);
    assert_eq!(v1_before, v1_after, "version 1 is intact");
    assert_eq!(
        server.get_json(&format!("/api/plans/{plan}/versions"))["versions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    validate(&server, plan, 1, dir.path());
    // The plan is not stuck: the re-plan can be posted again and runs.
    let (s, v) = server.post(
        &format!("/api/plans/{plan}/events?time_limit=1s"),
        &breakdown(&truck, 5),
        true,
        &[("If-Match", "1")],
    );
    assert_eq!(s, 202, "{v}");
    let j = server.wait(v["job"].as_i64().unwrap());
    assert_eq!(j["state"], "done", "{j}");
    validate(&server, plan, 2, dir.path());
}
