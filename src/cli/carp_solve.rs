//! `arcplan carp solve`: one benchmark instance.

use super::SolverArgs;
use crate::error::{Error, Result};
use crate::instance::carp_file;
use crate::plan::{carp_solution, carp_validator};
use crate::solver;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Instance file (CARPLIB, kw-large or MCARP format).
    pub file: PathBuf,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Write the solution as JSON here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let inst = carp_file::read(&args.file)?;
    let params = args.solver.params();
    let bar = super::interactive().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.enable_steady_tick(std::time::Duration::from_millis(200));
        b
    });
    let outcome = solver::solve(&inst, &params, |p| {
        if let Some(b) = &bar {
            b.set_message(format!(
                "best {} at {:.2}s",
                p.cost,
                p.elapsed.as_secs_f64()
            ));
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = carp_validator::validate(&inst, &outcome.best);
    super::say!(
        "{}: {} tasks, cost {}, {} routes, time to best {:.2}s, start-up {:.2}s, {} generations in {:.2}s, {}",
        inst.name,
        inst.num_tasks(),
        outcome.best.cost,
        outcome.best.routes.len(),
        outcome.time_to_best.as_secs_f64(),
        outcome.start_up.as_secs_f64(),
        outcome.iterations,
        outcome.elapsed.as_secs_f64(),
        if report.is_valid() {
            "valid"
        } else {
            "INVALID"
        }
    );
    let json = carp_solution::to_json(&inst, &outcome.best);
    for (i, r) in json.routes.iter().enumerate() {
        let steps: Vec<String> = r
            .iter()
            .map(|s| format!("{}:{}->{}", s.task, s.from, s.to))
            .collect();
        super::say!(
            "  route {:>3} (load {:>6}): {}",
            i + 1,
            report.route_loads.get(i).copied().unwrap_or(0),
            steps.join(" ")
        );
    }
    if !report.is_valid() {
        return Err(Error::Other(format!(
            "the solution failed validation: {}",
            report.errors.join("; ")
        )));
    }
    if let Some(out) = &args.out {
        let text = serde_json::to_vec_pretty(&json).map_err(|e| Error::Other(e.to_string()))?;
        crate::util::write_atomic(out, &text)?;
    }
    Ok(())
}
