//! Bad harness input stops the run before any request, with exit 2 and a message that names
//! the file (and line) and says how to fix it. Each message is pinned by an insta snapshot.

mod common;

use std::path::Path;

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
        (r"(src/contract/steps/\w+\.rs):\d+", "$1:[LINE]"),
        // The key list grows with the target file format.
        (r"expected one of `[^;]*;", "expected one of [KEYS];"),
    ]
}

/// Runs `idp-conformance run ARGS` and returns its stderr, asserting exit 2 and that no
/// report was written.
fn usage_error(args: &[&str], dir: &Path) -> String {
    let reports = dir.join("reports");
    let out = common::run(args, &reports);
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
    assert!(!reports.exists(), "a usage error writes no report");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn snapshot(name: &str, message: &str) {
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!(name, message);
    });
}

#[test]
fn a_malformed_feature_names_its_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    common::write(
        tmp.path(),
        "features/x.feature",
        "@losgehts\nFeature: x\n\n  Scenario: y\n    Given the user has authorized the client\n  Nonsense here\n",
    );
    let features = tmp.path().join("features");
    let message = usage_error(&["--features", features.to_str().unwrap()], tmp.path());
    assert!(message.contains("x.feature:6:"), "{message}");
    snapshot("malformed_feature", &message);
}

#[test]
fn an_unknown_step_is_named_with_the_closest_known_steps() {
    let tmp = tempfile::tempdir().unwrap();
    common::write(
        tmp.path(),
        "features/x.feature",
        "@losgehts\nFeature: x\n\n  Scenario: misspelt\n    \
         Given the user has authorized the client\n    \
         When the client requets authorization with scope \"signup\"\n    \
         Then the providr redirects to the callback with a code\n",
    );
    // A feature of a provider the run does not select is not checked.
    common::write(
        tmp.path(),
        "features/other.feature",
        "@sso_v1\nFeature: other\n\n  Scenario: not selected\n    Given no such step at all\n",
    );
    let features = tmp.path().join("features");
    let message = usage_error(
        &[
            "--features",
            features.to_str().unwrap(),
            "--provider",
            "losgehts",
        ],
        tmp.path(),
    );
    assert!(message.contains("x.feature:6:"), "{message}");
    assert!(message.contains("x.feature:7:"), "{message}");
    assert!(!message.contains("other.feature"), "{message}");
    snapshot("unknown_step", &message);
}

#[test]
fn a_schema_ref_to_a_missing_file_names_the_schema_and_the_ref() {
    let tmp = tempfile::tempdir().unwrap();
    common::write(
        tmp.path(),
        "schemas/p/record.json",
        "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"when\": {\"$ref\": \"../common/no_such_date.json\"}\n  }\n}\n",
    );
    let schemas = tmp.path().join("schemas");
    let message = usage_error(&["--schemas", schemas.to_str().unwrap()], tmp.path());
    assert!(
        message.contains("record.json") && message.contains("../common/no_such_date.json"),
        "{message}"
    );
    snapshot("schema_ref_to_missing_file", &message);
}

#[test]
fn an_invalid_tag_expression_says_how_to_write_one() {
    let tmp = tempfile::tempdir().unwrap();
    let message = usage_error(&["--tags", "@losgehts and (("], tmp.path());
    assert!(message.contains("--tags"), "{message}");
    snapshot("invalid_tag_expression", &message);
}

fn target_error(text: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("t.toml");
    std::fs::write(&target, text).unwrap();
    let out = common::bin()
        .args(["run", "--target"])
        .arg(&target)
        .arg("--reports")
        .arg(tmp.path().join("reports"))
        .env("IDPC_BAD_INPUT_SECRET", "bad-input-secret")
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const TARGET_HEAD: &str = "[providers.losgehts]\nbase_url = \"http://127.0.0.1:9\"\n";

#[test]
fn a_target_file_with_an_unknown_key_lists_the_known_ones() {
    let message = target_error(&format!(
        "{TARGET_HEAD}client_idd = \"40\"\nclient_secret_env = \"IDPC_BAD_INPUT_SECRET\"\n\
         redirect_uri = \"https://a.example/cb\"\n"
    ));
    assert!(
        message.contains("t.toml:3")
            && message.contains("client_idd")
            && message.contains("`client_id`"),
        "{message}"
    );
    snapshot("target_unknown_key", &message);
}

#[test]
fn a_target_file_with_a_wrong_type_names_the_key_and_the_type() {
    let message = target_error(&format!(
        "{TARGET_HEAD}client_id = 40\n\
         client_secret_env = \"IDPC_BAD_INPUT_SECRET\"\nredirect_uri = \"https://a.example/cb\"\n"
    ));
    assert!(
        message.contains("t.toml:3")
            && message.contains("`client_id`: invalid type: integer, expected a string"),
        "{message}"
    );
    snapshot("target_wrong_type", &message);
}

/// A base URL with credentials in it, or of a scheme the harness cannot speak, is bad input
/// (exit 2) naming the key, and the credentials are not repeated.
#[test]
fn a_base_url_with_credentials_or_another_scheme_is_exit_2_naming_the_key() {
    let rest = "client_id = \"40\"\nclient_secret_env = \"IDPC_BAD_INPUT_SECRET\"\n\
                redirect_uri = \"https://a.example/cb\"\n";
    let message = target_error(&format!(
        "[providers.losgehts]\nbase_url = \"https://user:pa55word@idp.example\"\n{rest}"
    ));
    assert!(message.contains("base_url"), "{message}");
    assert!(
        !message.contains("pa55word") && !message.contains("user:"),
        "{message}"
    );
    for url in [
        "file:///etc/passwd",
        "ftp://idp.example",
        "javascript:alert(1)",
    ] {
        let message = target_error(&format!(
            "[providers.losgehts]\nbase_url = \"{url}\"\n{rest}"
        ));
        assert!(message.contains("base_url"), "{url}: {message}");
    }
}
