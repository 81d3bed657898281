//! `arcplan carp bench`: a whole benchmark set against its best-known solutions.

use super::SolverArgs;
use crate::error::{Error, Result};
use crate::instance::carp_file;
use crate::instance::salt_spreading::{self, model::EndRule};
use crate::plan::carp_validator;
use crate::solver;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Set directories (their `.dat` and `.txt` files) or instance files,
    /// salt-spreading instances (ROAR-NET `.json`) among them: name those
    /// files, since their folders also hold solutions. A salt-spreading
    /// instance is solved under the statement's rules (routes end at a
    /// depot) and its cost is the length its checker counts.
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Best-known solutions (`bks.csv`); default: `bks.csv` beside the set directory.
    #[arg(long)]
    pub bks: Option<PathBuf>,
    /// Write the table as CSV here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

/// One row of the benchmark table.
#[derive(Debug, Clone)]
pub struct Row {
    pub set: String,
    pub instance: String,
    pub tasks: usize,
    pub bks: Option<i64>,
    pub cost: i64,
    pub time_to_best: f64,
    pub valid: bool,
}

impl Row {
    pub fn gap(&self) -> Option<f64> {
        self.bks.map(|b| 100.0 * (self.cost - b) as f64 / b as f64)
    }
}

/// Best-known values by instance name from a `bks.csv` (`set,instance,…,bks,…`).
pub fn read_bks(path: &Path) -> Result<HashMap<String, i64>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, h)| h).unwrap_or("");
    let cols: Vec<&str> = header.split(',').collect();
    let col = |name: &str| cols.iter().position(|c| c.trim() == name);
    let (Some(ci), Some(cb)) = (col("instance"), col("bks")) else {
        return Err(Error::parse(
            path,
            1,
            "expected columns `instance` and `bks`",
        ));
    };
    let mut out = HashMap::new();
    for (i, line) in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() <= ci.max(cb) {
            continue;
        }
        let v = f[cb].trim().parse::<i64>().map_err(|_| {
            Error::parse(
                path,
                i + 1,
                format!("bks `{}` is not a whole number", f[cb]),
            )
        })?;
        out.insert(f[ci].trim().to_string(), v);
    }
    Ok(out)
}

fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(0)));
                num.clear();
            }
            text.push(c);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

fn collect_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && matches!(f.extension().and_then(|e| e.to_str()), Some("dat" | "txt"))
                })
                .collect();
            v.sort_by_key(|f| natural_key(&f.file_stem().unwrap_or_default().to_string_lossy()));
            files.extend(v);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(Error::invalid(p, "no such file or directory"));
        }
    }
    Ok(files)
}

fn print_row(row: &Row) {
    super::say!(
        "{:<12} {:>6} {:>10} {:>10} {:>8} {:>9.2} {:>6}",
        row.instance,
        row.tasks,
        row.bks.map_or("-".into(), |b| b.to_string()),
        row.cost,
        row.gap().map_or("-".into(), |g| format!("{g:.3}")),
        row.time_to_best,
        if row.valid { "yes" } else { "NO" }
    );
}

pub fn run(args: Args) -> Result<()> {
    let files = collect_files(&args.inputs)?;
    // Default: the first `bks.csv` beside a set directory of the inputs.
    let bks_path = args.bks.clone().or_else(|| {
        files
            .iter()
            .filter_map(|f| f.parent().and_then(|d| d.parent()))
            .map(|d| d.join("bks.csv"))
            .find(|p| p.is_file())
    });
    let bks = match &bks_path {
        Some(p) => read_bks(p)?,
        None => HashMap::new(),
    };
    let params = args.solver.params();
    super::say!(
        "{:<12} {:>6} {:>10} {:>10} {:>8} {:>9} {:>6}",
        "instance",
        "tasks",
        "BKS",
        "ours",
        "gap %",
        "t best s",
        "valid"
    );
    let mut rows = Vec::new();
    for f in &files {
        let key = f
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if salt_spreading::is_salt_file(f) {
            let s = super::salt::solve(
                f,
                EndRule::Depot,
                &params,
                std::time::Duration::ZERO,
                |_| {},
            )?;
            let row = Row {
                set: "salt-spreading".into(),
                tasks: s.items,
                bks: bks.get(&key).copied(),
                instance: key,
                cost: s.check.length_m.round() as i64,
                time_to_best: s.outcome.time_to_best.as_secs_f64(),
                valid: s.check.feasible(),
            };
            print_row(&row);
            rows.push(row);
            continue;
        }
        let inst = carp_file::read(f)?;
        let set = f
            .parent()
            .and_then(|d| d.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let b = bks.get(&key).copied();
        let outcome = solver::solve(&inst, &params, |_| {});
        let report = carp_validator::validate(&inst, &outcome.best);
        let row = Row {
            set,
            instance: key,
            tasks: inst.num_tasks(),
            bks: b,
            cost: outcome.best.cost,
            time_to_best: outcome.time_to_best.as_secs_f64(),
            valid: report.is_valid(),
        };
        print_row(&row);
        rows.push(row);
    }
    super::say!("");
    super::say!("{}", summary(&rows));
    if let Some(out) = &args.csv {
        let mut s = String::from("set,instance,tasks,bks,cost,gap_percent,time_to_best_s,valid\n");
        for r in &rows {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{:.3},{}",
                r.set,
                r.instance,
                r.tasks,
                r.bks.map_or(String::new(), |b| b.to_string()),
                r.cost,
                r.gap().map_or(String::new(), |g| format!("{g:.4}")),
                r.time_to_best,
                r.valid
            );
        }
        crate::util::write_atomic(out, s.as_bytes())?;
    }
    if rows.iter().any(|r| !r.valid) {
        return Err(Error::Other("some solutions failed validation".into()));
    }
    Ok(())
}

/// Per-set summary: average and worst gap, number at BKS.
pub fn summary(rows: &[Row]) -> String {
    let mut sets: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        sets.entry(r.set.as_str()).or_default().push(r);
    }
    let mut s = String::new();
    for (set, rs) in sets {
        let gaps: Vec<f64> = rs.iter().filter_map(|r| r.gap()).collect();
        let valid = rs.iter().filter(|r| r.valid).count();
        if gaps.is_empty() {
            let _ = writeln!(
                s,
                "set {set}: {} instances, no best-known value to compare with, {valid} valid",
                rs.len(),
            );
            continue;
        }
        let at = rs
            .iter()
            .filter(|r| r.bks.is_some_and(|b| r.cost <= b))
            .count();
        let avg = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let worst = gaps.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let _ = writeln!(
            s,
            "set {set}: {} instances, average gap {avg:.3} %, worst {worst:.3} %, {at}/{} at BKS, {valid} valid",
            rs.len(),
            gaps.len(),
        );
    }
    s
}
