//! An interrupted run still writes the reports of what ran, marked incomplete, and exits 4:
//! Ctrl-C (SIGINT) sent to a run held up by a slow target, and `--max-duration`. The slow target
//! (written here) answers the authorization endpoint at once and never answers anything else,
//! so the scenarios that only authorize finish and the others hang until the run is stopped.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Requests the slow target answered (authorize) and holds unanswered (everything else).
struct Seen {
    answered: AtomicUsize,
    held: AtomicUsize,
}

/// Serves the slow target; returns its base URL.
fn slow_target(seen: &'static Seen) -> String {
    common::serve(Router::new().fallback(move |req: Request| slow(seen, req)))
}

async fn slow(seen: &'static Seen, req: Request) -> Response {
    if !req.uri().path().ends_with("authorize") {
        seen.held.fetch_add(1, Ordering::SeqCst);
        futures::future::pending::<()>().await;
    }
    seen.answered.fetch_add(1, Ordering::SeqCst);
    let state = url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut location = url::Url::parse("https://app.example/cb").unwrap();
    location
        .query_pairs_mut()
        .append_pair("code", "slow-code-0001")
        .append_pair("state", &state);
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// Starts `idp-conformance run` against the slow target (losgehts, a 60-second timeout), with
/// a stale cucumber.json in its reports folder.
fn start(url: &str, extra: &[&str], dir: &Path) -> (Child, PathBuf) {
    let target = dir.join("target.toml");
    std::fs::write(
        &target,
        format!(
            "[settings]\ntimeout_secs = 60\n\n[providers.losgehts]\nbase_url = \"{url}\"\n\
             client_id = \"40\"\nclient_secret_env = \"IDPC_SLOW_SECRET\"\n\
             redirect_uri = \"https://app.example/cb\"\n"
        ),
    )
    .unwrap();
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::write(reports.join("cucumber.json"), "[\"a previous run\"]").unwrap();
    let child = common::bin()
        .args(["run", "--no-color", "--jobs", "64", "--target"])
        .arg(&target)
        .arg("--reports")
        .arg(&reports)
        .args(extra)
        .env("IDPC_SLOW_SECRET", "slow-client-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, reports)
}

/// Waits for the run to end, at most `bound`.
fn finish(child: Child, bound: Duration) -> Output {
    let pid = child.id();
    let started = Instant::now();
    let waiter = std::thread::spawn(move || child.wait_with_output().unwrap());
    while !waiter.is_finished() {
        if started.elapsed() > bound {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("the run did not end within {bound:?} of being stopped");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    waiter.join().unwrap()
}

/// Every report of an interrupted run says so, and lists every scenario: those that finished
/// with their verdict, the others as skipped (not finished). Returns the banner line.
fn assert_incomplete(out: &Output, reports: &Path, why: &str) -> String {
    let text = common::text(out);
    assert_eq!(common::code(out), 4, "{text}");
    assert!(!text.contains("panicked at"), "{text}");
    let banner = text
        .lines()
        .find(|l| l.starts_with("INCOMPLETE RUN: "))
        .unwrap_or_else(|| panic!("no banner on the console:\n{text}"))
        .to_owned();
    assert!(banner.contains(why), "{banner}");

    let results = common::results(reports);
    let finished = results.iter().filter(|r| r.status != "skipped").count();
    let unfinished: Vec<_> = results
        .iter()
        .filter(|r| r.status == "skipped")
        .filter_map(|r| r.skip_reason.as_deref())
        .filter(|reason| reason.starts_with("not finished: the run was "))
        .collect();
    assert!(
        finished > 0,
        "the authorize-only scenarios finished:\n{text}"
    );
    assert!(
        !unfinished.is_empty(),
        "the held scenarios are listed:\n{text}"
    );
    assert!(unfinished.iter().all(|r| r.contains(why)), "{unfinished:?}");

    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(summary.contains(&format!("> **{banner}**")), "{summary}");
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    assert_eq!(
        junit.matches("<testcase ").count(),
        results.len(),
        "{junit}"
    );
    assert!(junit.contains("<property name=\"incomplete\""), "{junit}");
    assert!(
        !reports.join("cucumber.json").exists(),
        "a stale cucumber.json would pass for this run's"
    );
    banner
}

fn snapshot_banner(banner: &str) {
    insta::with_settings!({filters => vec![
        (r"after \d+\.\d s", "after [T] s"),
        (r"\d+ of \d+ selected", "[N] of [M] selected"),
    ]}, {
        insta::assert_snapshot!("ctrl_c_banner", banner);
    });
}

/// Waits until scenarios hang on the target and the authorize-only ones have had their answer.
fn wait_until_held(seen: &Seen) {
    let started = Instant::now();
    let mut last = (usize::MAX, Instant::now());
    loop {
        let answered = seen.answered.load(Ordering::SeqCst);
        if answered != last.0 {
            last = (answered, Instant::now());
        }
        let held = seen.held.load(Ordering::SeqCst);
        if held > 0 && answered > 0 && last.1.elapsed() > Duration::from_millis(500) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run never reached the slow target"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(signal: &str, child: &Child) {
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn ctrl_c_writes_the_reports_of_what_ran_marked_incomplete() {
    static SEEN: Seen = Seen {
        answered: AtomicUsize::new(0),
        held: AtomicUsize::new(0),
    };
    let url = slow_target(&SEEN);
    let dir = tempfile::tempdir().unwrap();
    let (child, reports) = start(&url, &[], dir.path());
    wait_until_held(&SEEN);
    send("-INT", &child);
    let out = finish(child, Duration::from_secs(10));
    let banner = assert_incomplete(&out, &reports, "interrupted by Ctrl-C (SIGINT)");
    snapshot_banner(&banner);
}

/// A CI job cancelled or timed out sends SIGTERM; a closed terminal SIGHUP: the reports of what
/// ran are written, marked incomplete, as for Ctrl-C.
#[test]
fn sigterm_and_sighup_write_the_reports_of_what_ran_marked_incomplete() {
    static SEEN: Seen = Seen {
        answered: AtomicUsize::new(0),
        held: AtomicUsize::new(0),
    };
    let url = slow_target(&SEEN);
    for (signal, why) in [
        ("-TERM", "stopped by SIGTERM"),
        ("-HUP", "stopped by SIGHUP"),
    ] {
        SEEN.answered.store(0, Ordering::SeqCst);
        SEEN.held.store(0, Ordering::SeqCst);
        let dir = tempfile::tempdir().unwrap();
        let (child, reports) = start(&url, &[], dir.path());
        wait_until_held(&SEEN);
        send(signal, &child);
        let out = finish(child, Duration::from_secs(10));
        assert_incomplete(&out, &reports, why);
    }
}

/// A run that stops before its reports (an unreachable target) leaves none of the previous
/// run's either: nothing in the folder passes for this run's verdict.
#[test]
fn a_run_that_ends_without_reports_leaves_no_earlier_run_in_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (child, reports) = start(&format!("http://127.0.0.1:{port}"), &[], dir.path());
    for name in [
        "junit.xml",
        "results.json",
        "summary.md",
        "index.html",
        "run.json",
    ] {
        std::fs::write(reports.join(name), "all passed, yesterday").unwrap();
    }
    let out = finish(child, Duration::from_secs(30));
    assert_eq!(common::code(&out), 3, "{}", common::text(&out));
    let left: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Two runs never write into one folder at once: the second is refused, naming the folder.
#[test]
fn a_second_run_into_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let lock = std::fs::File::create(reports.join(".lock")).unwrap();
    lock.lock().unwrap();
    let out = common::bin()
        .args(["run", "--no-color", "--provider", "oauth2", "--reports"])
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
    assert!(
        common::text(&out).contains("another run is writing its reports there"),
        "{}",
        common::text(&out)
    );
    drop(lock);
    let out = common::bin()
        .args(["run", "--no-color", "--provider", "oauth2", "--reports"])
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
}

#[test]
fn max_duration_stops_the_run_and_writes_the_reports_of_what_ran() {
    static SEEN: Seen = Seen {
        answered: AtomicUsize::new(0),
        held: AtomicUsize::new(0),
    };
    let url = slow_target(&SEEN);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (child, reports) = start(&url, &["--max-duration", "3s"], dir.path());
    let out = finish(child, Duration::from_secs(30));
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert_incomplete(&out, &reports, "stopped by --max-duration 3s");
}

/// Reports of a "previous run" planted in `reports`, each saying so.
fn plant_previous_run(reports: &Path) -> Vec<&'static str> {
    let names = vec![
        "junit.xml",
        "results.json",
        "summary.md",
        "index.html",
        "run.json",
        "cucumber.json",
    ];
    std::fs::create_dir_all(reports).unwrap();
    for name in &names {
        std::fs::write(reports.join(name), "all passed, yesterday").unwrap();
    }
    names
}

/// The files in `reports` a reader could take for a report: every one but the `.lock`.
fn files_in(reports: &Path) -> Vec<String> {
    std::fs::read_dir(reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock")
        .collect()
}

/// SIGKILL cannot be caught: a killed run writes nothing more, and the folder holds none of the
/// previous run's reports either (the run removed them before its first scenario), nor a
/// temporary file.
#[test]
fn a_killed_run_leaves_no_earlier_run_in_the_folder() {
    static SEEN: Seen = Seen {
        answered: AtomicUsize::new(0),
        held: AtomicUsize::new(0),
    };
    let url = slow_target(&SEEN);
    let dir = tempfile::tempdir().unwrap();
    plant_previous_run(&dir.path().join("reports"));
    let (child, reports) = start(&url, &[], dir.path());
    wait_until_held(&SEEN);
    send("-KILL", &child);
    let out = finish(child, Duration::from_secs(10));
    assert_eq!(out.status.code(), None, "killed by the signal");
    let left = files_in(&reports);
    assert!(left.is_empty(), "{left:?}");
}

/// A disk that fills up while the reports are written: the run fails naming the report it
/// could not write, leaves no temporary file, and nothing of the previous run. The full disk is
/// simulated without privileges by the run's file size limit (RLIMIT_FSIZE, 16 KiB, SIGXFSZ
/// ignored): a write past it fails part-way, as one on a full file system does (EFBIG there,
/// ENOSPC here).
#[test]
fn a_full_disk_leaves_this_run_s_reports_or_none_and_no_temporary_file() {
    use std::os::unix::process::CommandExt as _;
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let planted = plant_previous_run(&reports);
    let mut cmd = common::bin();
    cmd.args(["run", "--no-color", "--provider", "oauth2", "--reports"])
        .arg(&reports);
    // SAFETY: between fork and exec only async-signal-safe calls (setrlimit, signal).
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 16 * 1024,
                rlim_max: 16 * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let text = common::text(&out);
    assert_eq!(common::code(&out), 2, "{text}");
    assert!(text.contains("cannot write"), "{text}");
    let left = files_in(&reports);
    assert!(!left.iter().any(|n| n.ends_with(".tmp")), "{left:?}");
    for name in planted {
        if let Ok(report) = std::fs::read_to_string(reports.join(name)) {
            assert_ne!(
                report, "all passed, yesterday",
                "{name} is the previous run's"
            );
        }
    }
    // At least one report was too large to write: the run did not pass for complete.
    assert!(left.len() < 6, "every report was written: {left:?}");
}
