//! Deterministic verdicts: the whole suite, run 50 times against the embedded mocks, gives the
//! same verdict every time (the same status for every scenario, the same exit code), and so do
//! 10 runs against mocks started with a fixed set of defects, where the failing step of every
//! failed scenario must be the same too. Two runs go at once, so timing varies between runs
//! more than it would one after another. `IDPC_DETERMINISM_RUNS` changes the count of clean
//! runs (e.g. 500 to hunt a rare race).

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Clean runs, and runs with defects.
const RUNS: usize = 50;
const DEFECT_RUNS: usize = 10;

/// A run's verdict: its exit code, and per scenario (`file:line`) its status and, for a failed
/// one, the failing step (the first line of the failure, which holds no generated value).
type Verdict = (i32, BTreeMap<String, String>);

fn verdict(args: &[String]) -> Verdict {
    let tmp = tempfile::tempdir().unwrap();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run(&args, tmp.path());
    let code = common::code(&out);
    assert!(
        code == 0 || code == 1,
        "exit {code}:\n{}",
        common::text(&out)
    );
    let text = std::fs::read_to_string(tmp.path().join("results.json")).unwrap();
    let results: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let scenarios = results
        .iter()
        .map(|r| {
            let key = format!("{}:{}", r["file"].as_str().unwrap(), r["line"]);
            let failing_step = r["failure"]
                .as_str()
                .and_then(|f| f.lines().next())
                .unwrap_or_default();
            let status = format!("{} {failing_step}", r["status"].as_str().unwrap());
            (key, status.trim_end().to_owned())
        })
        .collect();
    (code, scenarios)
}

/// Runs the suite `runs` times with `args`, two at once, and asserts every verdict is the first.
fn assert_same_verdict(args: &[String], runs: usize) -> Verdict {
    let verdicts: Mutex<Vec<Verdict>> = Mutex::default();
    let next = Mutex::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    {
                        let mut n = next.lock().unwrap();
                        if *n == runs {
                            break;
                        }
                        *n += 1;
                    }
                    let v = verdict(args);
                    verdicts.lock().unwrap().push(v);
                }
            });
        }
    });
    let verdicts = verdicts.into_inner().unwrap();
    let first = verdicts[0].clone();
    for (i, v) in verdicts.iter().enumerate().skip(1) {
        let differing: Vec<String> = first
            .1
            .iter()
            .filter(|(k, status)| v.1.get(*k) != Some(status))
            .map(|(k, status)| format!("{k}: {status} / {:?}", v.1.get(k)))
            .chain(
                v.1.keys()
                    .filter(|k| !first.1.contains_key(*k))
                    .map(|k| format!("{k}: only in run {i}")),
            )
            .collect();
        assert!(
            differing.is_empty() && v.0 == first.0,
            "run {i} of {args:?} differs from the first (exit {} / {}):\n{}",
            first.0,
            v.0,
            differing.join("\n")
        );
    }
    first
}

#[test]
fn fifty_runs_against_the_mocks_give_the_same_verdict() {
    let runs = std::env::var("IDPC_DETERMINISM_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(RUNS);
    let (code, scenarios) = assert_same_verdict(&[], runs);
    assert_eq!(code, 0);
    assert!(scenarios.values().all(|s| s == "passed"));

    // Every third defect of every provider: failures and passes side by side.
    let mut args = Vec::new();
    for (provider, defects) in common::providers() {
        for d in defects.iter().step_by(3) {
            args.push("--mock-defect".to_owned());
            args.push(format!("{provider}:{d}"));
        }
    }
    let (code, scenarios) = assert_same_verdict(&args, DEFECT_RUNS);
    assert_eq!(code, 1);
    let failed = scenarios
        .values()
        .filter(|s| s.starts_with("failed"))
        .count();
    assert!(failed > 0 && failed < scenarios.len(), "{scenarios:#?}");
}

/// The SSO v1 scenarios that change the test user's pending e-mail address, `copies` times
/// each, as a features folder; `declared` keeps their `@resource-test-user-email` tags.
fn email_scenarios(copies: usize, declared: bool) -> tempfile::TempDir {
    let text = std::fs::read_to_string(common::root().join("features/sso_v1/email.feature"))
        .expect("features/sso_v1/email.feature");
    let (head, scenarios) = text.split_once("\n  @").expect("a tagged scenario");
    let scenarios = format!("  @{scenarios}");
    let mut out = head.to_owned();
    for copy in 0..copies {
        let again = scenarios.replace("Scenario: ", &format!("Scenario: (copy {copy}) "));
        out.push('\n');
        out.push_str(&again);
    }
    if !declared {
        out = out.replace(" @resource-test-user-email", "");
    }
    assert_eq!(
        out.contains("@resource-test-user-email"),
        declared,
        "email.feature declares the test user's e-mail on the scenarios that change it"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sso_v1")).unwrap();
    std::fs::write(dir.path().join("sso_v1/email.feature"), out).unwrap();
    dir
}

/// How many scenarios of one run over `features` failed.
fn failures(features: &std::path::Path) -> usize {
    let tmp = tempfile::tempdir().unwrap();
    let features = features.to_str().unwrap();
    let out = common::run(
        &[
            "--provider",
            "sso_v1",
            "--features",
            features,
            "--jobs",
            "8",
        ],
        tmp.path(),
    );
    assert!(
        matches!(common::code(&out), 0 | 1),
        "{}",
        common::text(&out)
    );
    common::results(tmp.path())
        .iter()
        .filter(|r| r.status == "failed")
        .count()
}

/// The SSO v1 mock keeps one pending e-mail address per user, as a provider would: scenarios
/// that change it at once make each other fail (one's opt-in mail or pending address replaced
/// by another's). Declared with `@resource-test-user-email`, the runner runs them one at a
/// time and every run passes; without the declaration the race shows within a few runs.
#[test]
fn scenarios_sharing_a_resource_race_unless_they_declare_it() {
    let declared = email_scenarios(4, true);
    for _ in 0..3 {
        assert_eq!(
            failures(declared.path()),
            0,
            "a declared resource still raced"
        );
    }
    let undeclared = email_scenarios(4, false);
    let raced = (0..10).any(|_| failures(undeclared.path()) > 0);
    assert!(
        raced,
        "10 runs of undeclared e-mail changes at once never failed: the mock no longer keeps \
         one pending address per user, or the runner serialises them anyway"
    );
}
