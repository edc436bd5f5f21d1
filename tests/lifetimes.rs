//! `run --lifetimes`: against a real deployment the @lifetime scenarios wait out access-token
//! lifetimes (from expires_in) in real time, all at once, and catch a token that dies early or
//! outlives its expires_in; without the flag a target skips them, saying why. Standalone mocks
//! (`idp-conformance mock --token-lifetime`) stand in for the deployments, with tokens of 24 s
//! so a run takes seconds instead of an hour. The embedded mocks' clock is the defect matrix's.

mod common;

use std::time::{Duration, Instant};

/// The access tokens' expires_in the standalone mocks hand out: "10 seconds short of it" is
/// 14 s, and a token that dies at half its lifetime (12 s) is caught there.
const LIFETIME: &str = "24";

/// A standalone losgehts and LoginSign mock, each with `defect` (if any), and a target file
/// pointing at them.
fn deployments(dir: &std::path::Path, defect: Option<&str>) -> (String, Vec<common::MockProcess>) {
    let env = [("IDPC_LIFE_SECRET", "lifetimes-deploy-secret")];
    let mut args = vec![
        "--client-secret-env",
        "IDPC_LIFE_SECRET",
        "--redirect-uri",
        "http://127.0.0.1:9/callback",
        "--token-lifetime",
        LIFETIME,
    ];
    if let Some(d) = defect {
        args.extend(["--defect", d]);
    }
    let mut target = String::from("[settings]\ntimeout_secs = 10\n");
    let mut mocks = Vec::new();
    for provider in ["losgehts", "loginsign"] {
        let mock = common::MockProcess::start(provider, &args, &env);
        target.push_str(&format!(
            "\n[providers.{provider}]\nbase_url = \"{}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_LIFE_SECRET\"\n\
             redirect_uri = \"http://127.0.0.1:9/callback\"\n",
            mock.url
        ));
        mocks.push(mock);
    }
    let path = common::target_file(dir, &target);
    (path.display().to_string(), mocks)
}

/// Scenarios of both providers whose name matches `name`, through the target file, one job:
/// the verdicts, and how long the run took.
fn lifetimes_run(
    defect: Option<&str>,
    name: &str,
    extra: &[&str],
) -> (i32, Vec<common::ScenarioResult>, Duration, String) {
    let dir = tempfile::tempdir().unwrap();
    let (target, _mocks) = deployments(dir.path(), defect);
    let reports = dir.path().join("reports");
    let started = Instant::now();
    let out = common::bin()
        .args(["run", "--target", &target, "--name", name])
        .args(["--jobs", "1", "--no-color", "--reports"])
        .arg(&reports)
        .args(extra)
        .env("IDPC_LIFE_SECRET", "lifetimes-deploy-secret")
        .output()
        .unwrap();
    let took = started.elapsed();
    (
        common::code(&out),
        common::results(&reports),
        took,
        common::text(&out),
    )
}

#[test]
fn real_time_lifetimes_run_at_once_and_catch_a_token_that_dies_early_or_outlives_expires_in() {
    let runs: Vec<_> = [
        None,
        Some("token-expires-early"),
        Some("token-never-expires"),
    ]
    .into_iter()
    .map(|defect| {
        std::thread::spawn(move || {
            (
                defect,
                lifetimes_run(defect, "expires_in seconds", &["--lifetimes"]),
            )
        })
    })
    .collect();
    for run in runs {
        let (defect, (code, results, took, text)) = run.join().unwrap();
        assert_eq!(
            results.len(),
            4,
            "{defect:?}: two scenarios per provider\n{text}"
        );
        let failed: Vec<_> = results
            .iter()
            .filter(|r| r.status == "failed")
            .map(|r| r.scenario.as_str())
            .collect();
        match defect {
            None => {
                assert_eq!(code, 0, "{text}");
                assert!(results.iter().all(|r| r.status == "passed"), "{text}");
            }
            Some("token-expires-early") => {
                assert_eq!(code, 1, "{text}");
                assert_eq!(
                    failed, ["The access token still works just before expires_in seconds"; 2],
                    "{text}"
                );
            }
            Some(_) => {
                assert_eq!(code, 1, "{text}");
                assert_eq!(
                    failed, ["The access token no longer works after expires_in seconds"; 2],
                    "{text}"
                );
            }
        }
        // Waited in real time: the longest wait is the whole lifetime (24 s) ...
        assert!(took >= Duration::from_secs(24), "{defect:?}: {took:?}");
        // ... and side by side, although --jobs 1: one after another would take 2 × (14 + 24) s.
        assert!(
            took < Duration::from_secs(50),
            "{defect:?}: {took:?}\n{text}"
        );
    }
}

#[test]
fn without_lifetimes_a_target_skips_them_saying_how_to_run_them() {
    // With two scenarios that need no waiting: a run of skips alone is "no scenario ran".
    let (code, results, took, text) =
        lifetimes_run(None, "expires_in seconds|matches the documented", &[]);
    assert_eq!(code, 0, "{text}");
    let (waiting, others): (Vec<_>, Vec<_>) = results
        .iter()
        .partition(|r| r.scenario.contains("expires_in seconds"));
    assert_eq!(waiting.len(), 4, "{text}");
    assert!(
        others.iter().any(|r| r.status == "passed") && others.iter().all(|r| r.status != "failed"),
        "{text}"
    );
    for r in &waiting {
        let reason = r.skip_reason.as_deref().unwrap_or_default();
        assert!(
            r.status == "skipped" && reason.contains("@lifetime") && reason.contains("--lifetimes"),
            "{}: {} ({reason})",
            r.key(),
            r.status
        );
    }
    assert!(took < Duration::from_secs(10), "nothing waited: {took:?}");
}
