//! Rate limits against fake sandboxes: a 429 with Retry-After is waited out and the scenario is
//! reported as passed after a re-send; one asking for longer than the harness waits is an
//! environment error (exit 3), never a verdict; `max_concurrency` bounds the requests in flight.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::IntoResponse;
use axum::routing::get;

const SECRET: &str = "rate-limit-test-secret-1618";
const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// Runs the oauth2 scenarios tagged `tags` against `base_url`; `extra` adds lines to the
/// provider's table.
fn run(base_url: &str, tags: &str, extra: &str) -> (std::process::Output, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let target = common::target_file(
        tmp.path(),
        &format!(
            "[providers.oauth2]\nbase_url = \"{base_url}\"\nclient_id = \"c1\"\n\
             client_secret_env = \"IDPC_RATE_SECRET\"\nredirect_uri = \"{REDIRECT_URI}\"\n{extra}"
        ),
    );
    let out = common::bin()
        .args(["run", "--no-color", "--provider", "oauth2", "--tags", tags])
        .arg("--target")
        .arg(&target)
        .arg("--reports")
        .arg(tmp.path().join("r"))
        .env("IDPC_RATE_SECRET", SECRET)
        .output()
        .unwrap();
    (out, tmp)
}

/// A sandbox whose authorization endpoint answers 429 with `Retry-After: {after}` to every
/// request until `limited` of them were refused, then approves.
fn limited_sandbox(limited: usize, after: &'static str) -> String {
    let refused = Arc::new(AtomicUsize::new(0));
    common::serve(Router::new().route(
        "/authorize",
        get(move |uri: Uri| {
            let refused = refused.clone();
            async move {
                if refused.fetch_add(1, Ordering::SeqCst) < limited {
                    return (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, after)],
                    )
                        .into_response();
                }
                common::authorize_redirect(&uri, REDIRECT_URI, "code-after-waiting")
            }
        }),
    ))
}

#[test]
fn a_429_with_retry_after_is_waited_out_and_reported_as_a_retry() {
    let (out, tmp) = run(&limited_sandbox(1, "1"), "@O2-006", "");
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let text = std::fs::read_to_string(tmp.path().join("r/results.json")).unwrap();
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    let retries: Vec<u64> = results["scenarios"]
        .as_array()
        .or(results.as_array())
        .expect("a list of results")
        .iter()
        .map(|r| r["retries"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(retries, [1], "{text}");
    let summary = std::fs::read_to_string(tmp.path().join("r/summary.md")).unwrap();
    assert!(
        summary.contains("Passed after re-sending a request"),
        "{summary}"
    );
}

#[test]
fn a_wait_beyond_the_bound_is_an_environment_error() {
    let (out, tmp) = run(&limited_sandbox(usize::MAX, "120"), "@O2-006", "");
    let text = common::text(&out);
    assert_eq!(common::code(&out), 3, "{text}");
    assert!(
        text.contains("rate-limited the run") && text.contains("max_concurrency"),
        "{text}"
    );
    let results = common::results(&tmp.path().join("r"));
    assert!(
        results
            .iter()
            .all(|r| r.status != "failed" || r.environment_error),
        "{results:?}"
    );
}

#[test]
fn max_concurrency_bounds_the_requests_in_flight() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (f, p) = (in_flight.clone(), peak.clone());
    let url = common::serve(Router::new().route(
        "/authorize",
        get(move || {
            let (f, p) = (f.clone(), p.clone());
            async move {
                let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(150)).await;
                f.fetch_sub(1, Ordering::SeqCst);
                StatusCode::BAD_REQUEST
            }
        }),
    ));
    // The four authorization-error scenarios each send one request at once.
    let (out, _tmp) = run(
        &url,
        "@O2-001 or @O2-002 or @O2-003 or @O2-004",
        "max_concurrency = 1\n",
    );
    assert!(
        matches!(common::code(&out), 0 | 1),
        "{}",
        common::text(&out)
    );
    assert_eq!(peak.load(Ordering::SeqCst), 1);
    let (out, _tmp) = run(&url, "@O2-001 or @O2-002 or @O2-003 or @O2-004", "");
    assert!(
        matches!(common::code(&out), 0 | 1),
        "{}",
        common::text(&out)
    );
    assert!(
        peak.load(Ordering::SeqCst) > 1,
        "without the key they overlap"
    );
}
