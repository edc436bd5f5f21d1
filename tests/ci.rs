//! CI ergonomics: a run split with `--shard I/N` runs every scenario exactly once across the
//! shards, `merge-reports` joins the shards' reports into one run's (and refuses an incomplete
//! or doubled set), and the summary reads as a CI job summary.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

/// `idp-conformance merge-reports SHARDS --reports OUT`.
fn merge(shards: &[&std::path::PathBuf], out: &Path) -> std::process::Output {
    common::bin()
        .arg("merge-reports")
        .args(shards)
        .arg("--reports")
        .arg(out)
        .output()
        .unwrap()
}

fn keys(reports: &Path) -> Vec<String> {
    common::results(reports)
        .iter()
        .map(|r| format!("{}:{}", r.file, r.scenario))
        .collect()
}

/// `dir/name` with what differs between two runs of the same suite left out: times, start
/// times, durations, the mocks' ports, and the merged run's label.
fn same_run(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()));
    let text = if name.ends_with(".json") {
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        without_timings(&mut value);
        serde_json::to_string_pretty(&value).unwrap()
    } else {
        text
    };
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)", "[START]"),
        (r#"time="[\d.]+""#, "time=\"[TIME]\""),
        (r"\b\d+(\.\d+)? (ms|s)\b", "[TIME]"),
        (r" \(3 shards merged\)", ""),
    ];
    rules.iter().fold(text, |text, (pattern, with)| {
        regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&text, *with)
            .into_owned()
    })
}

/// Removes the JSON members that hold a duration.
fn without_timings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|k, _| !matches!(k.as_str(), "duration_ms" | "duration"));
            map.values_mut().for_each(without_timings);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_timings),
        _ => {}
    }
}

#[test]
fn shards_run_every_scenario_once_and_merge_into_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let out = common::run(&["--provider", "oauth2", "--provider", "authenteq"], &whole);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));

    let mut all = Vec::new();
    let mut dirs = Vec::new();
    for i in 1..=3 {
        let dir = tmp.path().join(format!("shard{i}"));
        let shard = format!("{i}/3");
        let out = common::run(
            &[
                "--provider",
                "oauth2",
                "--provider",
                "authenteq",
                "--shard",
                &shard,
            ],
            &dir,
        );
        assert_eq!(common::code(&out), 0, "{}", common::text(&out));
        let part = keys(&dir);
        assert!(!part.is_empty(), "shard {shard} ran nothing");
        all.extend(part);
        dirs.push(dir);
    }
    let expected: BTreeSet<String> = keys(&whole).into_iter().collect();
    let unique: BTreeSet<String> = all.iter().cloned().collect();
    assert_eq!(all.len(), unique.len(), "a scenario ran in two shards");
    assert_eq!(
        unique, expected,
        "the shards together ran the whole selection"
    );

    let merged = tmp.path().join("merged");
    let out = merge(&dirs.iter().collect::<Vec<_>>(), &merged);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let merged_keys: BTreeSet<String> = keys(&merged).into_iter().collect();
    assert_eq!(merged_keys, expected);
    let junit = std::fs::read_to_string(merged.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), expected.len());
    let summary = std::fs::read_to_string(merged.join("summary.md")).unwrap();
    assert!(summary.contains("(3 shards merged)"), "{summary}");
    let cucumber: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("cucumber.json")).unwrap())
            .unwrap();
    assert!(cucumber.as_array().is_some_and(|a| a.len() >= 10));
    // The merged reports are the unsharded run's, up to timings (and the mocks' ports, and the
    // label saying the shards were merged).
    for name in common::REPORTS {
        let (a, b) = (same_run(&whole, name), same_run(&merged, name));
        if a != b {
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "merged {name} differs from the unsharded run's at line {}:\n  unsharded: {}\n  merged:    {}",
                line + 1,
                a.lines().nth(line).unwrap_or_default(),
                b.lines().nth(line).unwrap_or_default()
            );
        }
    }

    // An incomplete or doubled set of shards is refused, naming the problem.
    let out = merge(&[&dirs[0], &dirs[2]], &tmp.path().join("m2"));
    assert_eq!(common::code(&out), 2);
    assert!(
        common::text(&out).contains("2/3 missing"),
        "{}",
        common::text(&out)
    );
    let out = merge(
        &[&dirs[0], &dirs[1], &dirs[1], &dirs[2]],
        &tmp.path().join("m3"),
    );
    assert_eq!(common::code(&out), 2);
    assert!(
        common::text(&out).contains("given twice"),
        "{}",
        common::text(&out)
    );
}

#[test]
fn a_bad_shard_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(&["--shard", "4/3"], tmp.path());
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
    assert!(common::text(&out).contains("I/N"), "{}", common::text(&out));
}

#[test]
fn a_failing_shard_fails_the_merged_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for i in 1..=2 {
        let dir = tmp.path().join(format!("s{i}"));
        let shard = format!("{i}/2");
        common::run(
            &[
                "--provider",
                "oauth2",
                "--mock-defect",
                "oauth2:code-reusable",
                "--shard",
                &shard,
            ],
            &dir,
        );
        dirs.push(dir);
    }
    let merged = tmp.path().join("m");
    let out = merge(&dirs.iter().collect::<Vec<_>>(), &merged);
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let summary = std::fs::read_to_string(merged.join("summary.md")).unwrap();
    assert!(summary.contains("**❌ 1 failed**"), "{summary}");
}
