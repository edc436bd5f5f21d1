//! The run record (`run.json`) each run writes for `idp-conformance diff`: every scenario's
//! verdict with its steps, and the response shapes per endpoint (names and types, no values).

mod common;

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
