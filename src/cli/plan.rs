//! `arcplan plan <scenario.toml> --out <dir>`: shift plans for a scenario.

use super::SolverArgs;
use crate::city;
use crate::error::{Error, Result};
use crate::plan::shift::{self, hms, Plan};
use crate::plan::validate;
use crate::util::{write_atomic, OutputDir};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Output directory (created if missing).
    #[arg(long, required_unless_present = "export_salt_spreading")]
    pub out: Option<PathBuf>,
    /// Also (or, without `--out`, only) write the scenario as a ROAR-NET
    /// salt-spreading instance (JSON). A scenario with several services gets
    /// one file per service, `<name>-<service>.json`.
    #[arg(long, value_name = "FILE.json")]
    pub export_salt_spreading: Option<PathBuf>,
    /// Print the summary as one JSON object (KPIs, vehicles, classes,
    /// violations, warnings, whether the plan is late, timings) instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub solver: SolverArgs,
}

pub fn run(a: Args) -> Result<i32> {
    let scenario = crate::scenario::load(&a.scenario)?;
    // Checked before any work: an output that cannot be written fails now,
    // not after the solve.
    let out_dir = a
        .out
        .as_deref()
        .map(|o| OutputDir::prepare(o, "plan.json"))
        .transpose()?;
    let mut clock = super::Stopwatch::start();
    let problem = city::build(&scenario)?;
    clock.lap("network and instances");
    if let Some(path) = &a.export_salt_spreading {
        export_salt(&scenario, &problem, path)?;
        clock.lap("export");
    }
    let Some(out_dir) = out_dir else {
        say!("  {}", clock.line());
        return Ok(0);
    };
    let solutions = solve_all(&problem, &a.solver.params(), &[]);
    clock.lap("solve");
    let plan = shift::build(&scenario, &problem, &solutions);
    clock.lap("plan");
    validate::validate(&scenario, &problem.network, &plan).or_internal_error()?;
    clock.lap("validation");
    write_outputs(out_dir.path(), &plan, &problem, &scenario, None)?;
    let out = out_dir.target().to_path_buf();
    out_dir.commit()?;
    clock.lap("outputs");
    if a.json {
        super::out!("{}", summary_json(&plan, &clock, &out, None));
    } else {
        summary(&plan, &clock, &out);
    }
    Ok(super::exit_code(&plan, a.json))
}

/// Writes the scenario's work as salt-spreading instances, one per service.
fn export_salt(
    scenario: &crate::scenario::Scenario,
    problem: &city::CityProblem,
    path: &Path,
) -> Result<()> {
    let mut kinds: Vec<_> = problem
        .problems
        .iter()
        .map(|p| p.spec(scenario).service)
        .collect();
    kinds.sort_by_key(|k| k.name());
    kinds.dedup();
    for &kind in &kinds {
        let file = if kinds.len() == 1 {
            path.to_path_buf()
        } else {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            path.with_file_name(format!("{stem}-{}.json", kind.name()))
        };
        let e = city::salt_export::salt_spreading(scenario, problem, kind)?;
        write_atomic(&file, e.json.as_bytes())?;
        say!(
            "{}: {} work as a salt-spreading instance: {} nodes, {} deadhead arcs, {} required \
             items, {} vehicles, written to {}",
            scenario.name.as_deref().unwrap_or("scenario"),
            kind.name(),
            e.nodes,
            e.arcs,
            e.items,
            e.vehicles,
            file.display()
        );
        for n in &e.notes {
            say!("  not in the format: {n}");
        }
    }
    Ok(())
}

/// Solves every vehicle problem ([`crate::plan::solve::solve_city`]) with a
/// spinner when the terminal is interactive.
pub(super) fn solve_all(
    problem: &city::CityProblem,
    params: &crate::solver::Params,
    warm_starts: &[Vec<u32>],
) -> Vec<crate::solver::Solution> {
    let progress = super::progress::SolveProgress::new(params.time_limit);
    let (solutions, moved) =
        crate::plan::solve::solve_city_rebalanced(problem, params, warm_starts, |p, pr| {
            progress.hear(p, pr)
        });
    progress.finish();
    for (to, from) in moved {
        let name = |k: usize| &problem.problems[k].instance.name;
        say!(
            "  rebalanced: {} could not finish in its shift and took a vehicle from {}",
            name(to),
            name(from)
        );
    }
    solutions
}

pub(super) use crate::export::bundle::Extra;

/// Writes the plan's files ([`crate::export::bundle::files`]) into `dir`,
/// each atomically.
pub(super) fn write_outputs(
    dir: &Path,
    plan: &Plan,
    problem: &city::CityProblem,
    scenario: &crate::scenario::Scenario,
    extra: Option<Extra>,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (name, bytes) in crate::export::bundle::files(plan, problem, scenario, extra)? {
        write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(())
}

/// The summary as one JSON object; `extra` (a re-plan's changes) is added
/// under its key.
pub(super) fn summary_json(
    plan: &Plan,
    clock: &super::Stopwatch,
    out: &Path,
    extra: Option<(&str, serde_json::Value)>,
) -> String {
    let vehicles: Vec<serde_json::Value> = plan
        .vehicles
        .iter()
        .map(|v| {
            serde_json::json!({
                "id": v.id, "type": v.type_name, "depot": v.depot,
                "start_s": v.start_s, "end_s": v.end_s,
                "service_km": v.service_km, "deadhead_km": v.deadhead_km,
                "material_used": v.material_used, "capacity": v.capacity,
                "unit": v.service.unit(), "refills": v.refills,
                "down_s": v.down_s,
            })
        })
        .collect();
    let late = plan.is_late();
    let mut value = serde_json::json!({
        "scenario": plan.scenario,
        "shift_start": plan.shift_start,
        "out": out.display().to_string(),
        "validated": true,
        "late": late,
        "exit_status": if late { super::EXIT_LATE } else { 0 },
        "kpis": plan.kpis,
        "vehicles": vehicles,
        "idle": plan.idle,
        "classes": plan.classes,
        "violations": plan.violations,
        "warnings": plan.warnings,
        "timings_s": clock.laps_json(),
    });
    if let (Some((key, v)), Some(obj)) = (extra, value.as_object_mut()) {
        obj.insert(key.to_string(), v);
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

pub(super) fn summary(plan: &Plan, clock: &super::Stopwatch, out: &Path) {
    let k = &plan.kpis;
    // Clock times in the shift's offset with the time into the shift, as
    // the report gives them (the offset alone if the start does not parse).
    let shift = crate::plan::clock::ShiftClock::parse(&plan.shift_start);
    let at = |t: f64| match &shift {
        Some(c) => format!("{} (+{})", c.hm(t), hms(t)),
        None => hms(t),
    };
    say!(
        "{}: shift plan ({} from {})",
        plan.scenario,
        hms(plan.shift_max_s),
        shift
            .as_ref()
            .map_or(plan.shift_start.clone(), |c| c.heading())
    );
    say!(
        "  {} vehicles; service {:.1} km, deadhead {:.1} km (share {:.1} %, lower bound {:.1} km, gap {}); {} refills; material {:.1}",
        k.vehicles_used,
        k.service_km,
        k.deadhead_km,
        100.0 * k.deadhead_share,
        k.deadhead_km_lower_bound,
        k.deadhead_gap_pct
            .map_or("n/a".to_string(), |g| format!("{g:.1} %")),
        k.refills,
        k.material_used
    );
    for v in &plan.vehicles {
        say!(
            "  {:<28} {} - {}  service {:>6.1} km  deadhead {:>6.1} km  refills {}  used {:.1} of {:.1} {}{}",
            v.id,
            at(v.start_s),
            at(v.end_s),
            v.service_km,
            v.deadhead_km,
            v.refills,
            v.material_used,
            v.capacity,
            v.service.unit(),
            if v.down_s.is_some() { "  (down)" } else { "" }
        );
    }
    for v in &plan.idle {
        say!("  {:<28} idle at {}: {}", v.id, v.depot, v.reason);
    }
    for c in &plan.classes {
        say!(
            "  priority {}: {} tasks, {} {}, deadline {}{}",
            c.class,
            c.tasks,
            if c.undone > 0 { "done by" } else { "finished" },
            c.finished_s.map_or("-".into(), at),
            at(c.deadline_s),
            match (c.late_tasks, c.undone) {
                (0, 0) => String::new(),
                (l, 0) => format!(", {l} LATE"),
                (0, u) => format!(", {u} more LEFT UNDONE"),
                (l, u) => format!(", {l} LATE, {u} more LEFT UNDONE"),
            }
        );
    }
    for v in &plan.violations {
        say!("  violation: {v}");
    }
    for w in &plan.warnings {
        say!("  warning: {w}");
    }
    say!(
        "  validated; {}; written to {}",
        clock.line(),
        out.display()
    );
}
