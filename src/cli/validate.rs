//! `arcplan validate <scenario.toml> <plan.json>`: checks a plan against the
//! scenario and the map, independently of how it was made.

use crate::error::{Error, Result};
use crate::plan::shift::Plan;
use crate::plan::validate::Report;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario the plan was made for (TOML).
    pub scenario: PathBuf,
    /// The plan to check: a `plan.json` written by `arcplan plan` or
    /// `arcplan replan`.
    pub plan: PathBuf,
    /// The events of a re-plan (`arcplan replan --events`): the plan is checked
    /// against the scenario as they leave it (storm upgrade, vehicles added,
    /// roads closed).
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// Print the verdict as one JSON object (valid, every error, the passes
    /// after their deadline by class, vehicles past the shift) instead of
    /// text; the exit status is the same.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> Result<()> {
    let scenario = crate::scenario::load(&a.scenario)?;
    let plan = Plan::read(&a.plan)?;
    let net = crate::city::network(&scenario)?;
    let rep = match &a.events {
        None if plan.replan.is_some() => {
            let of = plan.replan.as_ref().expect("checked");
            return Err(Error::invalid(
                &a.plan,
                format!(
                    "this plan is a re-plan at {} made for the {} event(s) in `{}`: validate it \
                     with `--events {}` (the scenario alone no longer describes it)",
                    crate::plan::shift::hms(of.at_s),
                    of.events_count,
                    of.events,
                    of.events
                ),
            ));
        }
        None => crate::plan::validate::validate(&scenario, &net, &plan),
        Some(path) => {
            let ids = crate::replan::vehicle_ids(&plan);
            let events = crate::replan::events::load(path, &scenario, &ids)?;
            let (scen, closures) = crate::replan::effective(&scenario, &events, &net)?;
            crate::plan::validate::validate_with(&scen, &net, &plan, &closures)
        }
    };
    if a.json {
        super::out!("{}", verdict_json(&a.plan, &plan, &rep));
    } else {
        verdict_text(&a.plan, &plan, &rep);
    }
    if rep.ok() {
        Ok(())
    } else {
        Err(Error::invalid(
            &a.plan,
            format!("{} errors: the plan is not valid", rep.errors.len()),
        ))
    }
}

/// The verdict as text: the first 50 errors, then one line of counts.
fn verdict_text(path: &std::path::Path, plan: &Plan, rep: &Report) {
    for e in rep.errors.iter().take(50) {
        say!("error: {e}");
    }
    if rep.errors.len() > 50 {
        say!(
            "… and {} more errors (`--json` lists them all)",
            rep.errors.len() - 50
        );
    }
    say!(
        "{}: {} vehicles, {} services checked; {} errors; {} services after their deadline; {} required passes excused (unreachable with the turn rules){}",
        path.display(),
        plan.vehicles.len(),
        rep.services_checked,
        rep.errors.len(),
        rep.late.len(),
        rep.excused,
        if rep.undone > 0 {
            format!("; {} left undone, as the plan declares (no vehicle working)", rep.undone)
        } else {
            String::new()
        }
    );
}

/// The verdict as one JSON object, every error included.
fn verdict_json(path: &std::path::Path, plan: &Plan, rep: &Report) -> serde_json::Value {
    let mut late: std::collections::BTreeMap<u8, (usize, f64)> = Default::default();
    for &(class, s) in &rep.late {
        let e = late.entry(class).or_default();
        e.0 += 1;
        e.1 = e.1.max(s);
    }
    serde_json::json!({
        "plan": path.display().to_string(),
        "valid": rep.ok(),
        "vehicles": plan.vehicles.len(),
        "services_checked": rep.services_checked,
        "errors": rep.errors,
        "late": late.iter().map(|(c, (n, worst))| serde_json::json!({
            "class": c, "services": n, "worst_late_s": worst,
        })).collect::<Vec<_>>(),
        "over_shift": rep.over_shift.iter().map(|(v, s)| serde_json::json!({
            "vehicle": v, "over_s": s,
        })).collect::<Vec<_>>(),
        "excused": rep.excused,
        "undone": rep.undone,
    })
}
