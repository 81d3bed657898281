//! Scenario mistakes that still give a plan, found while the instances are
//! built: a priority rule that matches no street, slopes ranked on a map
//! without grades, a yard far from any street. Each names the scenario line.

use super::*;

/// The warnings of a scenario on its network: `area` holds the segments in
/// the planning area, `serviced` those some vehicle type services.
pub(super) fn scenario_warnings(
    scenario: &Scenario,
    net: &Network,
    area: &[u32],
    serviced: &[u32],
) -> Vec<String> {
    let at = |span: std::ops::Range<usize>, msg: String| {
        format!(
            "{}:{}: {msg}",
            scenario.path.display(),
            crate::scenario::load::line_at(&scenario.text, span)
        )
    };
    let mut out = Vec::new();
    let graded = area
        .iter()
        .filter(|&&s| net.segments[s as usize].grade_pct.is_some())
        .count();
    for (i, entry) in scenario.priorities.iter().enumerate() {
        let p = entry.get_ref();
        let name = format!("`priority[{i}]` (class {})", p.class);
        if let Some(g) = p.min_grade_pct {
            if graded == 0 {
                out.push(at(
                    entry.span(),
                    format!(
                        "{name}: `min_grade_pct` = {g} ranks no street: no street of the area \
                         has a grade ({}), so steep streets are not class {}",
                        if scenario.map.dem.is_none() {
                            "give SRTM tiles as `map.dem`"
                        } else {
                            "the `map.dem` tiles do not cover it"
                        },
                        p.class
                    ),
                ));
            } else if scenario.map.dem.is_none() {
                out.push(at(
                    entry.span(),
                    format!(
                        "{name}: `min_grade_pct` = {g} without `map.dem`: only the {graded} of \
                         {} streets of the area with an OSM incline tag have a grade; other \
                         steep streets are not class {}",
                        area.len(),
                        p.class
                    ),
                ));
            }
        }
        if !serviced.iter().any(|&s| matches(p, net, s)) {
            let mut rule = Vec::new();
            if p.bridges {
                rule.push("bridges".to_string());
            }
            if p.ramps {
                rule.push("ramps".to_string());
            }
            if let Some(g) = p.min_grade_pct {
                rule.push(format!("grade of {g} % or more"));
            }
            if !p.road_classes.is_empty() {
                let classes: Vec<&str> = p.road_classes.iter().map(|c| c.as_str()).collect();
                rule.push(format!("road classes {}", classes.join(", ")));
            }
            out.push(at(
                entry.span(),
                format!(
                    "{name} matches no street the fleet services in the area ({}): its deadline \
                     applies to nothing",
                    if rule.is_empty() {
                        "it names no rule: give `bridges`, `ramps`, `min_grade_pct` or \
                         `road_classes`"
                            .to_string()
                    } else {
                        rule.join("; ")
                    }
                ),
            ));
        }
    }
    let places = scenario
        .depots
        .iter()
        .map(|d| {
            let v = d.get_ref();
            (d.span(), format!("depot `{}`", v.id), [v.lon, v.lat])
        })
        .chain(scenario.refills.iter().map(|r| {
            let v = r.get_ref();
            (r.span(), format!("refill site `{}`", v.id), [v.lon, v.lat])
        }));
    for (span, what, p) in places {
        if let Some(s) = net.snap_yard(p) {
            if s.distance_m > FAR_SNAP_M {
                out.push(at(
                    span,
                    format!(
                        "{what} at {}, {} is {:.0} m from the nearest street: routes start at \
                         that street, the drive in between is not counted; check its coordinates",
                        p[0], p[1], s.distance_m
                    ),
                ));
            }
        }
    }
    out
}
