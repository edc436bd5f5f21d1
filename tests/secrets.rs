//! Secrets never reach any output. The whole suite runs three ways, each with `-vv` and tracing
//! at debug for every crate, and every byte of console output and of every report file is
//! searched for the secrets, their base64 and their URL-encoded forms:
//!
//! - against every provider's standalone mock through a target file (the path a real deployment
//!   takes), started with every defect so that failure excerpts are rendered, with a known client
//!   secret; the codes and tokens the mocks issue are found by their prefixes;
//! - against a leaky provider written here that hands out known access and refresh tokens,
//!   authorization codes, a password and a cookie, and echoes them in its pages;
//! - against the embedded mocks, whose client secret and issued values carry known prefixes.

mod common;

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

const SECRET: &str = "Known+Client/Secret=4711";
const CLIENT_ID: &str = "40";
/// The password in the losgehts document's userinfo example (src/mocks/losgehts.rs).
const PASSWORD: &str = "asdsad2132132";
/// The SSO v1 mock's test user and the SMS code it accepts (src/mocks/sso_v1.rs).
const SSO_TELEPHONE: &str = "+4915100000001";
const SSO_SMS_CODE: &str = "482916";
/// LoginSign's developer portal session cookie, as the browser sends it.
const DEV_COOKIE_VALUE: &str = "Known-Developer-Session-0815";

/// The known values the leaky provider hands out.
const LEAKY_ACCESS_TOKEN: &str = "Leaky+Access/Token=001";
const LEAKY_REFRESH_TOKEN: &str = "Leaky+Refresh/Token=002";
const LEAKY_CODE: &str = "Leaky+Code/003";
const LEAKY_AUTH_CODE: &str = "Leaky-AuthCode-004";
const LEAKY_COOKIE: &str = "Leaky/Cookie+Value=005";
const LEAKY_PASSWORD: &str = "Leaky Password/006";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// The base64 of the longest prefix of `s` that encodes on its own (a multiple of 3 bytes):
/// it begins the base64 of every value starting with `s`.
fn b64_prefix(s: &str) -> String {
    b64(&s[..s.len() / 3 * 3])
}

fn url_encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A value in every form an output could show it: plain, base64, URL-encoded.
fn forms(value: &str) -> Vec<String> {
    vec![value.to_owned(), b64(value), url_encoded(value)]
}

/// The prefixes of the random values `files` generate with `opaque("...")`, except those of
/// ids (`id = opaque(`, `id: opaque(`), which are no secrets.
fn opaque_prefixes(files: &[std::path::PathBuf]) -> Vec<String> {
    let mut prefixes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text
            .lines()
            .filter(|l| !l.contains("id = opaque(") && !l.contains("id: opaque("))
        {
            for part in line.split("opaque(\"").skip(1) {
                let prefix = part.split('"').next().unwrap_or_default();
                if prefix.len() >= 4 && !prefixes.iter().any(|p| p == prefix) {
                    prefixes.push(prefix.to_owned());
                }
            }
        }
    }
    prefixes
}

/// The codes, tokens and sessions the mocks issue (src/mocks), by their prefixes, plain and in
/// base64.
fn issued_needles() -> Vec<String> {
    let files: Vec<_> = std::fs::read_dir(common::root().join("src/mocks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let prefixes = opaque_prefixes(&files);
    assert!(prefixes.len() >= 5, "{prefixes:?}");
    prefixes
        .into_iter()
        .flat_map(|p| [b64_prefix(&p), p])
        .collect()
}

/// The secrets a run makes up for the embedded mocks (`client_for_run` in
/// src/run/setup.rs: the client secret, session cookies), by their prefixes, plain and in base64,
/// alone and as Basic credentials.
fn embedded_needles() -> Vec<String> {
    let prefixes = opaque_prefixes(&[common::root().join("src/run/setup.rs")]);
    assert!(prefixes.iter().any(|p| p == "mock-secret-"), "{prefixes:?}");
    prefixes
        .into_iter()
        .flat_map(|p| [b64_prefix(&p), b64_prefix(&format!("{CLIENT_ID}:{p}")), p])
        .collect()
}

/// Starts `idp-conformance mock PROVIDER` with the known secrets, `args` and the defects.
fn start_mock(provider: &str, args: &[&str], defects: &[String]) -> (common::MockProcess, String) {
    let mut all = vec![
        "--client-id",
        CLIENT_ID,
        "--client-secret-env",
        "IDPC_TEST_SECRET",
        "--developer-session-env",
        "IDPC_TEST_DEV_SESSION",
        "--redirect-uri",
        "http://127.0.0.1:9999/callback",
    ];
    all.extend_from_slice(args);
    for d in defects {
        all.extend(["--defect", d.as_str()]);
    }
    let cookie = format!("ls_dev={DEV_COOKIE_VALUE}");
    let envs = [
        ("IDPC_TEST_SECRET", SECRET),
        ("IDPC_TEST_DEV_SESSION", cookie.as_str()),
    ];
    common::start_mock(provider, &all, &envs)
}

/// A target file entry for `provider` at `base_url`.
fn entry(provider: &str, base_url: &str) -> String {
    let mut text = format!(
        "\n[providers.{provider}]\nbase_url = \"{base_url}\"\nclient_id = \"{CLIENT_ID}\"\n\
         client_secret_env = \"IDPC_TEST_SECRET\"\n\
         redirect_uri = \"http://127.0.0.1:9999/callback\"\n"
    );
    if provider == "sso_v1" {
        text.push_str(&format!(
            "test_telephone = \"{SSO_TELEPHONE}\"\ntest_sms_code_env = \"IDPC_TEST_SMS_CODE\"\n"
        ));
    }
    text
}

/// Everything a run wrote: its console (stdout, stderr) and every file under its reports.
fn outputs(console: &std::process::Output, reports: &Path) -> Vec<(String, String)> {
    let mut outputs = vec![("console".to_owned(), common::text(console))];
    let mut dirs = vec![reports.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                outputs.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    outputs
}

/// Runs `idp-conformance run ARGS` with `-vv`, tracing at debug and the known secrets in its
/// environment; returns the exit code and every output.
fn run_verbose(args: &[&str], reports: &Path) -> (i32, Vec<(String, String)>) {
    let out = common::bin()
        .arg("run")
        .args(args)
        .args(["-vv", "--no-color", "--reports"])
        .arg(reports)
        .env("IDPC_TEST_SECRET", SECRET)
        .env("IDPC_TEST_SMS_CODE", SSO_SMS_CODE)
        .env(
            "IDPC_TEST_DEV_SESSION",
            format!("ls_dev={DEV_COOKIE_VALUE}"),
        )
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    let outputs = outputs(&out, reports);
    assert!(
        outputs.len() >= 5,
        "console + 4 reports:\n{}",
        common::text(&out)
    );
    (common::code(&out), outputs)
}

/// Runs the suite verbosely against the target file `text` (in a fresh folder); returns the exit
/// code, every output, and the folder (its reports are in `reports/`).
fn run_target_text(text: &str) -> (i32, Vec<(String, String)>, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("target.toml");
    std::fs::write(&file, text).unwrap();
    let (code, outputs) = run_verbose(
        &["--target", file.to_str().unwrap()],
        &tmp.path().join("reports"),
    );
    (code, outputs, tmp)
}

/// Where `needle` occurs in `text`; an all-digit needle (an SMS code) only as a number of its
/// own, not inside a longer number such as a duration.
fn find(text: &str, needle: &str) -> Option<usize> {
    if !needle.bytes().all(|b| b.is_ascii_digit()) {
        return text.find(needle);
    }
    text.match_indices(needle).map(|(at, _)| at).find(|&at| {
        let before = text[..at].bytes().next_back();
        let after = text[at + needle.len()..].bytes().next();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

fn assert_no_leak(outputs: &[(String, String)], needles: &[String]) {
    let mut leaks = Vec::new();
    for (name, text) in outputs {
        for needle in needles {
            if let Some(at) = find(text, needle) {
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(80)
                    .map_or(0, |(i, _)| i);
                let context = text[from..].chars().take(200).collect::<String>();
                leaks.push(format!("{name} contains {needle:?}: …{context}…"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

/// The client secret and Basic credentials in every form.
fn client_needles() -> Vec<String> {
    let mut needles = forms(SECRET);
    needles.extend(forms(&format!("{CLIENT_ID}:{SECRET}")));
    needles
}

#[test]
fn no_secret_reaches_any_output_through_a_target_file() {
    let providers = common::providers();
    let mut mocks = Vec::new();
    let mut target = String::new();
    for (provider, defects) in &providers {
        let (mock, url) = start_mock(provider, &[], defects);
        target.push_str(&entry(provider, &url));
        mocks.push(mock);
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("target.toml");
    std::fs::write(&file, target).unwrap();
    let reports = tmp.path().join("reports");
    let (code, outputs) = run_verbose(&["--target", file.to_str().unwrap()], &reports);
    assert_eq!(code, 1, "the defects were caught");

    let mut needles = client_needles();
    needles.extend(forms(PASSWORD));
    needles.extend(forms(SSO_SMS_CODE));
    needles.extend(issued_needles());
    assert_no_leak(&outputs, &needles);
    // The mock-only scenarios were skipped, visibly, against a real target.
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(summary.contains("@mock-only"), "{summary}");
}

/// A provider that hands out known secrets and echoes them where no field name warns of them.
async fn leaky(req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let cookie = (header::SET_COOKIE, format!("sid={LEAKY_COOKIE}; HttpOnly"));
    if path.ends_with("authorize") {
        let state = url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let mut location = url::Url::parse("http://127.0.0.1:9999/callback").unwrap();
        location
            .query_pairs_mut()
            .append_pair("code", LEAKY_CODE)
            .append_pair("state", &state);
        return (
            StatusCode::FOUND,
            [cookie, (header::LOCATION, location.to_string())],
        )
            .into_response();
    }
    let json = if path.contains("token") {
        serde_json::json!({
            "access_token": LEAKY_ACCESS_TOKEN, "token": LEAKY_ACCESS_TOKEN,
            "refresh_token": LEAKY_REFRESH_TOKEN, "token_type": "Bearer", "expires_in": 3600,
        })
    } else if path == "/sso/auth" {
        serde_json::json!({"authCode": LEAKY_AUTH_CODE})
    } else if path.contains("user") || path.contains("details") {
        serde_json::json!({"Verification": {"Password": LEAKY_PASSWORD, "Email": "a@b.example"}})
    } else {
        // A page that repeats what it was given and what it handed out.
        let page = format!(
            "<p>{path} saw {:?}; tokens {LEAKY_ACCESS_TOKEN} {LEAKY_REFRESH_TOKEN}, code \
             {LEAKY_CODE}, auth code {LEAKY_AUTH_CODE}, cookie {LEAKY_COOKIE}, password \
             {LEAKY_PASSWORD}</p>",
            req.headers().get(header::AUTHORIZATION)
        );
        return (
            StatusCode::BAD_REQUEST,
            [cookie, (header::CONTENT_TYPE, "text/html".to_owned())],
            page,
        )
            .into_response();
    };
    (StatusCode::OK, [cookie], axum::Json(json)).into_response()
}

#[test]
fn no_secret_a_leaky_provider_hands_out_reaches_any_output() {
    let url = common::serve(Router::new().fallback(leaky));
    let target: String = common::providers()
        .iter()
        .map(|(p, _)| entry(p, &url))
        .collect();
    let (code, outputs, _tmp) = run_target_text(&target);
    assert_eq!(code, 1, "the leaky provider fails checks");
    let mut needles = client_needles();
    for value in [
        LEAKY_ACCESS_TOKEN,
        LEAKY_REFRESH_TOKEN,
        LEAKY_CODE,
        LEAKY_AUTH_CODE,
        LEAKY_COOKIE,
        LEAKY_PASSWORD,
        SSO_SMS_CODE,
    ] {
        needles.extend(forms(value));
    }
    assert_no_leak(&outputs, &needles);
}

const FORM_ACCESS_TOKEN: &str = "FormAccess-Token-011";
const RENAMED_TOKEN: &str = "Renamed-Jwt-Token-012";

/// An authorization that redirects with a code, a token endpoint answering form-encoded
/// (losgehts' path), one answering JSON under a name a target file's dialect gave the token
/// field (oauth2's `/token`, `jwt`), and every other path a page repeating both tokens.
async fn token_leaky(req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if path.ends_with("authorize") {
        return common::authorize_redirect(
            req.uri(),
            "http://127.0.0.1:9999/callback",
            "form-test-code",
        );
    }
    if path == "/oauth/token" {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
            format!("access_token={FORM_ACCESS_TOKEN}&token_type=bearer"),
        )
            .into_response();
    }
    if path == "/token" {
        return axum::Json(serde_json::json!({"jwt": RENAMED_TOKEN, "token_type": "Bearer"}))
            .into_response();
    }
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/html")],
        format!("<p>{path}: {FORM_ACCESS_TOKEN} {RENAMED_TOKEN}</p>"),
    )
        .into_response()
}

#[test]
fn tokens_of_a_form_encoded_answer_or_a_renamed_token_field_reach_no_output() {
    let url = common::serve(Router::new().fallback(token_leaky));
    let target = format!(
        "{}{}\n[providers.oauth2.dialect]\naccess_token_field = \"jwt\"\n",
        entry("losgehts", &url),
        entry("oauth2", &url)
    );
    let (code, outputs, _tmp) = run_target_text(&target);
    assert_eq!(code, 1, "the provider fails checks");
    let mut needles = client_needles();
    needles.extend(forms(FORM_ACCESS_TOKEN));
    needles.extend(forms(RENAMED_TOKEN));
    assert_no_leak(&outputs, &needles);
}

/// Words of the reports' own syntax, handed out as cookie values (which the harness learns as
/// secrets): the reports stay valid and their verdicts readable, because values are masked
/// before the reports are serialized, never the serialized text.
async fn syntax_cookies(_req: Request) -> Response {
    let mut response = (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain")],
        "no",
    )
        .into_response();
    for (i, word) in [
        "passed",
        "failed",
        "skipped",
        "false",
        "true",
        "null",
        "testcase",
        "testsuite",
        "failure",
        "status",
        "scenarios",
        "provider",
        "&quot;",
        "</system-out>",
        "\"},{\"",
    ]
    .iter()
    .enumerate()
    {
        let value = header::HeaderValue::from_str(&format!("k{i}={word}")).unwrap();
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[test]
fn values_a_server_registers_as_secrets_never_break_a_report() {
    let url = common::serve(Router::new().fallback(syntax_cookies));
    let (code, _, tmp) = run_target_text(&entry("losgehts", &url));
    let reports = tmp.path().join("reports");
    assert_eq!(code, 1, "the provider fails checks");
    for name in ["results.json", "run.json", "cucumber.json"] {
        let text = std::fs::read_to_string(reports.join(name)).unwrap();
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
        assert!(parsed.is_ok(), "{name} is not JSON: {parsed:?}");
    }
    let results = common::results(&reports);
    assert!(
        results
            .iter()
            .all(|r| ["passed", "failed", "skipped"].contains(&r.status.as_str()))
    );
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    assert_eq!(
        junit.matches("<testcase ").count(),
        results.len(),
        "{junit}"
    );
    assert_eq!(
        junit.matches("<testsuite ").count(),
        junit.matches("</testsuite>").count(),
        "{junit}"
    );
    assert!(
        !junit.contains("<[REDACTED]") && !junit.contains("</[REDACTED]"),
        "{junit}"
    );
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(summary.contains("failed"), "{summary}");
}

#[test]
fn no_secret_of_the_embedded_mocks_reaches_any_output() {
    let mut args: Vec<String> = Vec::new();
    for (provider, defects) in common::providers() {
        // Every other defect: enough failures to render excerpts, not a run of only failures.
        for d in defects.iter().step_by(2) {
            args.push("--mock-defect".to_owned());
            args.push(format!("{provider}:{d}"));
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let tmp = tempfile::tempdir().unwrap();
    let (code, outputs) = run_verbose(&args, &tmp.path().join("reports"));
    assert_eq!(code, 1, "the defects were caught");
    let mut needles = embedded_needles();
    needles.extend(forms(PASSWORD));
    needles.extend(forms(SSO_SMS_CODE));
    needles.extend(issued_needles());
    assert_no_leak(&outputs, &needles);
}

/// LoginSign sends the client secret in HTTP Basic, the developer session in a cookie and the
/// access token as Bearer; defects make refusals, token answers, the profile and the webhook
/// fail, so failure excerpts with those requests are rendered; the deletion scenarios run against
/// the harness's webhook receiver on `webhook_listen`.
#[test]
fn no_loginsign_secret_reaches_any_output_with_app_access() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let webhook = format!("http://127.0.0.1:{port}/webhooks");
    let defects = [
        "refusals-not-json",
        "basic-failure-without-challenge",
        "token-type-not-bearer",
        "user-id-is-internal-id",
        "portal-session-not-checked",
    ]
    .map(str::to_owned);
    let (_mock, url) = start_mock("loginsign", &["--webhook-url", &webhook], &defects);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("target.toml");
    std::fs::write(
        &file,
        format!(
            "{}app_id = \"ls-conformance-app\"\n\
             developer_session_cookie_env = \"IDPC_TEST_DEV_SESSION\"\n\
             webhook_listen = \"127.0.0.1:{port}\"\n",
            entry("loginsign", &url)
        ),
    )
    .unwrap();
    let (code, outputs) = run_verbose(
        &["--target", file.to_str().unwrap()],
        &tmp.path().join("reports"),
    );
    assert_eq!(code, 1, "the defects were caught");
    let console = &outputs[0].1;
    assert!(
        console.contains("Authorization: [REDACTED]") && console.contains("Cookie: [REDACTED]"),
        "the failures show the masked credential headers:\n{console}"
    );
    let mut needles = client_needles();
    needles.extend(forms(DEV_COOKIE_VALUE));
    needles.extend(issued_needles());
    assert_no_leak(&outputs, &needles);
}

/// The end user's session cookie and the license codes exist only with the embedded mock
/// (@mock-only): its own run, with the redemption, the end-user routes and the refusals made to
/// fail, must not show them, nor the embedded mock's client secret and developer cookie.
#[test]
fn no_loginsign_secret_of_the_embedded_mock_reaches_any_output() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["--provider", "loginsign"];
    for d in [
        "loginsign:redemption-not-linked",
        "loginsign:user-licenses-need-developer-session",
        "loginsign:refusals-not-json",
        "loginsign:token-type-not-bearer",
    ] {
        args.extend(["--mock-defect", d]);
    }
    let (code, outputs) = run_verbose(&args, &tmp.path().join("reports"));
    assert_eq!(code, 1, "the defects were caught");
    let mut needles = embedded_needles();
    needles.extend(issued_needles());
    assert_no_leak(&outputs, &needles);
}
