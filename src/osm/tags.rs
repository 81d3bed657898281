//! What OSM tags mean for a street-service vehicle: road class, access,
//! direction, lanes, width, speed limit, bridge/tunnel/ramp, incline.

use serde::Serialize;

/// The `highway=*` classes arcplan can route on.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    Motorway,
    Trunk,
    Primary,
    Secondary,
    Tertiary,
    Unclassified,
    Residential,
    LivingStreet,
    Service,
    Road,
    MotorwayLink,
    TrunkLink,
    PrimaryLink,
    SecondaryLink,
    TertiaryLink,
}

impl RoadClass {
    pub const ALL: [RoadClass; 15] = [
        RoadClass::Motorway,
        RoadClass::Trunk,
        RoadClass::Primary,
        RoadClass::Secondary,
        RoadClass::Tertiary,
        RoadClass::Unclassified,
        RoadClass::Residential,
        RoadClass::LivingStreet,
        RoadClass::Service,
        RoadClass::Road,
        RoadClass::MotorwayLink,
        RoadClass::TrunkLink,
        RoadClass::PrimaryLink,
        RoadClass::SecondaryLink,
        RoadClass::TertiaryLink,
    ];

    pub fn from_tag(v: &str) -> Option<RoadClass> {
        RoadClass::ALL.iter().copied().find(|c| c.as_str() == v)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::Trunk => "trunk",
            RoadClass::Primary => "primary",
            RoadClass::Secondary => "secondary",
            RoadClass::Tertiary => "tertiary",
            RoadClass::Unclassified => "unclassified",
            RoadClass::Residential => "residential",
            RoadClass::LivingStreet => "living_street",
            RoadClass::Service => "service",
            RoadClass::Road => "road",
            RoadClass::MotorwayLink => "motorway_link",
            RoadClass::TrunkLink => "trunk_link",
            RoadClass::PrimaryLink => "primary_link",
            RoadClass::SecondaryLink => "secondary_link",
            RoadClass::TertiaryLink => "tertiary_link",
        }
    }

    /// `*_link`: a ramp or slip road.
    /// Speed (km/h) assumed when a way has no `maxspeed`.
    pub fn default_maxspeed_kmh(self) -> f64 {
        use RoadClass::*;
        match self {
            Motorway => 110.0,
            Trunk => 90.0,
            Primary => 70.0,
            Secondary => 60.0,
            Tertiary => 50.0,
            MotorwayLink | TrunkLink | PrimaryLink | SecondaryLink | TertiaryLink => 50.0,
            Residential | Unclassified | Road => 40.0,
            LivingStreet => 10.0,
            Service => 20.0,
        }
    }

    pub fn is_ramp(self) -> bool {
        matches!(
            self,
            RoadClass::MotorwayLink
                | RoadClass::TrunkLink
                | RoadClass::PrimaryLink
                | RoadClass::SecondaryLink
                | RoadClass::TertiaryLink
        )
    }
}

/// Which way traffic may drive along a way, relative to its node order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Oneway {
    Both,
    Forward,
    Backward,
    /// `reversible` / `alternating`: direction changes over time; not routed.
    Reversible,
}

/// `oneway=*` with the implied one-ways: an explicit tag always wins; without
/// one, `junction=roundabout|circular` and `highway=motorway|motorway_link`
/// are one-way.
pub fn oneway(tag: Option<&str>, junction: Option<&str>, class: RoadClass) -> Oneway {
    match tag.map(str::trim) {
        Some("yes" | "true" | "1") => Oneway::Forward,
        Some("-1" | "reverse") => Oneway::Backward,
        Some("no" | "false" | "0") => Oneway::Both,
        Some("reversible" | "alternating") => Oneway::Reversible,
        _ => {
            let implied = matches!(junction, Some("roundabout" | "circular"))
                || matches!(class, RoadClass::Motorway | RoadClass::MotorwayLink);
            if implied {
                Oneway::Forward
            } else {
                Oneway::Both
            }
        }
    }
}

/// Whether an access value (possibly `a;b` lists) denies a municipal vehicle:
/// any part equal to `no` or `private` denies.
pub fn denies(value: &str) -> bool {
    value
        .split(';')
        .map(str::trim)
        .any(|p| p == "no" || p == "private")
}

/// Access by the most specific of `motorcar`, `motor_vehicle`, `vehicle`,
/// `access` that is present: `true` when the way may be driven.
pub fn access_allowed(get: impl Fn(&str) -> Option<String>) -> bool {
    for key in ["motorcar", "motor_vehicle", "vehicle", "access"] {
        if let Some(v) = get(key) {
            return !denies(&v);
        }
    }
    true
}

/// `maxspeed=*` in km/h: numbers, `mph`, `knots`, `walk`, and the simple
/// country codes (`DE:urban`, `FR:rural`, `GB:motorway`, `XX:zone30`, …).
/// `none`, `signals`, `variable` and unknown values give `None`.
pub fn maxspeed_kmh(value: &str) -> Option<f32> {
    let parts: Vec<f32> = value
        .split(';')
        .filter_map(|p| one_speed(p.trim()))
        .collect();
    parts.into_iter().reduce(f32::min)
}

fn one_speed(v: &str) -> Option<f32> {
    if v == "walk" {
        return Some(6.0);
    }
    if let Some((country, kind)) = v.split_once(':') {
        let kind = kind.trim();
        if let Some(z) = kind.strip_prefix("zone").map(|z| z.trim_start_matches(':')) {
            return z.parse::<f32>().ok();
        }
        let mph = matches!(country, "GB" | "UK" | "US");
        let kmh = match (country, kind) {
            (_, "living_street") | (_, "walk") => 7.0,
            (_, "urban") => {
                if mph {
                    48.3
                } else {
                    50.0
                }
            }
            ("DE" | "AT" | "CZ" | "PL", "rural") => 100.0,
            ("FR" | "ES", "rural") => 80.0,
            ("GB" | "UK", "rural") | ("GB" | "UK", "nsl_single") => 96.6,
            ("GB" | "UK", "nsl_dual") | ("GB" | "UK", "motorway") => 112.7,
            (_, "rural") => 90.0,
            (_, "trunk") => 100.0,
            ("DE", "motorway") => 130.0,
            (_, "motorway") => 120.0,
            _ => return None,
        };
        return Some(kmh);
    }
    let lower = v.to_ascii_lowercase();
    let (num, factor) = if let Some(n) = lower.strip_suffix("mph") {
        (n, 1.609_344)
    } else if let Some(n) = lower.strip_suffix("knots") {
        (n, 1.852)
    } else if let Some(n) = lower.strip_suffix("km/h") {
        (n, 1.0)
    } else if let Some(n) = lower.strip_suffix("kmh") {
        (n, 1.0)
    } else {
        (lower.as_str(), 1.0)
    };
    let x: f32 = num.trim().parse().ok()?;
    (x > 0.0 && x < 400.0).then_some(x * factor as f32)
}

/// `lanes=*`: the first whole number of the value.
pub fn lanes(value: &str) -> Option<u8> {
    let first = value.split(';').next()?.trim();
    let n: u8 = first.parse().ok()?;
    (n > 0).then_some(n)
}

/// `width=*` in metres: `3.5`, `3.5 m`, `3,5`, `12'`, `12 ft`, `10'6"`.
pub fn width_m(value: &str) -> Option<f32> {
    let v = value.trim().replace(',', ".");
    if let Some((ft, rest)) = v.split_once('\'') {
        let feet: f32 = ft.trim().parse().ok()?;
        let inches: f32 = rest
            .trim()
            .trim_end_matches('"')
            .trim()
            .parse()
            .unwrap_or(0.0);
        return Some((feet * 12.0 + inches) * 0.0254);
    }
    let (num, factor) = if let Some(n) = v.strip_suffix("ft") {
        (n, 0.3048)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 1.0)
    } else {
        (v.as_str(), 1.0)
    };
    let x: f32 = num.trim().parse().ok()?;
    (x > 0.0 && x < 200.0).then_some(x * factor)
}

/// `incline=*`: a signed grade in percent along the way's direction, or just
/// a sense (`up`/`down`) when no number is given.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Incline {
    Percent(f32),
    Up,
    Down,
}

pub fn incline(value: &str) -> Option<Incline> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "up" => return Some(Incline::Up),
        "down" => return Some(Incline::Down),
        "yes" => return None,
        _ => {}
    }
    let v = v.replace(',', ".");
    if let Some(n) = v.strip_suffix('%') {
        return n
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|x| x.abs() <= 100.0)
            .map(Incline::Percent);
    }
    for suffix in ["°", "deg"] {
        if let Some(n) = v.strip_suffix(suffix) {
            let deg: f32 = n.trim().parse().ok()?;
            if deg.abs() >= 45.0 {
                return None;
            }
            return Some(Incline::Percent(deg.to_radians().tan() * 100.0));
        }
    }
    // A bare number is read as percent (the common mistake `incline=10`).
    v.parse::<f32>()
        .ok()
        .filter(|x| x.abs() <= 100.0)
        .map(Incline::Percent)
}

/// `bridge=*` / `tunnel=*`: present and not `no`.
pub fn flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| v != "no" && v != "false" && v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_oneway_tag_wins_over_implied() {
        use RoadClass::*;
        assert_eq!(
            oneway(None, Some("roundabout"), Residential),
            Oneway::Forward
        );
        assert_eq!(
            oneway(Some("no"), Some("roundabout"), Residential),
            Oneway::Both
        );
        assert_eq!(oneway(None, None, Motorway), Oneway::Forward);
        assert_eq!(oneway(Some("no"), None, Motorway), Oneway::Both);
        assert_eq!(oneway(Some("-1"), None, Motorway), Oneway::Backward);
        assert_eq!(oneway(None, None, MotorwayLink), Oneway::Forward);
        assert_eq!(oneway(None, None, Primary), Oneway::Both);
        assert_eq!(oneway(Some("true"), None, Primary), Oneway::Forward);
        assert_eq!(oneway(Some("reverse"), None, Primary), Oneway::Backward);
        assert_eq!(
            oneway(Some("alternating"), None, Primary),
            Oneway::Reversible
        );
        assert_eq!(oneway(Some("0"), Some("circular"), Primary), Oneway::Both);
    }

    #[test]
    fn access_uses_the_most_specific_key_and_list_parts() {
        let tags = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(a, _)| *a == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(access_allowed(tags(&[])));
        assert!(!access_allowed(tags(&[("access", "private")])));
        assert!(access_allowed(tags(&[
            ("access", "no"),
            ("motorcar", "yes")
        ])));
        assert!(!access_allowed(tags(&[
            ("access", "yes"),
            ("motor_vehicle", "no")
        ])));
        assert!(!access_allowed(tags(&[("vehicle", "destination;private")])));
        assert!(access_allowed(tags(&[("access", "destination")])));
    }

    #[test]
    fn speeds_widths_lanes_inclines() {
        assert_eq!(maxspeed_kmh("50"), Some(50.0));
        assert!((maxspeed_kmh("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(maxspeed_kmh("walk"), Some(6.0));
        assert_eq!(maxspeed_kmh("DE:urban"), Some(50.0));
        assert_eq!(maxspeed_kmh("DE:rural"), Some(100.0));
        assert_eq!(maxspeed_kmh("DE:zone30"), Some(30.0));
        assert_eq!(maxspeed_kmh("DE:zone:30"), Some(30.0));
        assert_eq!(maxspeed_kmh("none"), None);
        assert_eq!(maxspeed_kmh("50;30"), Some(30.0));
        assert_eq!(lanes("2"), Some(2));
        assert_eq!(lanes("2;3"), Some(2));
        assert_eq!(lanes("x"), None);
        assert_eq!(width_m("3.5 m"), Some(3.5));
        assert_eq!(width_m("3,5"), Some(3.5));
        assert!((width_m("12'").unwrap() - 3.6576).abs() < 1e-4);
        assert_eq!(incline("10%"), Some(Incline::Percent(10.0)));
        assert_eq!(incline("-5 %"), Some(Incline::Percent(-5.0)));
        assert_eq!(incline("up"), Some(Incline::Up));
        let deg = match incline("5°") {
            Some(Incline::Percent(p)) => p,
            other => panic!("{other:?}"),
        };
        assert!((deg - 8.749).abs() < 0.01);
        assert_eq!(incline("yes"), None);
        assert!(flag(Some("yes")) && flag(Some("viaduct")) && !flag(Some("no")) && !flag(None));
    }
}
