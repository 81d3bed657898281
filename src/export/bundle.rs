//! The whole set of a plan's files, as (file name, bytes): `plan.json`,
//! `routes.geojson`, `report.html`, a CSV itinerary, a GPX track and a
//! printable route sheet per vehicle, and any extra files (a re-plan's
//! `changes.json`). The command line writes the set into a folder, the
//! service keeps it in its database; both get the same bytes.

use crate::city::CityProblem;
use crate::error::{Error, Result};
use crate::plan::clock::ShiftClock;
use crate::plan::shift::Plan;
use crate::scenario::Scenario;

/// Files beyond the plan's own (file name, bytes), and an HTML section for
/// the report (a re-plan's changes).
pub type Extra = (Vec<(String, Vec<u8>)>, String);

/// Every file of the plan, in a stable order, `plan.json` first.
pub fn files(
    plan: &Plan,
    problem: &CityProblem,
    scenario: &Scenario,
    extra: Option<Extra>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let net = &problem.network;
    let json = serde_json::to_vec_pretty(plan).map_err(|e| Error::Other(e.to_string()))?;
    let refill_at = |id: &str| {
        scenario
            .refills
            .iter()
            .map(|r| r.get_ref())
            .find(|r| r.id == id)
            .map(|r| [r.lon, r.lat])
    };
    let geo = super::geojson::to_geojson(plan, net, &refill_at);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("plan.json".into(), json),
        (
            "routes.geojson".into(),
            serde_json::to_vec(&geo).map_err(|e| Error::Other(e.to_string()))?,
        ),
        (
            "report.html".into(),
            super::report::to_html(scenario, net, plan, extra.as_ref().map(|e| e.1.as_str()))
                .into_bytes(),
        ),
    ];
    if let Some((more, _)) = extra {
        files.extend(more);
    }
    let clock = ShiftClock::parse(&plan.shift_start);
    for v in &plan.vehicles {
        let stem = super::file_stem(&v.id);
        files.push((
            format!("itinerary-{stem}.csv"),
            super::csv::itinerary(v, net, clock.as_ref()).into_bytes(),
        ));
        files.push((
            format!("track-{stem}.gpx"),
            super::gpx::track(v, net, clock.as_ref()).into_bytes(),
        ));
        files.push((
            format!("sheet-{stem}.html"),
            super::sheet::route_sheet(&plan.scenario, v, net, clock.as_ref()).into_bytes(),
        ));
    }
    Ok(files)
}
