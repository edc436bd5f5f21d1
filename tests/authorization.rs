//! The authorization strategies against a standalone mock, through a target file: a test client
//! plays the person at the browser for the callback listener, a shell script plays a team's
//! browser automation for the command strategy, pre-obtained redirect URLs feed the env strategy,
//! and "none" skips what needs a person, visibly.

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};

const SECRET: &str = "authorization-test-secret-4242";

fn mock(redirect_uri: &str) -> common::MockProcess {
    common::MockProcess::start(
        "losgehts",
        &[
            "--client-secret-env",
            "IDPC_AUTH_SECRET",
            "--redirect-uri",
            redirect_uri,
        ],
        &[("IDPC_AUTH_SECRET", SECRET)],
    )
}

/// A losgehts target file whose authorization is `strategy` (TOML lines of the table).
fn target(dir: &Path, base_url: &str, redirect_uri: &str, strategy: &str) -> std::path::PathBuf {
    common::target_file(
        dir,
        &format!(
            "[providers.losgehts]\nbase_url = \"{base_url}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_AUTH_SECRET\"\nredirect_uri = \"{redirect_uri}\"\n\n\
             [providers.losgehts.authorization]\n{strategy}\n"
        ),
    )
}

fn run(target: &Path, reports: &Path, tags: &str) -> std::process::Command {
    let mut cmd = common::bin();
    cmd.args(["run", "--no-color", "--tags", tags, "--target"])
        .arg(target)
        .arg("--reports")
        .arg(reports)
        .env("IDPC_AUTH_SECRET", SECRET);
    cmd
}

fn statuses(reports: &Path) -> (usize, usize, usize) {
    let results = common::results(reports);
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    (count("passed"), count("failed"), count("skipped"))
}

/// A mock whose registered redirect URI is a free loopback port, and a target file with the
/// callback-listener strategy on it: (mock, folder, target file, redirect URI).
fn callback_setup(
    timeout_secs: u64,
) -> (
    common::MockProcess,
    tempfile::TempDir,
    std::path::PathBuf,
    String,
) {
    let port = common::free_port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let mock = mock(&redirect_uri);
    let tmp = tempfile::tempdir().unwrap();
    let strategy = format!("strategy = \"callback-listener\"\ntimeout_secs = {timeout_secs}");
    let target = target(tmp.path(), &mock.url, &redirect_uri, &strategy);
    (mock, tmp, target, redirect_uri)
}

#[test]
fn the_callback_listener_captures_what_the_person_completes() {
    let (_mock, tmp, target, redirect_uri) = callback_setup(30);
    let reports = tmp.path().join("r");
    let mut child = run(&target, &reports, "@needs-authorization and not @mock-only")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The person: reads each prompt, "signs in" at the mock (which approves at once), and lets
    // the browser follow the redirect to the listener.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut completed = 0;
    let mut transcript = String::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        transcript.push_str(&line);
        transcript.push('\n');
        let Some(url) = line.split("Open in a browser: ").nth(1) else {
            continue;
        };
        let (status, location) = common::http_get(url.trim());
        assert_eq!(status, 302, "the mock approves: {line}");
        let location = location.expect("a redirect to the callback");
        assert!(location.starts_with(&redirect_uri), "{location}");
        let (status, _) = common::http_get(&location);
        assert_eq!(status, 200, "the listener takes the redirect");
        completed += 1;
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{transcript}");
    let (passed, failed, _) = statuses(&reports);
    assert_eq!(failed, 0);
    assert!(passed >= 20, "{passed} passed");
    // One prompt per scenario: each needs one authorization of its own.
    assert_eq!(completed, passed, "{transcript}");
    assert!(transcript.contains("waiting up to 30 s"), "{transcript}");
}

#[test]
fn a_person_who_never_comes_is_an_environment_error() {
    let (_mock, tmp, target, _) = callback_setup(1);
    let out: Output = run(
        &target,
        &tmp.path().join("r"),
        "@needs-redirect and @interpretation",
    )
    .output()
    .unwrap();
    assert_eq!(common::code(&out), 3, "{}", common::text(&out));
    assert!(
        common::text(&out).contains("no redirect reached the callback listener"),
        "{}",
        common::text(&out)
    );
}

/// Plays a team's browser automation: GETs the authorize URL (its last argument) without
/// following the redirect and prints the Location it answered with.
const FAKE_BROWSER: &str = r#"#!/usr/bin/env bash
set -eu
url="$1"
[ "$url" = "$IDP_CONFORMANCE_AUTHORIZE_URL" ] || { echo "the URL differs from the variable" >&2; exit 4; }
rest="${url#http://}"
hostport="${rest%%/*}"
exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
printf 'GET /%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "${rest#*/}" "$hostport" >&3
echo "signing in..."
while IFS= read -r line <&3; do
  line="${line%$'\r'}"
  [ -z "$line" ] && break
  case "${line,,}" in location:*) echo "${line#*: }" ;; esac
done
"#;

#[test]
fn a_command_completes_the_authorization_and_prints_the_redirect() {
    let redirect_uri = "http://127.0.0.1:9/callback";
    let mock = mock(redirect_uri);
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("browser.sh");
    std::fs::write(&script, FAKE_BROWSER).unwrap();
    let target = target(
        tmp.path(),
        &mock.url,
        redirect_uri,
        "strategy = \"command\"\ncommand = [\"bash\", \"browser.sh\"]\ntimeout_secs = 20",
    );
    // The script's path is relative to the target file: run from elsewhere.
    let reports = tmp.path().join("r");
    let out = run(&target, &reports, "@needs-redirect").output().unwrap();
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let (passed, failed, _) = statuses(&reports);
    assert!(passed >= 5 && failed == 0, "{passed} passed");

    // A command that fails says so, with the end of its stderr: an environment error.
    std::fs::write(&script, "echo 'no browser here' >&2; exit 1\n").unwrap();
    let out = run(
        &target,
        &tmp.path().join("r2"),
        "@needs-redirect and @interpretation",
    )
    .output()
    .unwrap();
    assert_eq!(common::code(&out), 3, "{}", common::text(&out));
    let text = common::text(&out);
    assert!(
        text.contains("exited with") && text.contains("no browser here"),
        "{text}"
    );
}

/// A program path in `command` is relative to the target file, also when `--target` itself is a
/// relative path (the command runs in the target file's folder: `targets/./browser.sh` from
/// there named a file that does not exist), from any working directory (the contract is the
/// one built into the binary).
#[test]
fn a_command_path_is_found_from_a_relative_target_path() {
    use std::os::unix::fs::PermissionsExt as _;
    let redirect_uri = "http://127.0.0.1:9/callback";
    let mock = mock(redirect_uri);
    let tmp = tempfile::tempdir().unwrap();
    let targets = tmp.path().join("targets");
    std::fs::create_dir(&targets).unwrap();
    let script = targets.join("browser.sh");
    std::fs::write(&script, FAKE_BROWSER).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = target(
        &targets,
        &mock.url,
        redirect_uri,
        "strategy = \"command\"\ncommand = [\"./browser.sh\"]\ntimeout_secs = 20",
    );
    let name = file.file_name().unwrap().to_str().unwrap();
    std::fs::create_dir(tmp.path().join("elsewhere")).unwrap();
    // From three working directories: above the target file's folder, in it, and beside it.
    for (cwd, relative) in [
        ("", format!("targets/{name}")),
        ("targets", format!("./{name}")),
        ("elsewhere", format!("../targets/{name}")),
    ] {
        let cwd = tmp.path().join(cwd);
        let out = run(Path::new(&relative), Path::new("r"), "@needs-redirect")
            .current_dir(&cwd)
            .output()
            .unwrap();
        assert_eq!(
            common::code(&out),
            0,
            "from {}: {}",
            cwd.display(),
            common::text(&out)
        );
        let (passed, failed, _) = statuses(&cwd.join("r"));
        assert!(
            passed >= 5 && failed == 0,
            "from {}: {passed} passed",
            cwd.display()
        );
    }
}

#[test]
fn supplied_codes_run_as_many_scenarios_as_there_are_codes_and_skip_the_rest() {
    let redirect_uri = "http://127.0.0.1:9/callback";
    let mock = mock(redirect_uri);
    // Obtained before the run, as a person would: the URLs the browser ended at.
    let urls: Vec<String> = (0..2)
        .map(|i| {
            let url = format!(
                "{}/oauth/authorize?client_id=40&state=person-{i}&scope=kyc&locale=de",
                mock.url
            );
            common::http_get(&url).1.expect("the mock redirects")
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let target = target(
        tmp.path(),
        &mock.url,
        redirect_uri,
        "strategy = \"env\"\ncodes_env = \"IDPC_CODES\"",
    );
    let reports = tmp.path().join("r");
    let out = run(&target, &reports, "@needs-authorization and not @mock-only")
        .env("IDPC_CODES", urls.join("\n"))
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let (passed, failed, skipped) = statuses(&reports);
    assert_eq!((passed, failed), (2, 0), "one scenario per code");
    assert!(skipped > 10);
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(
        summary.contains("$IDPC_CODES went to other scenarios"),
        "{summary}"
    );
    assert!(summary.contains("@needs-redirect"), "{summary}");
    for url in &urls {
        let code = url
            .split("code=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        assert!(!common::text(&out).contains(code), "codes are secrets");
        assert!(!summary.contains(code), "codes are secrets");
    }
}

#[test]
fn a_target_without_a_way_to_authorize_skips_what_needs_one_and_says_why() {
    let mock = mock("http://127.0.0.1:9/callback");
    let tmp = tempfile::tempdir().unwrap();
    let target = target(
        tmp.path(),
        &mock.url,
        "http://127.0.0.1:9/callback",
        "strategy = \"none\"",
    );
    let reports = tmp.path().join("r");
    let out = run(&target, &reports, "@losgehts").output().unwrap();
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let results = common::results(&reports);
    let skipped_for_authorization = results
        .iter()
        .filter(|r| r.status == "skipped")
        .filter(|r| r.scenario.contains("code") || r.file.contains("token"))
        .count();
    assert!(skipped_for_authorization > 0);
    assert!(
        results
            .iter()
            .any(|r| r.status == "passed" && r.file.contains("authorization_required_parameters")),
        "what needs no person still runs"
    );
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(
        summary.contains("authorization strategy is \"none\""),
        "{summary}"
    );
    // The CI job summary: the verdict, and the skips grouped by reason.
    insta::with_settings!({filters => vec![
        (r"Target: .*target\.toml", "Target: [TARGET]"),
        (r"Started \S+ · [\d.]+ s · idp-conformance \S+", "Started [TIME] · [DURATION] · idp-conformance [VERSION]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
    ]}, {
        insta::assert_snapshot!("summary_with_skips", summary);
    });
}
