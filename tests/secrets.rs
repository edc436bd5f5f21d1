//! Secrets never reach any output. The harness runs against a standalone mock through a target
//! file (the path a real deployment takes) with a known client secret, some scenarios made to
//! fail so that failure excerpts are rendered, and every byte of console output and every report
//! is searched for the secret, the mock's password, session cookies, and any code or token the
//! mock issued (they carry recognisable prefixes), in plain and base64 forms.

mod common;

use std::path::Path;

use base64::Engine as _;

const SECRET: &str = "Known-Client-Secret-4711";
const PASSWORD: &str = "asdsad2132132";
/// LoginSign's developer portal session cookie, as the browser sends it.
const DEV_COOKIE_VALUE: &str = "Known-Developer-Session-0815";

/// Starts `idp-conformance mock PROVIDER` with the known secrets, `args` and the defects.
fn start_mock(provider: &str, args: &[&str], defects: &[&str]) -> (common::MockProcess, String) {
    let mut all: Vec<&str> = vec![
        "--client-secret-env",
        "IDPC_TEST_SECRET",
        "--developer-session-env",
        "IDPC_TEST_DEV_SESSION",
    ];
    all.extend_from_slice(args);
    for d in defects {
        all.extend_from_slice(&["--defect", d]);
    }
    let cookie = format!("ls_dev={DEV_COOKIE_VALUE}");
    let envs = [
        ("IDPC_TEST_SECRET", SECRET),
        ("IDPC_TEST_DEV_SESSION", cookie.as_str()),
    ];
    common::start_mock(provider, &all, &envs)
}

/// Runs the suite at -vv with debug logging against `target` (a target file's text); returns
/// the console output and every report, by name.
fn run_against(dir: &Path, target: &str) -> Vec<(String, String)> {
    let path = dir.join("target.toml");
    std::fs::write(&path, target).unwrap();
    let reports = dir.join("reports");
    let out = common::bin()
        .args([
            "run",
            "--target",
            path.to_str().unwrap(),
            "-vv",
            "--no-color",
            "--reports",
        ])
        .arg(&reports)
        .env("IDPC_TEST_SECRET", SECRET)
        .env(
            "IDPC_TEST_DEV_SESSION",
            format!("ls_dev={DEV_COOKIE_VALUE}"),
        )
        .env("RUST_LOG", "idp_conformance=debug")
        .output()
        .unwrap();
    let outputs = outputs_of(&out, &reports);
    // The mock-only scenarios were skipped, visibly, against a real target.
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(summary.contains("@mock-only"), "{summary}");
    outputs
}

/// The console output of a run whose defects were caught, and every report it wrote, by name.
fn outputs_of(out: &std::process::Output, reports: &Path) -> Vec<(String, String)> {
    assert_eq!(
        common::code(out),
        1,
        "defects were caught:\n{}",
        common::text(out)
    );
    let mut outputs = vec![("console".to_owned(), common::text(out))];
    for entry in std::fs::read_dir(reports).unwrap() {
        let path = entry.unwrap().path();
        outputs.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    assert!(outputs.len() >= 5, "console + 4 reports");
    outputs
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn assert_absent(outputs: &[(String, String)], needles: &[String]) {
    let mut leaks = Vec::new();
    for (name, text) in outputs {
        for needle in needles {
            if text.contains(needle.as_str()) {
                leaks.push(format!("{name} contains {needle:?}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

#[test]
fn no_secret_appears_in_console_output_logs_or_reports() {
    let (_mock, url) = start_mock(
        "losgehts",
        &[],
        &[
            "code-reusable",
            "wrong-secret-accepted",
            "oauth-state-mismatch",
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    let outputs = run_against(
        tmp.path(),
        &format!(
            "[providers.losgehts]\nbase_url = \"{url}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_TEST_SECRET\"\nredirect_uri = \"http://127.0.0.1:9999/callback\"\n"
        ),
    );
    let needles = [
        SECRET.to_owned(),
        b64(SECRET),
        b64(&format!("40:{SECRET}")),
        PASSWORD.to_owned(),
        "lgt_code_".to_owned(),
        "lgt_at_".to_owned(),
        "lgt_rt_".to_owned(),
    ];
    assert_absent(&outputs, &needles);
}

/// LoginSign sends the client secret in HTTP Basic, the developer session in a cookie and the
/// access token as Bearer; defects make refusals, token answers, the profile and the webhook
/// fail, so failure excerpts with those requests are rendered; the deletion scenarios run against
/// the harness's webhook receiver on `webhook_listen`.
#[test]
fn no_loginsign_secret_appears_in_console_output_logs_or_reports() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let webhook = format!("http://127.0.0.1:{port}/webhooks");
    let (_mock, url) = start_mock(
        "loginsign",
        &["--webhook-url", &webhook],
        &[
            "refusals-not-json",
            "basic-failure-without-challenge",
            "token-type-not-bearer",
            "user-id-is-internal-id",
            "portal-session-not-checked",
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    let outputs = run_against(
        tmp.path(),
        &format!(
            "[providers.loginsign]\nbase_url = \"{url}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_TEST_SECRET\"\nredirect_uri = \"http://127.0.0.1:9999/callback\"\n\
             app_id = \"ls-conformance-app\"\ndeveloper_session_cookie_env = \"IDPC_TEST_DEV_SESSION\"\n\
             webhook_listen = \"127.0.0.1:{port}\"\n"
        ),
    );
    let console = &outputs[0].1;
    assert!(
        console.contains("Authorization: [REDACTED]") && console.contains("Cookie: [REDACTED]"),
        "the failures show the masked credential headers:\n{console}"
    );
    let needles = [
        SECRET.to_owned(),
        b64(SECRET),
        b64(&format!("40:{SECRET}")),
        DEV_COOKIE_VALUE.to_owned(),
        b64(DEV_COOKIE_VALUE),
        "ls_code_".to_owned(),
        "ls_at_".to_owned(),
        "ls_rt_".to_owned(),
    ];
    assert_absent(&outputs, &needles);
}

/// The end user's session cookie and the license codes exist only with the embedded mock
/// (@mock-only): its own run, with the redemption, the end-user routes and the refusals made to
/// fail, must not show them, nor the embedded mock's client secret and developer cookie.
#[test]
fn no_loginsign_secret_of_the_embedded_mock_appears_in_any_output() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let out = common::bin()
        .args(["run", "--provider", "loginsign", "-vv", "--no-color"])
        .args(["--mock-defect", "loginsign:redemption-not-linked"])
        .args([
            "--mock-defect",
            "loginsign:user-licenses-need-developer-session",
        ])
        .args(["--mock-defect", "loginsign:refusals-not-json"])
        .args(["--mock-defect", "loginsign:token-type-not-bearer"])
        .arg("--reports")
        .arg(&reports)
        .env("RUST_LOG", "idp_conformance=debug")
        .output()
        .unwrap();
    let outputs = outputs_of(&out, &reports);
    let needles: Vec<String> = [
        "mock-secret-",
        "lsdev_",
        "lsusr_",
        "ls_lic_",
        "ls_code_",
        "ls_at_",
        "ls_rt_",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_absent(&outputs, &needles);
}
