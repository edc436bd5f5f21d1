//! A target file with a wrong client secret against the standalone oauth2 mock: the run is told
//! apart from a non-conforming provider. Its console and summary open with the diagnosis and
//! the keys to check, every plain exchange is an environment error, and the exit code is 3.

mod common;

const SECRET: &str = "misconfigured-client-test-secret-9";

#[test]
fn a_refused_client_is_a_diagnosis_not_a_conformance_failure() {
    let (_mock, url) = common::start_mock(
        "oauth2",
        &["--client-secret-env", "IDPC_MIS_SECRET"],
        &[("IDPC_MIS_SECRET", SECRET)],
    );
    let tmp = tempfile::tempdir().unwrap();
    let target = common::target_file(
        tmp.path(),
        &format!(
            "[providers.oauth2]\nbase_url = \"{url}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_MIS_SECRET\"\n\
             redirect_uri = \"http://127.0.0.1:9999/callback\"\n"
        ),
    );
    let reports = tmp.path().join("r");
    let out = common::bin()
        .args(["run", "--no-color", "--provider", "oauth2", "--target"])
        .arg(&target)
        .arg("--reports")
        .arg(&reports)
        .env("IDPC_MIS_SECRET", "not-the-secret-the-mock-knows")
        .output()
        .unwrap();
    let text = common::text(&out);
    assert_eq!(common::code(&out), 3, "{text}");
    let summary_at = text.find("\nidp-conformance: ").expect(&text) + 1;
    let console = &text[summary_at..];
    let first = console.lines().nth(1).unwrap_or_default();
    assert!(
        first.contains("DIAGNOSIS: the client is misconfigured")
            && first.contains("client_id")
            && first.contains("client_secret_env")
            && first.contains("client_auth"),
        "{console}"
    );
    assert_eq!(console.matches("DIAGNOSIS").count(), 1, "{console}");
    let md = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    let opening: Vec<&str> = md.lines().filter(|l| !l.is_empty()).take(3).collect();
    assert!(
        opening[1].starts_with("**⚠️ Diagnosis**: the client is misconfigured"),
        "{md}"
    );
    // Every plain exchange is the diagnosis, never a verdict.
    let results = common::results(&reports);
    let diagnosed: Vec<_> = results
        .iter()
        .filter(|r| r.environment_error)
        .map(|r| r.scenario.as_str())
        .collect();
    for plain in [
        "A valid code is exchanged for an access token",
        "Token responses are not cached",
        "A code exchanged a second time is refused with invalid_grant",
        "A valid access token gets the resource",
    ] {
        assert!(diagnosed.contains(&plain), "{plain}: {results:?}");
    }
}
