//! `arcplan carp check`: score a salt-spreading solution with the
//! independent checker.

use crate::error::{Error, Result};
use crate::plan::salt_check::CheckInstance;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  arcplan carp check kerteminde.json solution.json\n  arcplan carp check kerteminde.json solution_mandrup.txt --end anywhere\n\n\
Exit status: 0 when the solution is feasible, 3 when it is read but breaks a rule \
(each violation is listed), 1 when a file cannot be read."
)]
pub struct Args {
    /// Salt-spreading instance (ROAR-NET JSON).
    pub instance: PathBuf,
    /// Solution: the arcs form or the nodes form (JSON), or node sequences
    /// (text), one vehicle after another, each closed by a token that is not
    /// a node label.
    pub solution: PathBuf,
    /// Where routes must end: `depot` (the statement's rule) or `anywhere`
    /// (the variant: right after the last salted road).
    #[arg(long, value_enum, default_value = "depot")]
    pub end: crate::instance::salt_spreading::model::EndRule,
}

/// Exit code of a solution that breaks a rule.
pub const INFEASIBLE: i32 = 3;

pub fn run(args: Args) -> Result<i32> {
    let read = |p: &PathBuf| std::fs::read_to_string(p).map_err(|e| Error::io(p, e));
    let inst = CheckInstance::parse(&read(&args.instance)?)
        .map_err(|e| Error::invalid(&args.instance, e))?;
    let routes = inst
        .parse_solution(&read(&args.solution)?)
        .map_err(|e| Error::invalid(&args.solution, e))?;
    let check = inst.check(
        &routes,
        args.end == crate::instance::salt_spreading::model::EndRule::Anywhere,
    );
    super::say!("{}", check.to_string().trim_end());
    Ok(if check.feasible() { 0 } else { INFEASIBLE })
}
