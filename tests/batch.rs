//! `arcplan batch`: a manifest with a broken scenario finishes the others and
//! reports the broken one; shards (explicit, and from the Slurm / Kubernetes
//! index variables) merge into the same results as the unsharded run.

mod common;

use common::fixture;
use std::path::Path;
use std::process::Command;

fn manifest(dir: &Path) -> std::path::PathBuf {
    let broken = dir.join("broken.toml");
    let town = fixture("town-frost.toml");
    let text = std::fs::read_to_string(&town).unwrap().replace(
        "extract = \"town.osm.pbf\"",
        "extract = \"nowhere.osm.pbf\"",
    );
    std::fs::write(&broken, text).unwrap();
    let text = format!(
        r#"[defaults]
time_limit = "60s"
max_iterations = 150
seed = 3
threads = 1

[[run]]
name = "town"
scenario = {town:?}

[[run]]
name = "broken"
scenario = {broken:?}

[[sweep]]
name = "fleet"
scenario = {town:?}
vehicle_count = [1, 3]
spread_g_per_m2 = [10, 20]
"#,
        town = town.display().to_string(),
        broken = broken.display().to_string(),
    );
    let path = dir.join("manifest.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn batch(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_arcplan"))
        .arg("batch")
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .envs(env.iter().copied())
        .output()
        .expect("run arcplan");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The summary without the timings (which differ from run to run).
fn summary(dir: &Path) -> Vec<serde_json::Value> {
    let v: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    v.into_iter()
        .map(|mut r| {
            r.as_object_mut().unwrap().remove("seconds");
            r
        })
        .collect()
}

#[test]
fn a_broken_scenario_does_not_stop_the_others_and_shards_merge_to_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path());
    let m = m.to_str().unwrap();
    let all = dir.path().join("all");
    let (code, out, err) = batch(&[m, "--out", all.to_str().unwrap()], &[]);
    assert_ne!(code, 0, "a failed run makes the exit code non-zero");
    assert!(err.contains("1 of 6 runs failed"), "{out}{err}");
    let rows = summary(&all);
    assert_eq!(rows.len(), 6);
    let broken = rows.iter().find(|r| r["name"] == "broken").unwrap();
    assert_eq!(broken["ok"], false);
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("nowhere.osm.pbf"),
        "{broken}"
    );
    for r in rows.iter().filter(|r| r["name"] != "broken") {
        assert_eq!(r["ok"], true, "{r}");
        let name = r["name"].as_str().unwrap();
        assert!(all.join(name).join("plan.json").is_file(), "{name}");
        assert!(all.join(name).join("report.html").is_file(), "{name}");
    }
    // The sweep's runs differ as their parameters say.
    let used = |n: &str| rows.iter().find(|r| r["name"] == n).unwrap()["vehicles_used"].clone();
    assert_eq!(used("fleet-n1-g10"), 1);
    let material = |n: &str| {
        rows.iter().find(|r| r["name"] == n).unwrap()["material_used"]
            .as_f64()
            .unwrap()
    };
    assert!(material("fleet-n3-g20") > 1.9 * material("fleet-n3-g10"));
    let csv = std::fs::read_to_string(all.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7);
    // The plain run's plan passes the validator.
    let (code, out, _) = common::arcplan(&[
        "validate",
        fixture("town-frost.toml").to_str().unwrap(),
        all.join("town/plan.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");

    // Two shards: one explicit, one with its index from Slurm's variable.
    let s0 = dir.path().join("s0");
    let s1 = dir.path().join("s1");
    batch(&[m, "--out", s0.to_str().unwrap(), "--shard", "0/2"], &[]);
    batch(
        &[m, "--out", s1.to_str().unwrap(), "--shard", "/2"],
        &[("SLURM_ARRAY_TASK_ID", "1")],
    );
    assert_eq!(summary(&s0).len(), 3);
    assert_eq!(summary(&s1).len(), 3);
    let merged = dir.path().join("merged");
    let (code, out, err) = batch(
        &[
            "merge",
            s0.to_str().unwrap(),
            s1.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&merged), rows);
}

#[test]
fn bad_shards_and_manifests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path());
    let (code, _, err) = batch(&[m.to_str().unwrap(), "--out", "x", "--shard", "2/2"], &[]);
    assert_ne!(code, 0);
    assert!(err.contains("need 0 <= i < n"), "{err}");
    let (code, _, err) = batch(&[m.to_str().unwrap(), "--out", "x", "--shard", "/2"], &[]);
    assert_ne!(code, 0);
    assert!(err.contains("JOB_COMPLETION_INDEX"), "{err}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[run]]\nname = \"a b\"\nscenario = \"x.toml\"\n").unwrap();
    let (code, _, err) = batch(&[bad.to_str().unwrap(), "--out", "x"], &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains("bad.toml:") && err.contains("run name `a b`"),
        "{err}"
    );
}

/// The manifest example in the README is a valid manifest and expands as
/// the README says: one run, plus a sweep of 3 × 2 × 2 × 2 combinations
/// named after their values.
#[test]
fn the_readme_manifest_example_parses_as_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let at = readme
        .find("The manifest (paths relative")
        .expect("the manifest section");
    let block = &readme[at..];
    let start = block.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let text = &block[start..start + block[start..].find("```").unwrap()];
    let m = arcplan::batch::manifest::parse(&root.join("manifest.toml"), text)
        .unwrap_or_else(|e| panic!("README manifest: {e}"));
    assert_eq!(m.runs.len(), 1 + 3 * 2 * 2 * 2);
    assert_eq!(m.runs[0].name, "town");
    assert!(
        m.runs.iter().any(|r| r.name == "town-storm-n1-g10-q400-h4"),
        "{:?}",
        m.runs.iter().map(|r| &r.name).collect::<Vec<_>>()
    );
    assert!(
        m.runs.iter().all(|r| r.scenario.exists()),
        "scenario paths resolve"
    );
    assert_eq!(m.defaults.max_iterations, Some(2000));
}
