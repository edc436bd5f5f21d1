//! losgehts' server-to-server GET to the callback URL, heard against a deployment through a
//! target file's `webhook_listen` (docs/target-files.md): the harness waits a bounded time for a
//! call carrying the authorization's state and checks its method and path. The standalone mock
//! stands in for the deployment; the test makes it notify (as a real one would on its own) while
//! the harness waits.

mod common;

use std::time::{Duration, Instant};

const SECRET: &str = "listener-test-secret-4711";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the notification scenario against a standalone mock with `defects`, making the mock
/// notify while the harness listens; returns the scenario's status and the run's output.
fn run_with(defects: &[&str], notify: bool) -> (String, String) {
    let port = free_port();
    let callback = format!("http://127.0.0.1:{port}/callback");
    let mut args = vec![
        "--client-secret-env",
        "IDPC_LISTENER_SECRET",
        "--redirect-uri",
    ];
    args.push(&callback);
    for d in defects {
        args.extend(["--defect", d]);
    }
    let mock = common::MockProcess::start("losgehts", &args, &[("IDPC_LISTENER_SECRET", SECRET)]);
    let tmp = tempfile::tempdir().unwrap();
    let target = common::target_file(
        tmp.path(),
        &format!(
            "[providers.losgehts]\nbase_url = \"{}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_LISTENER_SECRET\"\nredirect_uri = \"{callback}\"\n\
             webhook_listen = \"127.0.0.1:{port}\"\n",
            mock.url
        ),
    );
    let reports = tmp.path().join("r");
    let child = common::bin()
        .args(["run", "--no-color", "--tags", "@LG-022", "--target"])
        .arg(&target)
        .arg("--reports")
        .arg(&reports)
        .env("IDPC_LISTENER_SECRET", SECRET)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Until the run ends, the mock notifies about its latest authorization every 200 ms, as a
    // deployment would on its own: calls before the harness has authorized carry no state of
    // its and are not judged.
    let mut child = child;
    let started = Instant::now();
    let notify_url = format!("{}/__mock/notify-callback", mock.url);
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run did not end"
        );
        if notify {
            post(&notify_url);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let out = child.wait_with_output().unwrap();
    let text = common::text(&out);
    let results = common::results(&reports);
    assert_eq!(results.len(), 1, "{text}");
    (results[0].status.clone(), text)
}

/// A bare HTTP/1.1 POST (the tests speak plain HTTP to loopback): the answer's text.
fn post(url: &str) -> String {
    use std::io::{Read as _, Write as _};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let Ok(mut s) = std::net::TcpStream::connect(host) else {
        return String::new();
    };
    let _ = write!(
        s,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
}

#[test]
fn a_get_to_the_callback_passes_and_a_post_fails_within_the_wait() {
    let (status, text) = run_with(&[], true);
    assert_eq!(status, "passed", "{text}");
    let (status, text) = run_with(&["notification-not-get"], true);
    assert_eq!(status, "failed", "{text}");
    assert!(text.contains("not an HTTP GET"), "{text}");
    let (status, text) = run_with(&["notification-elsewhere"], true);
    assert_eq!(status, "failed", "{text}");
}

#[test]
fn no_notification_within_the_wait_breaks_nothing() {
    // The document says the provider "may" notify.
    let started = Instant::now();
    let (status, text) = run_with(&[], false);
    assert_eq!(status, "passed", "{text}");
    assert!(
        started.elapsed() >= Duration::from_secs(10),
        "the harness waited"
    );
}
