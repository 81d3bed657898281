//! The `arcplan` command line: argument definitions here, one file per subcommand.

/// Prints a line to standard output, unless `--quiet`; a closed pipe
/// (`| head`) ends the program quietly instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        if !$crate::cli::quiet() {
            out!($($t)*);
        }
    }};
}
pub(crate) use say;

/// Prints a line to standard output even with `--quiet` (what was asked
/// for: a `--json` summary); a closed pipe ends the program quietly.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}
pub(crate) use out;

/// 0: `--quiet`, 1: normal, 2: `--verbose`.
static VERBOSITY: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(1);

/// Whether `--quiet` was given: no summary text, no progress.
pub fn quiet() -> bool {
    VERBOSITY.load(std::sync::atomic::Ordering::Relaxed) == 0
}

/// Whether `--verbose` was given: each improvement logged on stderr.
pub fn verbose() -> bool {
    VERBOSITY.load(std::sync::atomic::Ordering::Relaxed) >= 2
}

mod batch;
mod carp_bench;
mod carp_check;
mod carp_solve;
mod network;
mod plan;
mod progress;
mod replan;
mod salt;
mod serve;
mod validate;

use clap::{Parser, Subcommand};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "arcplan",
    version,
    about = "Arc routing for street sweepers, sprinklers and salt trucks"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but errors (and what `--json` asks for): no summary, no
    /// progress. The exit status still tells the result.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also log every improvement of the solve on stderr (`[12.30 s]
    /// instance: best 3.42 h of driving`), terminal or not: for logs of
    /// nightly runs.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Plan the shifts of a scenario: timed routes per vehicle, written as
    /// plan.json, routes.geojson, a CSV itinerary and a GPX track per vehicle.
    #[command(
        after_help = "Example:\n  arcplan plan fixtures/helsinki-sweeping.toml --out /tmp/helsinki --time-limit 8s"
    )]
    Plan(plan::Args),
    /// Re-plan during an event (storm upgrade, vehicle down or added, road
    /// closed, progress) from the plan being driven; also writes changes.json.
    #[command(
        after_help = "Example:\n  arcplan replan fixtures/malta-sweeping.toml --plan /tmp/maltasw/plan.json --events storm.toml --out /tmp/maltasw-2"
    )]
    Replan(replan::Args),
    /// Run many scenarios (files and parameter sweeps) from a manifest, or
    /// merge the summaries of sharded runs.
    #[command(
        after_help = "Example:\n  arcplan batch nightly.toml --out /tmp/nightly --shard 0/4;  arcplan batch merge /tmp/nightly-* --out /tmp/all"
    )]
    Batch(batch::Args),
    /// Check a plan.json against its scenario and map.
    #[command(
        after_help = "Example:\n  arcplan validate fixtures/helsinki-sweeping.toml /tmp/helsinki/plan.json"
    )]
    Validate(validate::Args),
    /// Read an OpenStreetMap extract (and elevation) into a road network and summarise it.
    #[command(
        after_help = "Example:\n  arcplan network ../shared/data/osm/helsinki.osm.pbf --near 24.9410,60.1690"
    )]
    Network(network::Args),
    /// Serve planning, re-planning and progress over HTTP, with a page for
    /// the duty officer and a database of every plan version.
    #[command(
        after_help = "Example:\n  arcplan serve --data /var/lib/arcplan --maps fixtures\n  then open http://127.0.0.1:8080/ and post fixtures/town-frost.toml"
    )]
    Serve(serve::Args),
    /// Capacitated arc routing on benchmark instances.
    #[command(subcommand)]
    Carp(CarpCommand),
}

#[derive(Subcommand, Debug)]
pub enum CarpCommand {
    /// Solve one benchmark instance.
    #[command(
        after_help = "Example:\n  arcplan carp solve ../shared/data/carp/gdb/gdb1.dat --time-limit 5s"
    )]
    Solve(carp_solve::Args),
    /// Solve a set of instances and compare with the best-known solutions.
    #[command(
        after_help = "Example:\n  arcplan carp bench ../shared/data/carp/val --time-limit 20s --threads 2 --csv /tmp/val.csv"
    )]
    Bench(carp_bench::Args),
    /// Check a salt-spreading solution (ROAR-NET format) against its instance.
    Check(carp_check::Args),
}

/// Solver options shared by `carp solve` and `carp bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct SolverArgs {
    /// Time limit per instance (e.g. 10s, 500ms, 2m).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub time_limit: Duration,
    /// Random seed: the same seed, input and `--max-iterations` give the
    /// same plan (a time limit alone stops at a point that depends on load).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Solver threads (islands); 0 or absent: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Stop after this many generations in all.
    #[arg(long)]
    pub max_iterations: Option<u64>,
    /// Stop after this many generations without improvement.
    #[arg(long)]
    pub max_no_improve: Option<u64>,
    /// Stop as soon as this cost is reached.
    #[arg(long)]
    pub target: Option<i64>,
    /// Neighbours per task in the local search.
    #[arg(long, default_value_t = 20)]
    pub granularity: usize,
    /// Generations without improvement before an island restarts.
    #[arg(long, default_value_t = crate::solver::Params::default().restart_after)]
    pub restart_after: u64,
    /// Population: the size each sub-population is cut back to.
    #[arg(long, default_value_t = crate::solver::Params::default().mu, value_parser = parse_count)]
    pub mu: usize,
    /// Population: the offspring a sub-population takes before it is cut
    /// back to `--mu`.
    #[arg(long, default_value_t = crate::solver::Params::default().lambda, value_parser = parse_count)]
    pub lambda: usize,
    /// Diversity: members kept for their cost alone, whatever their
    /// diversity.
    #[arg(long, default_value_t = crate::solver::Params::default().n_elite)]
    pub n_elite: usize,
    /// Diversity: how many of its closest members a member's diversity is
    /// measured against.
    #[arg(long, default_value_t = crate::solver::Params::default().n_close, value_parser = parse_count)]
    pub n_close: usize,
    /// Share of the offspring the penalty aims to keep feasible (0 to 1).
    #[arg(long, default_value_t = crate::solver::Params::default().target_feasible, value_parser = parse_share)]
    pub target_feasible: f64,
    /// Keep giant tours in the order the routes come out of the local search,
    /// rather than neighbouring routes next to each other.
    #[arg(long)]
    pub no_chain_routes: bool,
    /// Leave SWAP* (best-position swaps between routes) out of the local search.
    #[arg(long)]
    pub no_swap_star: bool,
    /// Meetings of the islands between two migrations of the best solution.
    #[arg(long, default_value_t = 10)]
    pub migrate_every: u64,
    /// Route-based decomposition of large instances: tasks per cluster (0: off).
    #[arg(long, default_value_t = crate::solver::Params::default().decompose_size)]
    pub decompose_size: usize,
    /// Decompose instances from this many tasks on.
    #[arg(long, default_value_t = crate::solver::Params::default().decompose_from)]
    pub decompose_from: usize,
    /// Meetings of the islands between two decomposition phases.
    #[arg(long, default_value_t = crate::solver::Params::default().decompose_every)]
    pub decompose_every: u64,
    /// Generations without improvement that end a cluster's search.
    #[arg(long, default_value_t = crate::solver::Params::default().decompose_iterations)]
    pub decompose_iterations: u64,
}

impl SolverArgs {
    pub fn params(&self) -> crate::solver::Params {
        crate::solver::Params {
            seed: self.seed,
            threads: self
                .threads
                .filter(|&t| t > 0)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            time_limit: Some(self.time_limit),
            max_iterations: self.max_iterations,
            max_iterations_without_improvement: self.max_no_improve,
            target_cost: self.target,
            granularity: self.granularity,
            swap_star: !self.no_swap_star,
            restart_after: self.restart_after,
            mu: self.mu,
            lambda: self.lambda,
            n_elite: self.n_elite,
            n_close: self.n_close,
            target_feasible: self.target_feasible,
            chain_routes: !self.no_chain_routes,
            migrate_every: self.migrate_every,
            decompose_size: self.decompose_size,
            decompose_from: self.decompose_from,
            decompose_every: self.decompose_every,
            decompose_iterations: self.decompose_iterations,
            ..Default::default()
        }
    }
}

/// A whole number of at least 1.
fn parse_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err(format!("`{s}` is not a whole number of at least 1")),
    }
}

/// A share between 0 and 1.
fn parse_share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a share between 0 and 1")),
    }
}

/// `10s`, `500ms`, `2m`, `1h`, or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (try 10s, 500ms, 2m)"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("`{s}` is not a duration"));
    }
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" => v,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        _ => return Err(format!("unknown unit `{unit}` in `{s}` (ms, s, m, h)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// Exit status of `plan` and `replan` when the plan is written and valid
/// but late (a deadline missed, work left undone, a vehicle back after the
/// shift): a nightly job can alert on it.
pub const EXIT_LATE: i32 = 4;

/// 0 for a plan on time, [`EXIT_LATE`] for a late one (the summary says
/// what is late).
fn exit_code(plan: &crate::plan::shift::Plan, quiet: bool) -> i32 {
    if plan.is_late() {
        if !quiet {
            say!("  the plan is LATE (exit status {EXIT_LATE}): see the priority lines and violations above");
        }
        EXIT_LATE
    } else {
        0
    }
}

/// Runs the command line; returns the process exit code (1 on an error, or
/// the status the command chose).
pub fn run() -> i32 {
    let cli = Cli::parse();
    let level = if cli.quiet {
        0
    } else if cli.verbose {
        2
    } else {
        1
    };
    VERBOSITY.store(level, std::sync::atomic::Ordering::Relaxed);
    let done = |r: crate::Result<()>| r.map(|()| 0);
    let result = match cli.command {
        Command::Plan(a) => plan::run(a),
        Command::Replan(a) => replan::run(a),
        Command::Batch(a) => done(batch::run(a)),
        Command::Validate(a) => done(validate::run(a)),
        Command::Network(a) => done(network::run(a)),
        Command::Serve(a) => done(serve::run(a)),
        Command::Carp(CarpCommand::Solve(a)) => done(carp_solve::run(a)),
        Command::Carp(CarpCommand::Bench(a)) => done(carp_bench::run(a)),
        Command::Carp(CarpCommand::Check(a)) => carp_check::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// Wall-clock time per stage of a command, for its summary line.
pub(crate) struct Stopwatch {
    start: std::time::Instant,
    last: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        let now = std::time::Instant::now();
        Stopwatch {
            start: now,
            last: now,
            laps: Vec::new(),
        }
    }

    /// Ends the stage `name` now.
    pub fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    /// The stages' seconds, and the total, as a JSON object.
    pub fn laps_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (n, s) in &self.laps {
            m.insert(n.to_string(), serde_json::json!(s));
        }
        m.insert(
            "total".into(),
            serde_json::json!(self.start.elapsed().as_secs_f64()),
        );
        serde_json::Value::Object(m)
    }

    /// "network and instances 1.20 s, solve 30.00 s, …; total 31.50 s".
    pub fn line(&self) -> String {
        let laps: Vec<String> = self
            .laps
            .iter()
            .map(|(n, s)| format!("{n} {s:.2} s"))
            .collect();
        format!(
            "{}; total {:.2} s",
            laps.join(", "),
            self.start.elapsed().as_secs_f64()
        )
    }
}

/// Whether a progress bar makes sense (an interactive terminal).
pub fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every subcommand's `--help` has an example, and every argument and
    /// option of every subcommand a sentence.
    #[test]
    fn every_subcommand_has_an_example_and_every_option_a_sentence() {
        fn walk(cmd: &clap::Command, path: &str, leaves: &mut usize) {
            let name = format!("{path} {}", cmd.get_name()).trim().to_string();
            let subs: Vec<&clap::Command> = cmd
                .get_subcommands()
                .filter(|c| c.get_name() != "help")
                .collect();
            if subs.is_empty() || cmd.get_name() == "batch" {
                *leaves += 1;
                let example = cmd
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                assert!(
                    example.contains("Example"),
                    "`{name} --help` has no example"
                );
                for a in cmd.get_arguments() {
                    if matches!(a.get_id().as_str(), "help" | "version") {
                        continue;
                    }
                    let text = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                    assert!(
                        text.trim().len() > 10,
                        "`{name}`: `{}` has no help sentence",
                        a.get_id()
                    );
                }
            }
            for c in subs {
                walk(c, &name, leaves);
            }
        }
        let mut leaves = 0;
        walk(&Cli::command(), "", &mut leaves);
        assert!(leaves >= 8, "only {leaves} subcommands seen");
    }

    #[test]
    fn zero_threads_means_all_cores() {
        use clap::Parser;
        let cli = Cli::try_parse_from(["arcplan", "carp", "solve", "x.dat", "--threads", "0"]);
        let Ok(Cli {
            command: super::Command::Carp(super::CarpCommand::Solve(a)),
            ..
        }) = cli
        else {
            panic!("parses")
        };
        let all = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(a.solver.params().threads, all);
    }
}
