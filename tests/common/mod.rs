//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub mod server;

/// `../shared/data/<rel>` beside the checkout. Missing data fails the test in CI
/// (`CI=true`) and skips it elsewhere, with a message saying so.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "shared data {} is missing, and CI=true requires it",
            p.display()
        );
    }
    skipped(&format!(
        "shared data {} is not here (the test runs in CI)",
        p.display()
    ));
    None
}

/// Says on the terminal that the running test skipped its check and why.
/// Written straight to stderr: the harness captures `eprintln!` of a passing
/// test, so a skip would look like a pass in `cargo test`'s normal output.
pub fn skipped(why: &str) {
    use std::io::Write as _;
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Runs the `arcplan` binary; returns (exit code, stdout, stderr).
pub fn arcplan(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_arcplan"))
        .args(args)
        .output()
        .expect("run arcplan");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Solves every vehicle problem with `params`, builds the plan and checks it
/// with the independent validator (the report is returned for more checks).
pub fn solve_and_validate(
    scenario: &arcplan::scenario::Scenario,
    problem: &arcplan::city::CityProblem,
    params: &arcplan::solver::Params,
) -> (arcplan::plan::shift::Plan, arcplan::plan::validate::Report) {
    let sols = arcplan::plan::solve::solve_city(problem, params, &[], |_, _| {});
    let plan = arcplan::plan::shift::build(scenario, problem, &sols);
    let rep = arcplan::plan::validate::validate(scenario, &problem.network, &plan);
    assert!(
        rep.ok(),
        "plan invalid: {:?}",
        &rep.errors[..rep.errors.len().min(5)]
    );
    (plan, rep)
}

/// The text of a fixture scenario with its map paths made absolute, so that
/// an edited copy can be written anywhere.
pub fn fixture_text_anywhere(name: &str) -> String {
    std::fs::read_to_string(fixture(name))
        .expect("fixture")
        .replace(
            "extract = \"town.osm.pbf\"",
            &format!("extract = {:?}", fixture("town.osm.pbf")),
        )
        .replace("dem = \"dem\"", &format!("dem = {:?}", fixture("dem")))
}

/// `arcplan plan` on the fixture town's frost scenario (300 iterations, two
/// threads) into `dir`; the plan it wrote, after the CLI said it validated.
#[allow(dead_code)]
pub fn plan_town_into(dir: &std::path::Path) -> arcplan::plan::shift::Plan {
    let (code, out, err) = plan_town_cli(dir, 300, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("validated"), "{out}");
    serde_json::from_slice(&std::fs::read(dir.join("plan.json")).expect("plan.json"))
        .expect("plan.json parses")
}

/// `arcplan plan` on the fixture town's frost scenario into `dir` with
/// `iterations` generations, two threads and `extra` arguments: exit
/// status, stdout, stderr.
#[allow(dead_code)]
pub fn plan_town_cli(
    dir: &std::path::Path,
    iterations: u64,
    extra: &[&str],
) -> (i32, String, String) {
    let town = fixture("town-frost.toml");
    let iterations = iterations.to_string();
    let mut args = vec![
        "plan",
        town.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--max-iterations",
        &iterations,
        "--threads",
        "2",
    ];
    args.extend_from_slice(extra);
    arcplan(&args)
}

/// Headless Chromium (`$CHROMIUM`, or Debian's `chromium`, which `.ci/run`
/// installs): missing, the browser tests fail in CI and skip elsewhere.
pub fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium is missing, and CI=true requires it (.ci/run installs it)");
        }
        skipped("no chromium here (the browser test runs in CI)");
    }
    found
}
