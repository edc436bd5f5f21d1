//! Deterministic verdicts: the whole suite, run 50 times against the embedded mocks, gives the
//! same verdict every time (the same status for every scenario, the same exit code), and so do
//! 10 runs against mocks started with a fixed set of defects, where the failing step of every
//! failed scenario must be the same too. Two runs go at once, so timing varies between runs
//! more than it would one after another. `IDPC_DETERMINISM_RUNS` changes the count of clean
//! runs (e.g. 500 to hunt a rare race). The run records (`run.json`) of 20 clean runs are then
//! compared pairwise with `idp-conformance diff` (190 pairs): each must say nothing changed, no
//! verdict and no response shape.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Clean runs, and runs with defects.
const RUNS: usize = 50;
const DEFECT_RUNS: usize = 10;
/// Clean runs whose run records are diffed pairwise.
const DIFFED_RUNS: usize = 20;

/// A run's verdict: its exit code, and per scenario (`file:line`) its status and, for a failed
/// one, the failing step (the first line of the failure, which holds no generated value).
type Verdict = (i32, BTreeMap<String, String>);

/// Runs the suite with `args`; with `keep`, its `run.json` is copied there.
fn verdict(args: &[String], keep: Option<PathBuf>) -> Verdict {
    let tmp = tempfile::tempdir().unwrap();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run(&args, tmp.path());
    let code = common::code(&out);
    assert!(
        code == 0 || code == 1,
        "exit {code}:\n{}",
        common::text(&out)
    );
    if let Some(keep) = keep {
        std::fs::copy(tmp.path().join("run.json"), keep).unwrap();
    }
    let results = common::raw_results(tmp.path());
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
/// With `keep`, the run records of the first `DIFFED_RUNS` runs are copied there (`N.json`).
fn assert_same_verdict(args: &[String], runs: usize, keep: Option<&Path>) -> Verdict {
    let verdicts: Mutex<Vec<Verdict>> = Mutex::default();
    let next = Mutex::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        if *n == runs {
                            break;
                        }
                        *n += 1;
                        *n
                    };
                    let kept = keep
                        .filter(|_| i <= DIFFED_RUNS)
                        .map(|dir| dir.join(format!("{i}.json")));
                    let v = verdict(args, kept);
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
    let records = tempfile::tempdir().unwrap();
    let (code, scenarios) = assert_same_verdict(&[], runs, Some(records.path()));
    assert_eq!(code, 0);
    assert!(scenarios.values().all(|s| s == "passed"));
    assert_pairwise_no_change(records.path(), runs.min(DIFFED_RUNS));

    // Every third defect of every provider: failures and passes side by side.
    let mut args = Vec::new();
    for (provider, defects) in common::providers() {
        for d in defects.iter().step_by(3) {
            args.push("--mock-defect".to_owned());
            args.push(format!("{provider}:{d}"));
        }
    }
    let (code, scenarios) = assert_same_verdict(&args, DEFECT_RUNS, None);
    assert_eq!(code, 1);
    let failed = scenarios
        .values()
        .filter(|s| s.starts_with("failed"))
        .count();
    assert!(failed > 0 && failed < scenarios.len(), "{scenarios:#?}");
}

/// `idp-conformance diff` of every pair of the `n` run records in `dir` says nothing changed:
/// exit 0, no verdict changed, no scenario added or removed, no response shape drifted. Two
/// diffs go at once.
fn assert_pairwise_no_change(dir: &Path, n: usize) {
    let pairs: Vec<(usize, usize)> = (1..=n)
        .flat_map(|i| (i + 1..=n).map(move |j| (i, j)))
        .collect();
    let next = Mutex::new(pairs.into_iter());
    let noisy: Mutex<Vec<String>> = Mutex::default();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some((i, j)) = next.lock().unwrap().next() {
                    let out = common::bin()
                        .arg("diff")
                        .arg(dir.join(format!("{i}.json")))
                        .arg(dir.join(format!("{j}.json")))
                        .output()
                        .unwrap();
                    let md = String::from_utf8_lossy(&out.stdout);
                    let quiet = common::code(&out) == 0
                        && md.contains("**No regression.**")
                        && md.contains("No scenario changed its verdict.")
                        && md.contains("No endpoint changed the shape of its answers.")
                        && !md.contains("Added scenarios")
                        && !md.contains("Removed scenarios");
                    if !quiet {
                        noisy
                            .lock()
                            .unwrap()
                            .push(format!("runs {i} and {j}:\n{md}"));
                    }
                }
            });
        }
    });
    let noisy = noisy.into_inner().unwrap();
    assert!(
        noisy.is_empty(),
        "{} of the pairs report a change:\n{}",
        noisy.len(),
        noisy.join("\n")
    );
}
