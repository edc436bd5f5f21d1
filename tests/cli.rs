//! The command line as a user meets it: exit codes, errors that name the file and line, the help
//! text, and the reports. Rendered output is compared with insta snapshots.

mod common;

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"st-[a-z0-9]{24}", "st-[STATE]"),
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
        (
            r"Started \S+ · [\d.]+ s · idp-conformance \S+",
            "Started [TIME] · [DURATION] · idp-conformance [VERSION]",
        ),
    ]
}

#[test]
fn help_teaches_the_commands_and_exit_codes() {
    let top = common::bin().arg("--help").output().unwrap();
    assert_eq!(common::code(&top), 0);
    let run = common::bin().args(["run", "--help"]).output().unwrap();
    insta::assert_snapshot!("help", String::from_utf8_lossy(&top.stdout));
    insta::assert_snapshot!("run_help", String::from_utf8_lossy(&run.stdout));
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let out = common::bin()
        .args(["run", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
}

#[test]
fn the_suite_passes_against_the_embedded_mocks_and_writes_every_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(&[], tmp.path());
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    for name in ["junit.xml", "cucumber.json", "summary.md", "results.json"] {
        let len = std::fs::metadata(tmp.path().join(name))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 0, "{name} is missing or empty");
    }
    let junit = std::fs::read_to_string(tmp.path().join("junit.xml")).unwrap();
    let results = common::results(tmp.path());
    assert_eq!(
        junit.matches("<testcase ").count(),
        results.len(),
        "one testcase per scenario"
    );
    assert!(results.iter().all(|r| r.status == "passed"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("cucumber.json")).unwrap())
            .unwrap();
    assert!(
        json.as_array().is_some_and(|f| !f.is_empty()),
        "cucumber.json lists features"
    );
}

#[test]
fn a_caught_defect_fails_the_run_and_the_summary_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(&["--mock-defect", "losgehts:code-reusable"], tmp.path());
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let summary = std::fs::read_to_string(tmp.path().join("summary.md")).unwrap();
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("summary_with_failure", summary);
    });
}

#[test]
fn a_schema_failure_lists_every_violation_with_its_pointer() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(
        &[
            "--mock-defect",
            "losgehts:date-of-birth-format",
            "--mock-defect",
            "losgehts:currency-lowercase",
            "--tags",
            "@documented",
        ],
        tmp.path(),
    );
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let failure = common::results(tmp.path())
        .into_iter()
        .find(|r| r.scenario == "The userinfo answer matches the documented record")
        .and_then(|r| r.failure)
        .expect("the schema scenario failed");
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("schema_failure_message", failure);
    });
}

#[test]
fn a_schema_that_is_not_json_names_its_file() {
    let tmp = tempfile::tempdir().unwrap();
    common::write(
        tmp.path(),
        "schemas/p/broken.json",
        "{\n  \"type\": \"object\",,\n}",
    );
    let schemas = tmp.path().join("schemas");
    let out = common::run(
        &["--schemas", schemas.to_str().unwrap()],
        &tmp.path().join("r"),
    );
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
    assert!(
        common::text(&out).contains("broken.json:2:"),
        "{}",
        common::text(&out)
    );
}

#[test]
fn an_unknown_defect_lists_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(&["--mock-defect", "losgehts:nope"], tmp.path());
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
    assert!(
        common::text(&out).contains("idp-conformance defects"),
        "{}",
        common::text(&out)
    );
}

#[test]
fn an_unreachable_target_is_an_environment_error() {
    let tmp = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = tmp.path().join("t.toml");
    std::fs::write(
        &target,
        format!(
            "[providers.losgehts]\nbase_url = \"http://127.0.0.1:{port}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_UNREACHABLE_SECRET\"\nredirect_uri = \"https://a.example/cb\"\n"
        ),
    )
    .unwrap();
    let out = common::bin()
        .args(["run", "--target", target.to_str().unwrap(), "--reports"])
        .arg(tmp.path().join("r"))
        .env("IDPC_UNREACHABLE_SECRET", "unreachable-secret-value")
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 3, "{}", common::text(&out));
    let text = common::text(&out);
    assert!(
        text.contains("cannot be reached") && text.contains("connection"),
        "{text}"
    );
    assert!(!text.contains("unreachable-secret-value"));
}

#[test]
fn a_loginsign_target_without_app_access_skips_what_needs_it_and_names_the_key() {
    let (_mock, url) = common::start_mock(
        "loginsign",
        &[],
        &[("MOCK_CLIENT_SECRET", "cli-test-secret")],
    );
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("t.toml");
    std::fs::write(
        &target,
        format!(
            "[providers.loginsign]\nbase_url = \"{url}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_CLI_SECRET\"\nredirect_uri = \"http://127.0.0.1:9999/callback\"\n"
        ),
    )
    .unwrap();
    let reports = tmp.path().join("r");
    let out = common::bin()
        .args([
            "run",
            "--target",
            target.to_str().unwrap(),
            "--no-color",
            "--reports",
        ])
        .arg(&reports)
        .env("IDPC_CLI_SECRET", "cli-test-secret")
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let results = common::results(&reports);
    let passed = results.iter().filter(|r| r.status == "passed").count();
    assert!(passed > 0, "the OAuth scenarios ran");
    let mut reasons: Vec<String> = results
        .iter()
        .filter_map(|r| r.skip_reason.clone())
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    insta::assert_snapshot!("loginsign_skip_reasons", reasons.join("\n"));
}
