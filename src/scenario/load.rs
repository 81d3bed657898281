//! Reading and checking a scenario file. Syntax errors, unknown keys and values
//! of the wrong type are reported with the key path and the line; the checks
//! that need the whole file (a vehicle's depot exists, its service has a
//! policy, …) name the entry and its line.

use super::{Scenario, ServiceKind};
use crate::error::{Error, Result};
use std::ops::Range;
use std::path::Path;

/// Vehicles of one type, at most: well above any city fleet (São Paulo runs
/// tens of a type), far below what would exhaust memory per vehicle.
pub const MAX_VEHICLES_PER_TYPE: u32 = 5_000;

/// Reads and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut s = parse(path, &text)?;
    s.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(s)
}

pub(crate) fn line_of(text: &str, span: Option<Range<usize>>) -> usize {
    span.map_or(0, |r| {
        text[..r.start.min(text.len())].matches('\n').count() + 1
    })
}

/// Deserialises a TOML file's text; syntax errors, unknown keys and bad values
/// name the key path and the line (`path` only names the file). Shared by the
/// scenario, the re-plan's events and the batch manifest.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    let de = toml::Deserializer::parse(text)
        .map_err(|e| Error::parse(path, line_of(text, e.span()), e.message().trim()))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        // `toml::Spanned` wraps entries in a private field: leave it out of the path.
        let key: String = e
            .path()
            .to_string()
            .split('.')
            .filter(|part| !part.starts_with("$__"))
            .collect::<Vec<_>>()
            .join(".");
        let inner = e.into_inner();
        let at = if key.is_empty() || key == "." {
            String::new()
        } else {
            format!("`{key}`: ")
        };
        Error::parse(
            path,
            line_of(text, inner.span()),
            format!("{at}{}", inner.message().trim()),
        )
    })
}

/// Parses and checks scenario text; `path` only names the file in errors.
pub fn parse(path: &Path, text: &str) -> Result<Scenario> {
    let s: Scenario = from_toml(path, text)?;
    check(path, text, &s)?;
    let mut s = s;
    s.path = path.to_path_buf();
    s.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    s.text = text.to_string();
    Ok(s)
}

/// Line (1-based) of a byte span in the scenario text.
pub(crate) fn line_at(text: &str, span: Range<usize>) -> usize {
    line_of(text, Some(span))
}

fn check(path: &Path, text: &str, s: &Scenario) -> Result<()> {
    let err = |span: Range<usize>, msg: String| Error::parse(path, line_of(text, Some(span)), msg);
    if !(s.shift.max_hours > 0.0 && s.shift.max_hours <= 48.0) {
        return Err(Error::invalid(
            path,
            format!(
                "`shift.max_hours` = {} must be in (0, 48]",
                s.shift.max_hours
            ),
        ));
    }
    for (key, v) in [
        ("objective.lateness_weight", s.objective.lateness_weight),
        ("objective.first_weight", s.objective.first_weight),
    ] {
        if !(v.is_finite() && (0.0..=1e6).contains(&v)) {
            return Err(Error::invalid(
                path,
                format!("`{key}` = {v} must be between 0 and 1,000,000"),
            ));
        }
    }
    if s.planning.district_tasks < 10 {
        return Err(Error::invalid(
            path,
            format!(
                "`planning.district_tasks` = {} must be at least 10",
                s.planning.district_tasks
            ),
        ));
    }
    if s.shift.start.date.is_none()
        || s.shift.start.time.is_none()
        || s.shift.start.offset.is_none()
    {
        return Err(Error::invalid(
            path,
            "`shift.start` needs a date, a time and a UTC offset, e.g. 2026-12-01T03:00:00+01:00",
        ));
    }
    for name in s.services.keys() {
        if !ServiceKind::ALL.iter().any(|k| k.name() == name) {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(&format!("[service.{name}]")))
                .map_or(0, |i| i + 1);
            return Err(Error::parse(
                path,
                line,
                format!(
                    "`service.{name}`: unknown service (sweeping, sprinkling, salting, plowing)"
                ),
            ));
        }
    }
    let coord_ok =
        |lon: f64, lat: f64| (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
    let mut ids = std::collections::HashSet::new();
    if s.depots.is_empty() {
        return Err(Error::invalid(path, "no `[[depot]]`"));
    }
    for (i, d) in s.depots.iter().enumerate() {
        let v = d.get_ref();
        if !ids.insert(v.id.clone()) {
            return Err(err(
                d.span(),
                format!("`depot[{i}].id`: `{}` is used twice", v.id),
            ));
        }
        if !coord_ok(v.lon, v.lat) {
            return Err(err(d.span(), format!("`depot[{i}]`: lon/lat out of range")));
        }
    }
    for (i, r) in s.refills.iter().enumerate() {
        let v = r.get_ref();
        if !coord_ok(v.lon, v.lat) {
            return Err(err(
                r.span(),
                format!("`refill[{i}]`: lon/lat out of range"),
            ));
        }
        if !(v.minutes >= 0.0 && v.minutes.is_finite()) {
            return Err(err(
                r.span(),
                format!("`refill[{i}].minutes` must be zero or more"),
            ));
        }
    }
    if s.vehicles.is_empty() {
        return Err(Error::invalid(path, "no `[[vehicle]]`"));
    }
    for (i, sv) in s.vehicles.iter().enumerate() {
        let v = sv.get_ref();
        let at = |msg: &str| {
            err(
                sv.span(),
                format!("`vehicle[{i}]` ({}): {msg}", v.type_name),
            )
        };
        if !s.depots.iter().any(|d| d.get_ref().id == v.depot) {
            return Err(at(&format!("depot `{}` is not a `[[depot]]` id", v.depot)));
        }
        if v.count == 0 {
            return Err(at("`count` must be at least 1"));
        }
        if v.count > MAX_VEHICLES_PER_TYPE {
            return Err(at(&format!(
                "`count` {} is more vehicles than a city's fleet: at most {MAX_VEHICLES_PER_TYPE} \
                 of a type",
                v.count
            )));
        }
        if !(v.capacity > 0.0 && v.capacity.is_finite()) {
            return Err(at("`capacity` must be positive"));
        }
        if !(v.service_kmh > 0.0 && v.service_kmh <= 130.0) {
            return Err(at("`service_kmh` must be in (0, 130]"));
        }
        match (v.deadhead_kmh, v.deadhead_speed_factor) {
            (Some(k), None) if k > 0.0 && k <= 130.0 => {}
            (None, Some(f)) if f > 0.0 && f <= 1.5 => {}
            (None, None) => return Err(at("give `deadhead_kmh` or `deadhead_speed_factor`")),
            (Some(_), Some(_)) => {
                return Err(at(
                    "give `deadhead_kmh` or `deadhead_speed_factor`, not both",
                ))
            }
            _ => {
                return Err(at(
                    "`deadhead_kmh` must be in (0, 130], `deadhead_speed_factor` in (0, 1.5]",
                ))
            }
        }
        match v.service {
            ServiceKind::Salting => {
                if !(v.spread_g_per_m2.is_some_and(|x| x > 0.0)
                    && v.spread_width_m.is_some_and(|x| x > 0.0))
                {
                    return Err(at(
                        "salting needs `spread_g_per_m2` and `spread_width_m` (both positive)",
                    ));
                }
            }
            ServiceKind::Sprinkling => {
                if !v.water_l_per_m.is_some_and(|x| x > 0.0) {
                    return Err(at("sprinkling needs a positive `water_l_per_m`"));
                }
            }
            ServiceKind::Sweeping => {
                if !v.hopper_m3_per_km.is_some_and(|x| x > 0.0) {
                    return Err(at("sweeping needs a positive `hopper_m3_per_km`"));
                }
            }
            ServiceKind::Plowing => {}
        }
        if s.policy(v.service).is_none() {
            return Err(at(&format!(
                "no `[service.{}]` policy for its service",
                v.service.name()
            )));
        }
        if v.u_turns == super::UTurns::Penalised && !v.u_turn_penalty_s.is_some_and(|p| p >= 0.0) {
            return Err(at("`u_turns = \"penalised\"` needs `u_turn_penalty_s`"));
        }
    }
    for (i, p) in s.priorities.iter().enumerate() {
        let v = p.get_ref();
        if v.class == 0 {
            return Err(err(p.span(), format!("`priority[{i}].class` starts at 1")));
        }
        if !(v.deadline_hours > 0.0 && v.deadline_hours.is_finite()) {
            return Err(err(
                p.span(),
                format!("`priority[{i}].deadline_hours` must be positive"),
            ));
        }
    }
    // Two entries of one class combine their rules; they must agree on the
    // deadline (otherwise one of them would be silently dropped).
    for (i, p) in s.priorities.iter().enumerate() {
        let v = p.get_ref();
        if let Some((j, q)) = s.priorities[..i]
            .iter()
            .enumerate()
            .find(|(_, q)| q.get_ref().class == v.class)
        {
            let w = q.get_ref();
            if w.deadline_hours != v.deadline_hours {
                return Err(err(
                    p.span(),
                    format!(
                        "`priority[{i}]`: class {} already has `deadline_hours` = {} in \
                         `priority[{j}]` (line {}), here {}: entries of one class combine their \
                         rules and need the same deadline; give this one another class number",
                        v.class,
                        w.deadline_hours,
                        line_of(text, Some(q.span())),
                        v.deadline_hours
                    ),
                ));
            }
        }
    }
    if let Some(a) = &s.map.area {
        match (&a.bbox, &a.polygon) {
            (Some(b), None) if b[0] < b[2] && b[1] < b[3] => {}
            (None, Some(p)) if p.len() >= 3 => {}
            _ => return Err(Error::invalid(path, "`map.area` takes a `bbox` [min lon, min lat, max lon, max lat] or a `polygon` of 3 or more points")),
        }
    }
    Ok(())
}
