//! The salt-spreading format in `carp solve` and `carp bench`: read, solve,
//! write the arcs solution, and score it with the independent checker.

use crate::error::{Error, Result};
use crate::instance::salt_spreading::{self, model, write};
use crate::plan::salt_check::{Check, CheckInstance};
use crate::solver;
use std::path::Path;

/// A solved salt-spreading instance.
pub struct SaltOutcome {
    pub name: String,
    pub items: usize,
    pub salted_km: f64,
    /// The solution in the format's arcs form (pretty JSON).
    pub json: Vec<u8>,
    pub check: Check,
    pub bound_km: Option<f64>,
    pub notes: Vec<String>,
    pub outcome: solver::Outcome,
}

impl SaltOutcome {
    pub fn gap_pct(&self) -> Option<f64> {
        self.bound_km
            .filter(|&b| b > 0.0)
            .map(|b| 100.0 * (self.check.length_m / 1000.0 - b) / b)
    }
}

pub fn solve(
    path: &Path,
    end: model::EndRule,
    params: &solver::Params,
    bound_time: std::time::Duration,
    on_improve: impl FnMut(&solver::Progress),
) -> Result<SaltOutcome> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let salt = salt_spreading::parse(path, &text)?;
    let m = model::build(&salt, end, path)?;
    // The relaxation orients the edges for a first giant tour.
    let relax = crate::plan::salt_bound::relaxation(&salt, end, None);
    let mut params = params.clone();
    if let Some(r) = &relax {
        let mut rng =
            <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(params.seed);
        let mut tour =
            solver::route_first::oriented_tour(&m.instance, &r.directions(&salt), &mut rng);
        let first = m.items as u32;
        let heads = salt.vehicles.len();
        let len = tour.len();
        for k in (0..heads).rev() {
            tour.insert(k * len / heads, first + k as u32);
        }
        params.warm_start = tour;
    }
    let outcome = solver::solve(&m.instance, &params, on_improve);
    let routes = write::to_arcs(&m, &salt, &outcome.best)
        .map_err(|e| Error::Other(format!("internal error: {e}")))?;
    let json = serde_json::to_vec_pretty(&routes).map_err(|e| Error::Other(e.to_string()))?;
    // Scored from the files' text alone, as anyone else would.
    let checker = CheckInstance::parse(&text).map_err(|e| Error::invalid(path, e))?;
    let parsed = checker
        .parse_solution(&String::from_utf8_lossy(&json))
        .map_err(|e| Error::Other(format!("internal error: the written solution: {e}")))?;
    let check = checker.check(&parsed, end == model::EndRule::Anywhere);
    Ok(SaltOutcome {
        name: salt.name.clone(),
        items: salt.items.len(),
        salted_km: salt.salted_len() / 1000.0,
        json,
        check,
        bound_km: {
            // The integral flow's proven bound, when time is given for it.
            let integral = (!bound_time.is_zero())
                .then(|| crate::plan::salt_bound::relaxation(&salt, end, Some(bound_time)))
                .flatten()
                .map(|r| r.km);
            match (relax.map(|r| r.km), integral) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            }
        },
        notes: m.notes,
        outcome,
    })
}

/// The summary a planner reads.
pub fn summary(s: &SaltOutcome) -> String {
    use crate::plan::salt_check::km;
    let driven = s.check.length_m;
    let bound = match (s.bound_km, s.gap_pct()) {
        (Some(b), Some(g)) => format!(", lower bound {} (gap {g:.1} %)", km(b * 1000.0)),
        (Some(b), None) => format!(", lower bound {}", km(b * 1000.0)),
        _ => String::new(),
    };
    let mut out = format!(
        "{}: {} required items ({} to salt), {} driven ({} empty){bound}; \
         time to best {:.2}s, {} generations in {:.2}s\n",
        s.name,
        s.items,
        km(s.salted_km * 1000.0),
        km(driven),
        km(driven - s.salted_km * 1000.0),
        s.outcome.time_to_best.as_secs_f64(),
        s.outcome.iterations,
        s.outcome.elapsed.as_secs_f64()
    );
    for n in &s.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out.push_str(&s.check.to_string());
    out
}
