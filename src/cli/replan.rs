//! `arcplan replan <scenario.toml> --plan <plan.json> --events <events.toml>
//! --out <dir>`: a new plan from where every vehicle stands.

use super::plan::{solve_all, summary, write_outputs};
use super::SolverArgs;
use crate::error::{Error, Result};
use crate::plan::shift::{self, Plan};
use crate::plan::validate;
use crate::replan::{self, changes, events};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML) the plan was made for.
    pub scenario: PathBuf,
    /// The plan being driven (plan.json).
    #[arg(long)]
    pub plan: PathBuf,
    /// What happened (TOML, `[[event]]` entries); without it nothing changes.
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Seconds added to each deadhead the current plan does not drive, so that
    /// routes change only where it pays.
    #[arg(long, default_value_t = replan::DEFAULT_STABILITY_S)]
    pub stability_s: f64,
    /// Re-optimise freely, without the stability price.
    #[arg(long)]
    pub no_stability: bool,
    /// Print the summary as one JSON object (as `arcplan plan --json`, with
    /// the re-plan's changes under `replan`) instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub solver: SolverArgs,
}

pub fn run(a: Args) -> Result<i32> {
    let scenario = crate::scenario::load(&a.scenario)?;
    let out_dir = crate::util::OutputDir::prepare(&a.out, "plan.json")?;
    let mut clock = super::Stopwatch::start();
    let plan = Plan::read(&a.plan)?;
    let ids = replan::vehicle_ids(&plan);
    let events = match &a.events {
        Some(p) => events::load(p, &scenario, &ids)?,
        None => events::Events::default(),
    };
    let stability = if a.no_stability {
        0.0
    } else {
        a.stability_s.max(0.0)
    };
    let r = replan::prepare(&scenario, &plan, &events, stability)?;
    clock.lap("events and instances");
    let solutions = if r.changed {
        solve_all(&r.city, &a.solver.params(), &r.warm_starts)
    } else {
        r.current.clone()
    };
    clock.lap("solve");
    let mut new = shift::build_replan(&r.scenario, &r.city, &solutions, &r.history);
    new.replan = a.events.as_ref().map(|p| shift::ReplanOf {
        events: p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        events_count: events.list.len(),
        at_s: r.time_s,
    });
    clock.lap("plan");
    validate::validate_with(&r.scenario, &r.city.network, &new, &r.closures).or_internal_error()?;
    clock.lap("validation");
    let ch = changes::compare(&plan, &new, r.time_s);
    let json = serde_json::to_vec_pretty(&ch).map_err(|e| Error::Other(e.to_string()))?;
    write_outputs(
        out_dir.path(),
        &new,
        &r.city,
        &r.scenario,
        Some((vec![("changes.json".to_string(), json)], changes::html(&ch))),
    )?;
    out_dir.commit()?;
    clock.lap("outputs");
    if a.json {
        let changes = ch.counts();
        super::out!(
            "{}",
            super::plan::summary_json(&new, &clock, &a.out, Some(("replan", changes)))
        );
        return Ok(super::exit_code(&new, true));
    }
    summary(&new, &clock, &a.out);
    say!(
        "  re-plan at {}: {} vehicle(s) changed, {} service(s) moved, {} taken over from vehicles down, {} new, {} dropped",
        shift::hms(r.time_s),
        ch.vehicles_changed.len(),
        ch.moved.len(),
        ch.reassigned_from_down,
        ch.added,
        ch.dropped
    );
    Ok(super::exit_code(&new, false))
}
