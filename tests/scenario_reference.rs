//! `docs/scenario.md` documents every key a scenario may hold: each key of
//! every bundled scenario (fixtures and the town example) and each value
//! their enumerations take appear in it.

mod common;

/// Keys (last path component) and table names of a TOML value.
fn keys(v: &toml::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        toml::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn every_fixture_key_is_in_the_scenario_reference() {
    let doc_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario.md");
    let doc = std::fs::read_to_string(doc_path).expect("docs/scenario.md");
    let dir = common::fixture("");
    let mut missing = Vec::new();
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().and_then(|x| x.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(v) = toml::from_str::<toml::Table>(&text).map(toml::Value::Table) else {
            continue; // not a scenario (a manifest of another format)
        };
        if v.get("shift").is_none() {
            continue; // not a scenario
        }
        seen += 1;
        let mut all = Default::default();
        keys(&v, &mut all);
        for k in all {
            // A service policy table is named after its service.
            let documented = doc.contains(&format!("`{k}`"))
                || doc.contains(&format!("`{k}."))
                || doc.contains(&format!(".{k}`"))
                || doc.contains(&format!("[{k}."))
                || doc.contains(&format!("[{k}]"))
                || doc.contains(&format!("[[{k}]]"))
                || doc.contains(&format!("`[service.{k}]`"))
                || ["salting", "sweeping", "sprinkling", "plowing"].contains(&k.as_str());
            if !documented {
                missing.push(format!("{}: `{k}`", path.display()));
            }
        }
    }
    assert!(seen >= 5, "scenarios read: {seen}");
    assert!(missing.is_empty(), "not in docs/scenario.md: {missing:?}");
    for value in [
        "dead_ends_only",
        "penalised",
        "allowed",
        "each_side",
        "either",
        "per_lane",
        "salt",
        "water",
        "dump",
        "living_street",
        "motorway_link",
    ] {
        assert!(
            doc.contains(&format!("`{value}`")),
            "value `{value}` undocumented"
        );
    }
}
