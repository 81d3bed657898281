//! `arcplan carp solve`: one benchmark instance (CARPLIB, kw-large, MCARP, or
//! the ROAR-NET salt-spreading JSON).

use super::SolverArgs;
use crate::error::{Error, Result};
use crate::instance::carp_file;
use crate::instance::salt_spreading::{self, model::EndRule};
use crate::plan::{carp_solution, carp_validator};
use crate::solver;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Instance file: CARPLIB, kw-large or MCARP text, or a salt-spreading
    /// instance (ROAR-NET JSON, `.json`).
    pub file: PathBuf,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Write the solution as JSON here (for a salt-spreading instance, the
    /// statement's arcs form, which `arcplan carp check` reads).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Salt-spreading instances: where routes end, `depot` (the statement's
    /// rule: the last trip ends at a depot) or `anywhere` (the practical
    /// variant: right after the last salted road).
    #[arg(long, value_enum)]
    pub end: Option<EndRule>,
    /// Salt-spreading instances: time for a stronger lower bound (the flow
    /// relaxation made integral, by branch and bound, after the solve;
    /// 0s: the linear relaxation only).
    #[arg(long, default_value = "0s", value_parser = super::parse_duration)]
    pub bound_time: std::time::Duration,
}

fn spinner() -> Option<indicatif::ProgressBar> {
    super::interactive().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.enable_steady_tick(std::time::Duration::from_millis(200));
        b
    })
}

fn run_salt(args: &Args) -> Result<()> {
    let params = args.solver.params();
    let bar = spinner();
    let s = super::salt::solve(
        &args.file,
        args.end.unwrap_or(EndRule::Depot),
        &params,
        args.bound_time,
        |p| {
            if let Some(b) = &bar {
                b.set_message(format!(
                    "best {} (length units) at {:.2}s",
                    p.cost,
                    p.elapsed.as_secs_f64()
                ));
            }
        },
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    super::say!("{}", super::salt::summary(&s).trim_end());
    if !s.check.feasible() {
        return Err(Error::Other(format!(
            "the solution breaks the instance's rules (see the violations above); nothing written{}",
            if s.outcome.feasible {
                ""
            } else {
                ": the solver found no feasible solution in the time given"
            }
        )));
    }
    if let Some(out) = &args.out {
        crate::util::write_atomic(out, &s.json)?;
    }
    Ok(())
}

pub fn run(args: Args) -> Result<()> {
    if salt_spreading::is_salt_file(&args.file) {
        return run_salt(&args);
    }
    if args.end.is_some() {
        return Err(Error::invalid(
            &args.file,
            "`--end` applies to salt-spreading instances (.json) only",
        ));
    }
    let inst = carp_file::read(&args.file)?;
    let params = args.solver.params();
    let bar = spinner();
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
