//! The batch manifest: runs and parameter sweeps (format in [`super`]).

use crate::error::{Error, Result};
use crate::scenario::load::{from_toml, line_of};
use crate::scenario::{Scenario, ServiceKind};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default)]
    pub time_limit: Option<String>,
    #[serde(default)]
    pub max_iterations: Option<u64>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub threads: Option<usize>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunEntry {
    name: String,
    scenario: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepEntry {
    name: String,
    scenario: PathBuf,
    #[serde(default)]
    vehicle_count: Vec<u32>,
    #[serde(default)]
    spread_g_per_m2: Vec<f64>,
    #[serde(default)]
    capacity: Vec<f64>,
    #[serde(default)]
    shift_hours: Vec<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    defaults: Defaults,
    #[serde(default)]
    run: Vec<toml::Spanned<RunEntry>>,
    #[serde(default)]
    sweep: Vec<toml::Spanned<SweepEntry>>,
}

/// What a sweep sets in a scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    pub vehicle_count: Option<u32>,
    pub spread_g_per_m2: Option<f64>,
    pub capacity: Option<f64>,
    pub shift_hours: Option<f64>,
}

/// One run: a scenario with its overrides.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// Position in the manifest (runs, then sweeps expanded).
    pub index: usize,
    /// Unique; names the output directory.
    pub name: String,
    pub scenario: PathBuf,
    pub overrides: Overrides,
}

impl RunSpec {
    /// Applies the overrides to the loaded scenario.
    pub fn apply(&self, s: &mut Scenario) -> Result<()> {
        let o = &self.overrides;
        for v in s.vehicles.iter_mut() {
            let v = v.get_mut();
            if let Some(c) = o.vehicle_count {
                v.count = c;
            }
            if let Some(c) = o.capacity {
                v.capacity = c;
            }
            if let (Some(r), ServiceKind::Salting) = (o.spread_g_per_m2, v.service) {
                v.spread_g_per_m2 = Some(r);
            }
        }
        if let Some(h) = o.shift_hours {
            if h <= 0.0 {
                return Err(s.error(format!("shift_hours = {h} must be positive")));
            }
            s.shift.max_hours = h;
        }
        Ok(())
    }
}

pub struct Manifest {
    pub path: PathBuf,
    pub defaults: Defaults,
    pub runs: Vec<RunSpec>,
}

pub fn load(path: &Path) -> Result<Manifest> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<Manifest> {
    let file: File = from_toml(path, text)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut runs: Vec<RunSpec> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for r in &file.run {
        lines.push(line_of(text, Some(r.span())));
        let r = r.get_ref();
        runs.push(RunSpec {
            index: runs.len(),
            name: r.name.clone(),
            scenario: base.join(&r.scenario),
            overrides: Overrides::default(),
        });
    }
    for s in &file.sweep {
        let line = line_of(text, Some(s.span()));
        let s = s.get_ref();
        // Each axis: its values, or one "unset" value.
        fn axis<T: Copy>(v: &[T]) -> Vec<Option<T>> {
            if v.is_empty() {
                vec![None]
            } else {
                v.iter().map(|&x| Some(x)).collect()
            }
        }
        for count in axis(&s.vehicle_count) {
            for rate in axis(&s.spread_g_per_m2) {
                for cap in axis(&s.capacity) {
                    for hours in axis(&s.shift_hours) {
                        let mut name = s.name.clone();
                        let mut tag = |k: &str, v: Option<String>| {
                            if let Some(v) = v {
                                name.push_str(&format!("-{k}{v}"));
                            }
                        };
                        tag("n", count.map(|x| x.to_string()));
                        tag("g", rate.map(|x| x.to_string()));
                        tag("q", cap.map(|x| x.to_string()));
                        tag("h", hours.map(|x| x.to_string()));
                        lines.push(line);
                        runs.push(RunSpec {
                            index: runs.len(),
                            name,
                            scenario: base.join(&s.scenario),
                            overrides: Overrides {
                                vehicle_count: count,
                                spread_g_per_m2: rate,
                                capacity: cap,
                                shift_hours: hours,
                            },
                        });
                    }
                }
            }
        }
    }
    for (i, r) in runs.iter().enumerate() {
        let ok = !r.name.is_empty()
            && r.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok {
            return Err(Error::parse(
                path,
                lines[i],
                format!(
                    "run name `{}`: use letters, digits, `-`, `_` and `.` (it names a directory)",
                    r.name
                ),
            ));
        }
        if let Some(j) = runs[..i].iter().position(|x| x.name == r.name) {
            return Err(Error::parse(
                path,
                lines[i],
                format!(
                    "run name `{}` is used twice (also line {})",
                    r.name, lines[j]
                ),
            ));
        }
    }
    Ok(Manifest {
        path: path.to_path_buf(),
        defaults: file.defaults,
        runs,
    })
}
