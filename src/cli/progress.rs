//! What a planner sees while a city is solved: on a terminal, one line per
//! instance (a vehicle type in a district) with its time against the limit
//! and its best objective in hours of driving; with `--verbose`, each
//! improvement as a log line on stderr; nothing with `--quiet` or when
//! stderr is not a terminal.

use crate::city::VehicleProblem;
use crate::solver::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Hours of an objective in the city's cost unit (time).
fn hours(cost: i64) -> f64 {
    cost as f64 * crate::city::TIME_UNIT_S / 3600.0
}

pub struct SolveProgress {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    limit: Option<Duration>,
    started: Instant,
    draw: bool,
    log: bool,
}

impl SolveProgress {
    /// Progress for a solve of at most `limit` per instance (`None`: an
    /// iteration budget, a spinner without an end).
    pub fn new(limit: Option<Duration>) -> SolveProgress {
        let draw = super::interactive() && !super::quiet();
        let multi = MultiProgress::new();
        if !draw {
            multi.set_draw_target(ProgressDrawTarget::hidden());
        }
        SolveProgress {
            multi,
            bars: Mutex::new(HashMap::new()),
            limit,
            started: Instant::now(),
            draw,
            log: super::verbose(),
        }
    }

    fn bar(&self, name: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(name.to_string())
            .or_insert_with(|| {
                let (bar, template) = match self.limit {
                    Some(l) => (
                        ProgressBar::new(l.as_millis() as u64),
                        format!(
                            "{{prefix:<32}} {{bar:24}} {{elapsed:>4}} of {:.0}s {{msg}}",
                            l.as_secs_f64()
                        ),
                    ),
                    None => (
                        ProgressBar::new_spinner(),
                        "{prefix:<32} {spinner} {elapsed:>4} {msg}".to_string(),
                    ),
                };
                let style = ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                let bar = self.multi.add(bar.with_style(style));
                bar.set_prefix(name.to_string());
                if self.draw {
                    bar.enable_steady_tick(Duration::from_millis(250));
                }
                bar
            })
            .clone()
    }

    /// Hears an instance start (`None`) or improve.
    pub fn hear(&self, p: &VehicleProblem, pr: Option<&Progress>) {
        let name = &p.instance.name;
        let bar = self.bar(name);
        match pr {
            None => bar.set_message("starting"),
            Some(pr) => {
                let msg = format!(
                    "best {:.2} h of driving, {} generations",
                    hours(pr.cost),
                    pr.iterations
                );
                bar.set_position(pr.elapsed.as_millis() as u64);
                bar.set_message(msg.clone());
                if self.log {
                    let at = self.started.elapsed().as_secs_f64();
                    self.multi
                        .suspend(|| eprintln!("  [{at:7.2} s] {name}: {msg}"));
                }
            }
        }
    }

    /// Clears the lines.
    pub fn finish(self) {
        for bar in self
            .bars
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .values()
        {
            bar.finish_and_clear();
        }
    }
}
