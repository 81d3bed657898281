//! Batch runs: many scenarios from one manifest, with the cores shared between
//! runs and solver threads, a summary of every run's KPIs, failures reported
//! without stopping the others, and deterministic shards for cluster job
//! arrays (Slurm, Kubernetes indexed Jobs) whose results merge back.
//!
//! Manifest (`manifest.toml`, paths relative to it):
//!
//! ```toml
//! [defaults]              # optional
//! time_limit = "5s"       # per run
//! max_iterations = 2000   # makes runs reproducible (a time limit alone is not)
//! seed = 1
//! threads = 1             # solver threads per run; runs in parallel share the rest
//!
//! [[run]]
//! name = "town"
//! scenario = "fixtures/town-frost.toml"
//!
//! [[sweep]]               # one run per combination of the listed values
//! name = "town-storm"
//! scenario = "fixtures/town-frost.toml"
//! vehicle_count = [1, 2, 3]          # every vehicle type's count
//! spread_g_per_m2 = [10, 20]         # salting vehicles' spread rate
//! capacity = [400, 800]              # every vehicle type's capacity
//! shift_hours = [4, 8]
//! ```
//!
//! Runs are numbered in manifest order (sweeps expanded in the order of their
//! keys above, last key fastest); shard `i` of `n` runs the runs whose number
//! is `i` modulo `n`.

pub mod manifest;

use crate::city;
use crate::error::{Error, Result};
use crate::plan::shift::{self, Plan};
use crate::plan::validate;
use crate::solver::Params;
use manifest::RunSpec;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One run's outcome: its KPIs, or why it failed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RunResult {
    pub index: usize,
    pub name: String,
    pub scenario: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub vehicles_used: usize,
    pub service_km: f64,
    pub deadhead_km: f64,
    pub deadhead_share: f64,
    /// The plan's deadhead lower bound (km) and the gap to it (%).
    #[serde(default)]
    pub deadhead_km_lower_bound: f64,
    #[serde(default)]
    pub deadhead_gap_pct: Option<f64>,
    pub material_used: f64,
    pub refills: usize,
    pub shift_end_s: f64,
    pub late_tasks: usize,
    pub violations: usize,
    pub seconds: f64,
}

impl RunResult {
    fn failed(run: &RunSpec, error: String, seconds: f64) -> RunResult {
        RunResult {
            index: run.index,
            name: run.name.clone(),
            scenario: run.scenario.display().to_string(),
            ok: false,
            error: Some(error),
            vehicles_used: 0,
            service_km: 0.0,
            deadhead_km: 0.0,
            deadhead_share: 0.0,
            deadhead_km_lower_bound: 0.0,
            deadhead_gap_pct: None,
            material_used: 0.0,
            refills: 0,
            shift_end_s: 0.0,
            late_tasks: 0,
            violations: 0,
            seconds,
        }
    }

    fn of(run: &RunSpec, plan: &Plan, seconds: f64) -> RunResult {
        let k = &plan.kpis;
        RunResult {
            index: run.index,
            name: run.name.clone(),
            scenario: run.scenario.display().to_string(),
            ok: true,
            error: None,
            vehicles_used: k.vehicles_used,
            service_km: k.service_km,
            deadhead_km: k.deadhead_km,
            deadhead_share: k.deadhead_share,
            deadhead_km_lower_bound: k.deadhead_km_lower_bound,
            deadhead_gap_pct: k.deadhead_gap_pct,
            material_used: k.material_used,
            refills: k.refills,
            shift_end_s: k.shift_end_s,
            late_tasks: plan.classes.iter().map(|c| c.late_tasks).sum(),
            violations: plan.violations.len(),
            seconds,
        }
    }
}

/// Plans one run and writes its outputs under `out/<name>/`.
pub fn run_one(
    run: &RunSpec,
    params: &Params,
    out: &Path,
    write: &dyn Fn(&Path, &Plan, &city::CityProblem, &crate::scenario::Scenario) -> Result<()>,
) -> RunResult {
    let t0 = std::time::Instant::now();
    let result = (|| -> Result<Plan> {
        let mut scenario = crate::scenario::load(&run.scenario)?;
        run.apply(&mut scenario)?;
        let problem = city::build(&scenario)?;
        let solutions = crate::plan::solve::solve_city(&problem, params, &[], |_, _| {});
        let plan = shift::build(&scenario, &problem, &solutions);
        validate::validate(&scenario, &problem.network, &plan).or_internal_error()?;
        write(&out.join(&run.name), &plan, &problem, &scenario)?;
        Ok(plan)
    })();
    let secs = t0.elapsed().as_secs_f64();
    match result {
        Ok(plan) => RunResult::of(run, &plan, secs),
        Err(e) => RunResult::failed(run, e.to_string(), secs),
    }
}

/// Parses `i/n` (0-based `i`), or `/n` with the index from the environment:
/// `SLURM_ARRAY_TASK_ID` (Slurm job arrays) or `JOB_COMPLETION_INDEX`
/// (Kubernetes indexed Jobs).
pub fn parse_shard(s: &str) -> std::result::Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or_else(|| {
        format!("`{s}`: a shard is i/n, e.g. 0/4 (or /4 to read i from the environment)")
    })?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: the shard count is not a number"))?;
    let i: usize = if i.trim().is_empty() {
        let var = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
            .iter()
            .find_map(|k| std::env::var(k).ok())
            .ok_or_else(|| {
                format!("`{s}`: no shard index, and neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
            })?;
        var.trim()
            .parse()
            .map_err(|_| format!("shard index `{var}` from the environment is not a number"))?
    } else {
        i.trim()
            .parse()
            .map_err(|_| format!("`{s}`: the shard index is not a number"))?
    };
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: need 0 <= i < n"));
    }
    Ok((i, n))
}

/// The summary files: `summary.json` (all fields) and `summary.csv`.
pub fn write_summary(out: &Path, results: &[RunResult]) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let json = serde_json::to_vec_pretty(results).map_err(|e| Error::Other(e.to_string()))?;
    crate::util::write_atomic(&out.join("summary.json"), &json)?;
    let mut csv = String::from(
        "index,name,scenario,ok,vehicles_used,service_km,deadhead_km,deadhead_share,deadhead_km_lower_bound,deadhead_gap_pct,material_used,refills,shift_end_s,late_tasks,violations,seconds,error\n",
    );
    for r in results {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "{},{},{},{},{},{:.3},{:.3},{:.4},{:.3},{},{:.3},{},{:.1},{},{},{:.2},{}\n",
            r.index,
            quote(&r.name),
            quote(&r.scenario),
            r.ok,
            r.vehicles_used,
            r.service_km,
            r.deadhead_km,
            r.deadhead_share,
            r.deadhead_km_lower_bound,
            r.deadhead_gap_pct
                .map_or(String::new(), |g| format!("{g:.2}")),
            r.material_used,
            r.refills,
            r.shift_end_s,
            r.late_tasks,
            r.violations,
            r.seconds,
            quote(r.error.as_deref().unwrap_or(""))
        ));
    }
    crate::util::write_atomic(&out.join("summary.csv"), csv.as_bytes())
}

/// Gathers the `summary.json` of several shard directories into one summary.
pub fn merge(dirs: &[std::path::PathBuf], out: &Path) -> Result<Vec<RunResult>> {
    let mut all: Vec<RunResult> = Vec::new();
    for d in dirs {
        let p = d.join("summary.json");
        let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        let part: Vec<RunResult> =
            serde_json::from_str(&text).map_err(|e| Error::parse(&p, e.line(), e.to_string()))?;
        all.extend(part);
    }
    all.sort_by_key(|r| r.index);
    if let Some(w) = all.windows(2).find(|w| w[0].index == w[1].index) {
        return Err(Error::Other(format!(
            "run {} (`{}`) appears in two shards",
            w[0].index, w[0].name
        )));
    }
    write_summary(out, &all)?;
    Ok(all)
}
