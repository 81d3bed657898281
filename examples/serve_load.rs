//! Load on `arcplan serve` (the numbers in BENCHMARKS.md): `clients`
//! threads read a plan (`GET /api/plans/{id}`) as fast as they can while
//! one re-plan runs; prints the read latencies (median, p99, max), the
//! reads per second and the re-plan's time from POST to `done`.
//!
//!     cargo run --release --example serve_load -- <url> <token-file> <plan> <events.toml> [clients] [time_limit]

use std::time::{Duration, Instant};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 5 {
        eprintln!(
            "usage: serve_load <url> <token-file> <plan> <events.toml> [clients] [time_limit]"
        );
        std::process::exit(2);
    }
    let (url, plan) = (a[1].trim_end_matches('/').to_string(), a[3].clone());
    let token = std::fs::read_to_string(&a[2])
        .expect("token")
        .trim()
        .to_string();
    let events = std::fs::read_to_string(&a[4]).expect("events");
    let clients: usize = a.get(5).map_or(100, |c| c.parse().expect("clients"));
    let limit = a.get(6).cloned().unwrap_or_else(|| "5s".into());
    let agent = || -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into()
    };
    let latest: serde_json::Value = serde_json::from_str(
        &agent()
            .get(format!("{url}/api/plans/{plan}/versions"))
            .call()
            .expect("versions")
            .body_mut()
            .read_to_string()
            .expect("versions"),
    )
    .expect("versions JSON");
    let base = latest["versions"]
        .as_array()
        .and_then(|v| v.last())
        .expect("a version")["n"]
        .as_i64()
        .expect("n");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..clients)
        .map(|_| {
            let (url, plan, stop) = (url.clone(), plan.clone(), stop.clone());
            let ag = agent();
            std::thread::spawn(move || {
                let mut lat = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let t = Instant::now();
                    let mut r = ag
                        .get(format!("{url}/api/plans/{plan}"))
                        .call()
                        .expect("GET");
                    let body = r.body_mut().read_to_string().expect("body");
                    assert!(r.status().as_u16() == 200 && body.len() > 100);
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let t0 = Instant::now();
    let mut r = agent()
        .post(format!("{url}/api/plans/{plan}/events?time_limit={limit}"))
        .header("Authorization", format!("Bearer {token}"))
        .header("If-Match", base.to_string())
        .send(&events)
        .expect("POST events");
    let v: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("JSON");
    assert_eq!(r.status().as_u16(), 202, "{v}");
    let job = v["job"].as_i64().expect("job");
    let ag = agent();
    let replan = loop {
        let j: serde_json::Value = serde_json::from_str(
            &ag.get(format!("{url}/api/jobs/{job}"))
                .call()
                .expect("job")
                .body_mut()
                .read_to_string()
                .expect("job"),
        )
        .expect("job JSON");
        match j["state"].as_str() {
            Some("done") => break t0.elapsed(),
            Some("failed") => panic!("the re-plan failed: {j}"),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut all: Vec<Duration> = readers
        .into_iter()
        .flat_map(|h| h.join().expect("reader"))
        .collect();
    all.sort();
    let q = |p: f64| all[((all.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0;
    let span = t0.elapsed().as_secs_f64() + 0.5;
    println!(
        "{clients} clients: {} reads, {:.0} reads/s; latency median {:.2} ms, p99 {:.2} ms, max {:.2} ms; re-plan (time limit {limit}) done {:.2} s after its POST",
        all.len(),
        all.len() as f64 / span,
        q(0.5),
        q(0.99),
        q(1.0),
        replan.as_secs_f64()
    );
}
