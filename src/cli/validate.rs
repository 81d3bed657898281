//! `arcplan validate <scenario.toml> <plan.json>`: checks a plan against the
//! scenario and the map, independently of how it was made.

use crate::error::{Error, Result};
use crate::plan::shift::Plan;
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
    for e in rep.errors.iter().take(50) {
        say!("error: {e}");
    }
    let mut late: Vec<_> = rep.late.clone();
    late.sort_by_key(|a| a.0);
    say!(
        "{}: {} vehicles, {} services checked; {} errors; {} services after their deadline; {} required passes excused (unreachable with the turn rules){}",
        a.plan.display(),
        plan.vehicles.len(),
        rep.services_checked,
        rep.errors.len(),
        late.len(),
        rep.excused,
        if rep.undone > 0 {
            format!("; {} left undone, as the plan declares (no vehicle working)", rep.undone)
        } else {
            String::new()
        }
    );
    if rep.ok() {
        Ok(())
    } else {
        Err(Error::invalid(
            &a.plan,
            format!("{} errors: the plan is not valid", rep.errors.len()),
        ))
    }
}
