//! `cucumber.json` in the order and form cucumber-jvm and cucumber-js write it, from cucumber's
//! own JSON writer's output, restructured as JSON values (never as text):
//!
//! - features by file, each scenario in file order, a scenario's Background as its own
//!   `"type": "background"` element (its keyword, name and line) right before the scenario's
//!   element, as cucumber-jvm writes it (cucumber-rs's writer adds it when its first step ends,
//!   which under concurrency is after the scenario's element, and gives it the scenario's line);
//! - tags with their `@`, as Gherkin writes them;
//! - each scenario's `start_timestamp` (RFC 3339), as cucumber-jvm's;
//! - the strings a provider can have put text in masked again with every secret the run learned;
//!   with a `warning` (TLS verification off), each feature's description opens with it.
//!
//! The format has no place for the run as a whole (version, base URLs): the other reports carry
//! them.

use std::collections::BTreeMap;

use cucumber::gherkin;
use serde_json::Value;

use super::{RunRecord, mask_strings};

/// cucumber's JSON report `text`, restructured and masked; `None` if it is not JSON (then
/// nothing is written).
pub fn report(text: &str, record: &RunRecord, features: &[gherkin::Feature]) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    let Value::Array(mut items) = value else {
        return None;
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let cwd = cwd.to_str().unwrap_or_default();
    let started: BTreeMap<(&str, usize), &str> = record
        .scenarios
        .iter()
        .filter_map(|r| {
            let at = r.started_at.as_deref()?;
            Some(((trim_path(&r.file, cwd), r.line), at))
        })
        .collect();
    let backgrounds: BTreeMap<String, &gherkin::Background> = features
        .iter()
        .filter_map(|f| {
            let path = f.path.as_ref()?.to_str()?;
            Some((trim_path(path, cwd).to_owned(), f.background.as_ref()?))
        })
        .collect();
    for feature in &mut items {
        mask_provided(feature);
        let uri = feature["uri"].as_str().unwrap_or_default().to_owned();
        at_tags(feature);
        if let Some(w) = &record.run.warning {
            let description = feature["description"].as_str().unwrap_or_default();
            feature["description"] = format!("{w}\n\n{description}").into();
        }
        let Some(elements) = feature["elements"].as_array_mut() else {
            continue;
        };
        for element in elements.iter_mut() {
            at_tags(element);
            let line = element["line"].as_u64().unwrap_or_default() as usize;
            let is_background = element["type"] == "background";
            // The scenario's line: a background keeps it (its own line is set below) to stay
            // with its scenario when sorted.
            element["scenario_line"] = line.into();
            if is_background {
                if let Some(bg) = backgrounds.get(&uri) {
                    element["line"] = bg.position.line.into();
                    element["name"] = bg.name.clone().into();
                    element["keyword"] = bg.keyword.clone().into();
                    element["description"] = bg.description.clone().unwrap_or_default().into();
                }
                if let Some(map) = element.as_object_mut() {
                    // A background has no identity or tags of its own in cucumber-jvm's JSON.
                    map.remove("id");
                    map.remove("tags");
                }
            } else if let Some(at) = started.get(&(uri.as_str(), line)) {
                element["start_timestamp"] = (*at).into();
            }
        }
        // File order; a scenario's background right before it.
        elements.sort_by_key(|e| {
            (
                e["scenario_line"].as_u64().unwrap_or_default(),
                e["type"] != "background",
            )
        });
        for element in elements.iter_mut() {
            if let Some(map) = element.as_object_mut() {
                map.remove("scenario_line");
            }
        }
    }
    sort_features(&mut items);
    serde_json::to_string(&items).ok()
}

/// The features of several shards' `cucumber.json` as one run's: a feature split between
/// shards is one feature again, its elements in file order (each background stays before its
/// scenario: the sort is stable and a shard's elements are already in that order).
pub fn merge(parts: impl IntoIterator<Item = Vec<Value>>) -> Vec<Value> {
    let mut by_uri: BTreeMap<String, Value> = BTreeMap::new();
    for feature in parts.into_iter().flatten() {
        let uri = feature["uri"].as_str().unwrap_or_default().to_owned();
        match by_uri.get_mut(&uri) {
            None => {
                by_uri.insert(uri, feature);
            }
            Some(existing) => {
                let more = feature["elements"].as_array().cloned().unwrap_or_default();
                if let Some(elements) = existing["elements"].as_array_mut() {
                    elements.extend(more);
                    sort_elements(elements);
                }
            }
        }
    }
    let mut out: Vec<Value> = by_uri.into_values().collect();
    sort_features(&mut out);
    out
}

/// Elements in file order: a background takes the line of the scenario after it.
fn sort_elements(elements: &mut [Value]) {
    let mut keyed: Vec<(u64, bool, Value)> = Vec::with_capacity(elements.len());
    for (i, e) in elements.iter().enumerate() {
        let line = if e["type"] == "background" {
            elements[i + 1..]
                .iter()
                .find(|n| n["type"] != "background")
                .and_then(|n| n["line"].as_u64())
                .unwrap_or_default()
        } else {
            e["line"].as_u64().unwrap_or_default()
        };
        keyed.push((line, e["type"] != "background", e.clone()));
    }
    keyed.sort_by_key(|(line, scenario, _)| (*line, *scenario));
    for (slot, (_, _, e)) in elements.iter_mut().zip(keyed) {
        *slot = e;
    }
}

fn sort_features(features: &mut [Value]) {
    features.sort_by(|a, b| {
        a["uri"]
            .as_str()
            .unwrap_or_default()
            .cmp(b["uri"].as_str().unwrap_or_default())
    });
}

/// `"name": "losgehts"` → `"name": "@losgehts"` in a feature's or element's tags.
fn at_tags(value: &mut Value) {
    if let Some(tags) = value["tags"].as_array_mut() {
        for tag in tags {
            if let Some(name) = tag["name"].as_str()
                && !name.starts_with('@')
            {
                tag["name"] = format!("@{name}").into();
            }
        }
    }
}

/// The feature path as cucumber's writer gives it (relative to the working folder `cwd`).
fn trim_path<'a>(path: &'a str, cwd: &str) -> &'a str {
    path.strip_prefix(cwd)
        .map(|p| p.trim_start_matches('/'))
        .unwrap_or(path)
}

/// Masks the strings of cucumber's JSON a provider can have put text in: step errors and
/// logs (the names, keywords and descriptions come from the feature files).
fn mask_provided(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(mask_provided),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if matches!(key.as_str(), "error_message" | "output" | "data") {
                    mask_strings(v);
                } else {
                    mask_provided(v);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::RunInfo;
    use serde_json::json;

    #[test]
    fn backgrounds_precede_their_scenarios_and_tags_have_their_at_sign() {
        // As cucumber-rs writes it under concurrency: scenario 12's element before the
        // background its first step created, scenario 8 after both.
        let raw = json!([{
            "uri": "features/x.feature", "keyword": "Feature", "name": "F",
            "tags": [{"name": "losgehts", "line": 1}],
            "elements": [
                {"keyword": "Scenario", "type": "scenario", "id": "f/b", "line": 12, "name": "b",
                 "tags": [{"name": "rfc6749", "line": 12}], "steps": []},
                {"keyword": "Background", "type": "background", "id": "f/b", "line": 12,
                 "name": "b", "tags": [], "steps": []},
                {"keyword": "Background", "type": "background", "id": "f/a", "line": 8,
                 "name": "a", "tags": [], "steps": []},
                {"keyword": "Scenario", "type": "scenario", "id": "f/a", "line": 8, "name": "a",
                 "tags": [], "steps": []},
            ]
        }]);
        let mut record = RunRecord::new(RunInfo::default(), Vec::new(), Vec::new());
        record.scenarios = vec![
            serde_json::from_value(json!({
                "provider": "losgehts", "feature": "F", "file": "features/x.feature", "line": 12,
                "scenario": "b", "tags": [], "status": "passed", "failure": null,
                "environment_error": false, "skip_reason": null, "duration_ms": 1,
                "started_at": "2026-12-07T06:00:00.000Z", "retries": 0,
            }))
            .unwrap(),
        ];
        let out: Value =
            serde_json::from_str(&report(&raw.to_string(), &record, &[]).unwrap()).unwrap();
        let elements = out[0]["elements"].as_array().unwrap();
        let order: Vec<(String, u64)> = elements
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_owned(),
                    e["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("background".to_owned(), 8),
                ("scenario".to_owned(), 8),
                ("background".to_owned(), 12),
                ("scenario".to_owned(), 12)
            ]
        );
        assert_eq!(out[0]["tags"][0]["name"], "@losgehts");
        assert_eq!(elements[3]["tags"][0]["name"], "@rfc6749");
        assert_eq!(elements[3]["start_timestamp"], "2026-12-07T06:00:00.000Z");
        assert!(elements[2].get("id").is_none() && elements[2].get("scenario_line").is_none());

        // Two shards of that feature merge back into the same order.
        let all = out[0]["elements"].as_array().unwrap().clone();
        let shard = |els: &[Value]| {
            let mut f = out[0].clone();
            f["elements"] = Value::Array(els.to_vec());
            vec![f]
        };
        let merged = merge([shard(&all[2..]), shard(&all[..2])]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0]["elements"], out[0]["elements"]);
    }
}
