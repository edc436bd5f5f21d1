//! redirect-capture against fake sandboxes: one that signs its test user in through redirects
//! that need cookies (followed, the scenario passes), one that shows a login page, one that sends
//! the browser to another host and one that redirects forever (each an environment error, exit
//! 3, naming the strategies that fit, never a verdict).

mod common;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const SECRET: &str = "redirect-capture-test-secret-77";
const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

fn see_other(to: &str, cookie: Option<&str>) -> Response {
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response();
    if let Some(c) = cookie {
        r.headers_mut()
            .append(header::SET_COOKIE, c.parse().unwrap());
    }
    r
}

fn has_cookie(headers: &HeaderMap, pair: &str) -> bool {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split("; ").any(|c| c == pair))
}

/// Runs the redirect scenario of the generic provider against `base_url`.
fn run(base_url: &str) -> (std::process::Output, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let target = common::target_file(
        tmp.path(),
        &format!(
            "[providers.oauth2]\nbase_url = \"{base_url}\"\nclient_id = \"c1\"\n\
             client_secret_env = \"IDPC_CAPTURE_SECRET\"\nredirect_uri = \"{REDIRECT_URI}\"\n"
        ),
    );
    let out = common::bin()
        .args([
            "run",
            "--no-color",
            "--provider",
            "oauth2",
            "--tags",
            "@needs-redirect and not @needs-iss-parameter",
        ])
        .arg("--target")
        .arg(&target)
        .arg("--reports")
        .arg(tmp.path().join("r"))
        .env("IDPC_CAPTURE_SECRET", SECRET)
        .output()
        .unwrap();
    (out, tmp)
}

#[test]
fn the_providers_own_redirects_are_followed_with_its_cookies() {
    // /authorize -> the interaction (a session cookie) -> the login, which needs it and sets a
    // second -> the resume URL, which needs both -> the redirect URI.
    let router = Router::new()
        .route(
            "/authorize",
            get(|uri: Uri| async move {
                let q = uri.query().unwrap_or_default();
                see_other(
                    &format!("/interaction/1?{q}"),
                    Some("sid=s1; Path=/; HttpOnly"),
                )
            }),
        )
        .route(
            "/interaction/1",
            get(|uri: Uri, headers: HeaderMap| async move {
                if !has_cookie(&headers, "sid=s1") {
                    return StatusCode::FORBIDDEN.into_response();
                }
                let q = uri.query().unwrap_or_default();
                see_other(&format!("/resume?{q}"), Some("login=ok; Path=/resume"))
            }),
        )
        .route(
            "/resume",
            get(|uri: Uri, headers: HeaderMap| async move {
                if !(has_cookie(&headers, "sid=s1") && has_cookie(&headers, "login=ok")) {
                    return StatusCode::FORBIDDEN.into_response();
                }
                common::authorize_redirect(&uri, REDIRECT_URI, "code-after-hops")
            }),
        );
    let (out, tmp) = run(&common::serve(router));
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let results = common::results(&tmp.path().join("r"));
    assert!(
        !results.is_empty() && results.iter().all(|r| r.status == "passed"),
        "{results:?}"
    );
}

/// The run stopped as an environment error, with `what` and both strategies that fit named.
fn assert_environment_error(base_url: &str, what: &str) {
    let (out, tmp) = run(base_url);
    let text = common::text(&out);
    assert_eq!(common::code(&out), 3, "{text}");
    assert!(text.contains(what), "{text}");
    let results = common::results(&tmp.path().join("r"));
    let failed: Vec<_> = results.iter().filter(|r| r.status == "failed").collect();
    assert!(!failed.is_empty(), "{results:?}");
    for r in failed {
        assert!(r.environment_error, "{r:?}");
        let message = r.failure.as_deref().unwrap_or_default();
        assert!(
            message.contains("\"callback-listener\"") && message.contains("\"command\""),
            "{message}"
        );
    }
}

#[test]
fn a_login_page_is_an_environment_error_naming_the_strategies_that_fit() {
    let router = Router::new()
        .route(
            "/authorize",
            get(|| async { see_other("/login", Some("sid=s1; Path=/")) }),
        )
        .route(
            "/login",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    "<form method=post><input name=password></form>",
                )
            }),
        );
    assert_environment_error(
        &common::serve(router),
        "page for a person (HTTP 200, text/html)",
    );
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let router = Router::new().route(
        "/authorize",
        get(|| async { see_other("https://login.elsewhere.invalid/sso", None) }),
    );
    assert_environment_error(&common::serve(router), "another host");
}

#[test]
fn endless_redirects_stop_at_the_hop_limit() {
    let router = Router::new()
        .route("/authorize", get(|| async { see_other("/loop", None) }))
        .route("/loop", get(|| async { see_other("/loop", None) }));
    assert_environment_error(&common::serve(router), "followed 10 redirects");
}
