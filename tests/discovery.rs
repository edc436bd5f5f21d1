//! Discovery against the standalone oauth2 mock, through a target file that names only its
//! issuer (and the mock's second client): the metadata fills the dialect (PKCE, refresh tokens,
//! RFC 9207 included) and every oauth2 scenario runs and passes; metadata that cannot be read stops the run with exit 3.

mod common;

const SECRET: &str = "discovery-test-secret-2718";

fn run(base_url: &str, issuer: &str) -> (std::process::Output, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let target = common::target_file(
        tmp.path(),
        &format!(
            "[providers.oauth2]\nbase_url = \"{base_url}\"\nissuer = \"{issuer}\"\n\
             client_id = \"40\"\nclient_secret_env = \"IDPC_DISCOVERY_SECRET\"\n\
             second_client_id = \"oauth2-second-client\"\n\
             second_client_secret_env = \"IDPC_DISCOVERY_SECOND_SECRET\"\n\
             redirect_uri = \"http://127.0.0.1:9999/callback\"\n"
        ),
    );
    let out = common::bin()
        .args(["run", "--no-color", "--provider", "oauth2", "--target"])
        .arg(&target)
        .arg("--reports")
        .arg(tmp.path().join("r"))
        .env("IDPC_DISCOVERY_SECRET", SECRET)
        // The second client every oauth2 mock knows (`mocks::oauth2::SECOND_CLIENT`).
        .env(
            "IDPC_DISCOVERY_SECOND_SECRET",
            "oauth2-second-client-secret-5",
        )
        .output()
        .unwrap();
    (out, tmp)
}

#[test]
fn the_metadata_fills_the_dialect_and_every_scenario_runs() {
    let (_mock, url) = common::start_mock(
        "oauth2",
        &["--client-secret-env", "IDPC_DISCOVERY_SECRET"],
        &[("IDPC_DISCOVERY_SECRET", SECRET)],
    );
    let (out, tmp) = run(&url, &url);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let results = common::results(&tmp.path().join("r"));
    let not_passed: Vec<_> = results.iter().filter(|r| r.status != "passed").collect();
    assert!(not_passed.is_empty(), "{not_passed:?}");
    for needs in [
        "pkce.feature",
        "refresh_tokens.feature",
        "authorization_server_metadata",
    ] {
        assert!(
            results.iter().any(|r| r.file.contains(needs)),
            "{needs} did not run: {results:?}"
        );
    }
}

#[test]
fn metadata_that_cannot_be_read_is_an_environment_error() {
    let url = common::serve(axum::Router::new());
    let (out, _tmp) = run(&url, &url);
    let text = common::text(&out);
    assert_eq!(common::code(&out), 3, "{text}");
    assert!(
        text.contains("HTTP 404") && text.contains("issuer and metadata_url"),
        "{text}"
    );
}
