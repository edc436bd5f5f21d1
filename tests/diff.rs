//! The run record (`run.json`) each run writes for `idp-conformance diff`: every scenario's
//! verdict with its steps, and the response shapes per endpoint (names and types, no values).

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

fn run_record(args: &[&str], reports: &std::path::Path) -> Value {
    let out = common::run(args, reports);
    assert!(
        matches!(common::code(&out), 0 | 1),
        "{}",
        common::text(&out)
    );
    let text = std::fs::read_to_string(reports.join("run.json")).expect("run.json written");
    serde_json::from_str(&text).expect("run.json parses")
}

#[test]
fn a_run_records_every_scenario_and_the_shape_of_every_endpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let record = run_record(&["--provider", "losgehts"], tmp.path());
    assert_eq!(record["format"], 1);
    assert_eq!(record["target"], "embedded mocks");
    let scenarios = record["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), common::results(tmp.path()).len());
    assert!(
        scenarios
            .iter()
            .all(|s| s["status"] == "passed" && !s["steps"].as_array().unwrap().is_empty()),
        "every scenario passed and lists its steps"
    );
    let shapes = record["shapes"].as_array().unwrap();
    let token = shapes
        .iter()
        .find(|s| s["endpoint"] == "POST /oauth/token" && s["status"] == 200)
        .expect("the token endpoint's 200 answer has a shape");
    assert_eq!(token["fields"]["/access_token"], "string");
    assert_eq!(token["fields"]["/expires_in"], "integer");
    assert!(
        shapes
            .iter()
            .all(|s| !s["endpoint"].as_str().unwrap().contains("__mock")),
        "the mocks' control routes are not the provider's API"
    );
}

/// Two runs of the losgehts provider, made once per test binary: the defect-free mock, and the
/// mock with the token answer missing expires_in and a Verification flag sent as a boolean.
fn runs() -> &'static (PathBuf, PathBuf) {
    static RUNS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff-runs");
        let _ = std::fs::remove_dir_all(&dir);
        let (baseline, candidate) = (dir.join("baseline"), dir.join("candidate"));
        run_record(&["--provider", "losgehts"], &baseline);
        run_record(
            &[
                "--provider",
                "losgehts",
                "--mock-defect",
                "losgehts:missing-expires-in",
                "--mock-defect",
                "losgehts:flag-as-boolean",
                "--baseline",
                baseline.to_str().unwrap(),
            ],
            &candidate,
        );
        (baseline, candidate)
    })
}

fn diff(args: &[&Path]) -> std::process::Output {
    common::bin()
        .arg("diff")
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn diff_reports_regressions_and_shape_drift_and_exits_1() {
    let (baseline, candidate) = runs();
    let out = diff(&[baseline, candidate]);
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let runs_dir = baseline.parent().unwrap().display().to_string();
    let markdown = String::from_utf8_lossy(&out.stdout).replace(&runs_dir, "[RUNS]");
    insta::assert_snapshot!("diff_with_regressions", markdown);
}

#[test]
fn the_reverse_diff_reports_fixes_and_added_fields() {
    let (baseline, candidate) = runs();
    let out = diff(&[candidate, baseline]);
    let markdown = String::from_utf8_lossy(&out.stdout);
    assert!(markdown.contains("| passed (fixed) |"), "{markdown}");
    assert!(
        markdown.contains("| `/expires_in` | added |  | integer |"),
        "{markdown}"
    );
    // EmailConfirmed boolean -> integer is another type again: a client may break on it.
    assert!(markdown.contains("**changed (regression)**"), "{markdown}");
    assert_eq!(common::code(&out), 1);
}

#[test]
fn a_run_compared_with_itself_has_no_regression() {
    let (baseline, _) = runs();
    let out = diff(&[&baseline.join("run.json"), baseline]);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let markdown = String::from_utf8_lossy(&out.stdout);
    assert!(markdown.contains("**No regression.**"), "{markdown}");
    assert!(markdown.contains("No scenario changed its verdict."));
    assert!(markdown.contains("No endpoint changed the shape of its answers."));
}

#[test]
fn a_run_with_a_baseline_shows_the_changes_in_its_reports() {
    let (_, candidate) = runs();
    let diff_md = std::fs::read_to_string(candidate.join("diff.md")).expect("diff.md written");
    assert!(diff_md.contains("**8 regressions**"), "{diff_md}");
    let html = std::fs::read_to_string(candidate.join("index.html")).unwrap();
    assert!(html.contains("<h2>Changes since the baseline</h2>"));
    assert!(
        html.contains("<code>&#x2f;expires_in</code>"),
        "the drift table"
    );
}

#[test]
fn diff_writes_the_changes_as_a_self_contained_page() {
    let (baseline, candidate) = runs();
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("diff.html");
    let out = common::bin()
        .arg("diff")
        .args([baseline, candidate])
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("8 regressions"));
    assert!(!html.contains("<script src") && !html.contains("<link"));
}

#[test]
fn an_unreadable_or_malformed_run_file_is_a_usage_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.json");
    let out = diff(&[&missing, &missing]);
    assert_eq!(common::code(&out), 2);
    assert!(common::text(&out).contains("nope.json: cannot read the run record"));
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"format\": 1,\n  oops\n}").unwrap();
    let out = diff(&[&bad, &bad]);
    assert_eq!(common::code(&out), 2);
    assert!(
        common::text(&out).contains("bad.json:3:"),
        "{}",
        common::text(&out)
    );
}
