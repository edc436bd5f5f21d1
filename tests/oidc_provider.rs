//! The generic provider against a real, widely used, independently written server: panva's
//! `oidc-provider` (npm, pinned by `tests/oidc-provider/package-lock.json`, installed by
//! `.ci/run` with `npm ci`). `tests/oidc-provider/server.js` signs a fixed test user in through
//! its own interaction (cookies and 303 redirects, about five hops), so the default
//! redirect-capture strategy must follow them. The target file names only the issuer, its
//! metadata URL, the client and `default_scope`: discovery fills the endpoints, the client
//! authentication, PKCE (S256), refresh tokens and RFC 9207; a second registered client checks
//! that grants are bound to their client.
//!
//! Conforming, every generic scenario runs and passes. With one behaviour loosened (the
//! server's own default `allowOmittingSingleRegisteredRedirectUri`, which takes a token
//! request without the redirect_uri its authorization request carried), exactly the scenario of
//! that rule fails. Without node or without `node_modules`, the tests skip with a notice.

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SECRET: &str = "oidc-provider-test-client-secret-3141";

fn fixture() -> PathBuf {
    common::root().join("tests/oidc-provider")
}

/// Why the server cannot run here, if it cannot.
fn missing() -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node is not installed".to_owned());
    }
    if !fixture().join("node_modules/oidc-provider").is_dir() {
        return Some(format!(
            "{}/node_modules is missing (run `npm ci` there, as .ci/run does)",
            fixture().display()
        ));
    }
    None
}

/// Prints why the tests skip, if they must: to stderr itself, so `cargo test` shows it (its
/// capture takes only the print macros).
fn skip() -> bool {
    use std::io::Write as _;
    let Some(why) = missing() else {
        return false;
    };
    let _ = writeln!(
        std::io::stderr(),
        "skipped: the oidc-provider tests ({why}): nothing was checked against a real server"
    );
    true
}

/// The server on a free port, killed when dropped.
struct Server {
    child: Child,
    issuer: String,
}

impl Server {
    fn start(loose: bool) -> Self {
        let port = common::free_port();
        let mut cmd = Command::new("node");
        cmd.arg(fixture().join("server.js"))
            .arg(port.to_string())
            .arg(SECRET)
            .current_dir(fixture())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if loose {
            cmd.arg("loose");
        }
        let mut child = cmd.spawn().expect("node starts");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Whatever it prints later is read and dropped: a closed pipe would end the server.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let issuer = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the server did not start: {line:?}"))
            .to_owned();
        Self { child, issuer }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs every oauth2 scenario against `server`, configured by a target file alone.
fn run(server: &Server, dir: &Path) -> (std::process::Output, Vec<common::ScenarioResult>) {
    let issuer = &server.issuer;
    let target = common::target_file(
        dir,
        &format!(
            "[providers.oauth2]\nbase_url = \"{issuer}\"\nissuer = \"{issuer}\"\n\
             metadata_url = \"{issuer}/.well-known/openid-configuration\"\n\
             client_id = \"conformance-client\"\nclient_secret_env = \"IDPC_OIDC_SECRET\"\n\
             second_client_id = \"conformance-second-client\"\n\
             second_client_secret_env = \"IDPC_OIDC_SECOND_SECRET\"\n\
             redirect_uri = \"http://127.0.0.1:9/callback\"\n\n\
             [providers.oauth2.dialect]\ndefault_scope = \"openid\"\n"
        ),
    );
    let reports = dir.join("r");
    let out = common::bin()
        .args(["run", "--no-color", "--provider", "oauth2", "--target"])
        .arg(&target)
        .arg("--reports")
        .arg(&reports)
        .env("IDPC_OIDC_SECRET", SECRET)
        .env("IDPC_OIDC_SECOND_SECRET", format!("{SECRET}-second"))
        .output()
        .unwrap();
    let results = common::results(&reports);
    (out, results)
}

fn oauth2_scenarios() -> usize {
    let dir = common::root().join("features/oauth2");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .map(|text| {
            text.lines()
                .filter(|l| l.trim_start().starts_with("Scenario"))
                .count()
        })
        .sum()
}

#[test]
fn every_generic_scenario_passes_against_oidc_provider() {
    if skip() {
        return;
    }
    let server = Server::start(false);
    let tmp = tempfile::tempdir().unwrap();
    let (out, results) = run(&server, tmp.path());
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    assert_eq!(results.len(), oauth2_scenarios(), "{results:?}");
    let not_passed: Vec<_> = results.iter().filter(|r| r.status != "passed").collect();
    assert!(not_passed.is_empty(), "{not_passed:?}");
}

#[test]
fn a_loosened_oidc_provider_fails_exactly_the_scenario_of_its_rule() {
    if skip() {
        return;
    }
    let server = Server::start(true);
    let tmp = tempfile::tempdir().unwrap();
    let (out, results) = run(&server, tmp.path());
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r.status != "passed")
        .map(|r| r.scenario.as_str())
        .collect();
    assert_eq!(
        failed,
        ["A token request without the redirect URI the authorization request carried is refused"],
        "{}",
        common::text(&out)
    );
}
