//! `arcplan batch <manifest.toml> --out <dir> [--shard i/n]` and
//! `arcplan batch merge <shard dirs…> --out <dir>`.

use super::plan::write_outputs;
use crate::batch::{self, manifest, RunResult};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<BatchCommand>,
    /// Manifest (TOML): `[[run]]` and `[[sweep]]` entries.
    pub manifest: Option<PathBuf>,
    /// Output directory: one directory per run, summary.csv and summary.json.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only shard `i` of `n` (0-based): `i/n`, or `/n` to read `i` from
    /// SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_parser = batch::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Runs at a time (default: cores / solver threads per run).
    #[arg(long)]
    pub jobs: Option<usize>,
}

#[derive(clap::Subcommand, Debug)]
pub enum BatchCommand {
    /// Gather the summaries of shard runs into one.
    #[command(
        after_help = "Example:\n  arcplan batch merge /tmp/nightly-0 /tmp/nightly-1 --out /tmp/nightly"
    )]
    Merge {
        /// The shards' output directories.
        dirs: Vec<PathBuf>,
        /// Directory for the merged summary.csv and summary.json.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(a: Args) -> Result<()> {
    if let Some(BatchCommand::Merge { dirs, out }) = a.command {
        let all = batch::merge(&dirs, &out)?;
        say!(
            "merged {} runs from {} shards into {}",
            all.len(),
            dirs.len(),
            out.display()
        );
        return Ok(());
    }
    let path = a
        .manifest
        .ok_or_else(|| Error::Other("batch: give a manifest (or `batch merge`)".into()))?;
    let out = a
        .out
        .ok_or_else(|| Error::Other("batch: give --out <dir>".into()))?;
    let m = manifest::load(&path)?;
    let d = &m.defaults;
    let time_limit = match &d.time_limit {
        Some(t) => super::parse_duration(t)
            .map_err(|e| Error::invalid(&path, format!("`defaults.time_limit`: {e}")))?,
        None => std::time::Duration::from_secs(10),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = d.threads.unwrap_or(1).max(1);
    let params = crate::solver::Params {
        seed: d.seed.unwrap_or(1),
        threads,
        time_limit: Some(time_limit),
        max_iterations: d.max_iterations,
        ..Default::default()
    };
    let runs: Vec<_> = m
        .runs
        .iter()
        .filter(|r| a.shard.is_none_or(|(i, n)| r.index % n == i))
        .collect();
    let jobs = a.jobs.unwrap_or((cores / threads).max(1)).max(1);
    let multi = indicatif::MultiProgress::new();
    if !super::interactive() {
        multi.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let overall = multi.add(indicatif::ProgressBar::new(runs.len() as u64));
    overall.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} runs {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {jobs} batch workers: {e}")))?;
    let mut results: Vec<RunResult> = pool.install(|| {
        runs.par_iter()
            .map(|r| {
                let bar = multi.add(indicatif::ProgressBar::new_spinner());
                bar.set_message(format!("{}: planning", r.name));
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
                let res = batch::run_one(r, &params, &out, &|dir, plan, problem, scen| {
                    let folder = crate::util::OutputDir::prepare(dir, "plan.json")?;
                    write_outputs(folder.path(), plan, problem, scen, None)?;
                    folder.commit()
                });
                bar.finish_and_clear();
                overall.inc(1);
                res
            })
            .collect()
    });
    overall.finish_and_clear();
    results.sort_by_key(|r| r.index);
    batch::write_summary(&out, &results)?;
    let failed: Vec<&RunResult> = results.iter().filter(|r| !r.ok).collect();
    for r in &results {
        match &r.error {
            None => say!(
                "  {:<28} {:>2} vehicles  service {:>7.1} km  deadhead {:>5.1} % (gap to bound {})  late {:>3}  {:>6.1} s",
                r.name,
                r.vehicles_used,
                r.service_km,
                100.0 * r.deadhead_share,
                r.deadhead_gap_pct
                    .map_or("n/a".to_string(), |g| format!("{g:.1} %")),
                r.late_tasks,
                r.seconds
            ),
            Some(e) => say!("  {:<28} FAILED: {e}", r.name),
        }
    }
    say!(
        "{} runs{} ({} at a time, {} solver thread(s) each): {} ok, {} failed; summary in {}",
        results.len(),
        a.shard
            .map_or(String::new(), |(i, n)| format!(" of shard {i}/{n}")),
        jobs,
        threads,
        results.len() - failed.len(),
        failed.len(),
        out.join("summary.csv").display()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Other(format!(
            "{} of {} runs failed (first: `{}`)",
            failed.len(),
            results.len(),
            failed[0].name
        )))
    }
}
