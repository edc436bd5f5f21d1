//! Deterministic verdicts: the whole suite, run 50 times against the embedded mocks, gives the
//! same verdict every time (the same status for every scenario, the same exit code), and so do
//! 10 runs against mocks started with a fixed set of defects, where the failing step of every
//! failed scenario must be the same too. Two runs go at once, so timing varies between runs
//! more than it would one after another. The same 50 runs go through a target file that sets
//! every key, against standalone mocks (`idp-conformance mock`, one process per provider),
//! reached over HTTP as a deployment is. And scenarios that change a shared test resource are
//! shown to race when they do not declare it (`@resource-...`). `IDPC_DETERMINISM_RUNS`
//! changes the count of clean runs (e.g. 500 to hunt a rare race). The run records
//! (`run.json`) of 20 clean runs are then compared pairwise with `idp-conformance diff` (190
//! pairs): each must say nothing changed, no verdict and no response shape.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Clean runs, and runs with defects.
const RUNS: usize = 50;
const DEFECT_RUNS: usize = 10;
/// Clean runs whose run records are compared pairwise.
const DIFFED_RUNS: usize = 20;

/// A run's verdict: its exit code, and per scenario (`file:line`) its status and, for a failed
/// one, the failing step (the first line of the failure, which holds no generated value).
type Verdict = (i32, BTreeMap<String, String>);

/// A run's verdict, with `env` set for the run; with `keep`, its `run.json` is copied there.
fn verdict_with(args: &[String], env: &[(&str, &str)], keep: Option<PathBuf>) -> Verdict {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::bin()
        .arg("run")
        .args(args)
        .arg("--reports")
        .arg(tmp.path())
        .arg("--no-color")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
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
    assert_same_verdicts(&format!("{args:?}"), runs, keep, |_| {
        (args.to_vec(), Vec::new(), ())
    })
}

/// Runs the suite `runs` times, two at once; each of the two workers first gets its own
/// arguments, environment and whatever must live as long as its runs (`setup(worker)`: the
/// standalone mocks it runs against). Asserts every verdict is the first.
fn assert_same_verdicts<K>(
    what: &str,
    runs: usize,
    keep: Option<&Path>,
    setup: impl Fn(usize) -> (Vec<String>, Vec<(String, String)>, K) + Sync,
) -> Verdict {
    let verdicts: Mutex<Vec<Verdict>> = Mutex::default();
    let next = Mutex::new(0);
    std::thread::scope(|s| {
        for worker in 0..2 {
            let (verdicts, next, setup) = (&verdicts, &next, &setup);
            s.spawn(move || {
                let (args, env, _keep) = setup(worker);
                let env: Vec<(&str, &str)> =
                    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
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
                    let v = verdict_with(&args, &env, kept);
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
            "run {i} of {what} differs from the first (exit {} / {}):\n{}",
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
    let is_tag_line = |l: &&str| l.trim_start().starts_with('@');
    if !declared {
        out = out
            .lines()
            .map(|l| {
                if is_tag_line(&l) {
                    l.replace(" @resource-test-user-email", "")
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    assert_eq!(
        out.lines()
            .filter(is_tag_line)
            .any(|l| l.contains("@resource-test-user-email")),
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

const DEPLOY_SECRET: &str = "determinism-deploy-secret";
const DEPLOY_REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
/// What the standalone mocks accept and a target file hands the harness: LoginSign's developer
/// and end-user sessions, the SSO v1 test user's SMS code.
const DEVELOPER_SESSION: &str = "ls_dev=determinism-developer-session";
const USER_SESSION: &str = "ls_user=mock-user-session";
const SMS_CODE: &str = "482916";

/// One standalone mock (`idp-conformance mock`) of every provider, and a target file that sets
/// every key a scenario can need, as a team pointing the harness at its staging deployments
/// would. Returns the run's arguments, its environment, and the mocks (alive while held).
fn standalone_mocks(
    dir: &std::path::Path,
) -> (Vec<String>, Vec<(String, String)>, Vec<common::MockProcess>) {
    let webhook_port = common::free_port();
    let common_args = [
        "--client-secret-env",
        "IDPC_DET_SECRET",
        "--redirect-uri",
        DEPLOY_REDIRECT_URI,
    ];
    let env = [
        ("IDPC_DET_SECRET", DEPLOY_SECRET),
        ("MOCK_DEVELOPER_SESSION", DEVELOPER_SESSION),
    ];
    let webhook_url = format!("http://127.0.0.1:{webhook_port}/webhooks");
    let mut mocks = Vec::new();
    let mut target = String::from("[settings]\ntimeout_secs = 10\n");
    for provider in ["losgehts", "authenteq", "oauth2", "sso_v1", "loginsign"] {
        let mut args = common_args.to_vec();
        if provider == "loginsign" {
            args.extend(["--webhook-url", &webhook_url]);
        }
        let mock = common::MockProcess::start(provider, &args, &env);
        target.push_str(&format!(
            "\n[providers.{provider}]\nbase_url = \"{}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_DET_SECRET\"\nredirect_uri = \"{DEPLOY_REDIRECT_URI}\"\n",
            mock.url
        ));
        target.push_str(match provider {
            "sso_v1" => {
                "test_telephone = \"+4915100000001\"\ntest_sms_code_env = \"IDPC_DET_SMS\"\n\
                 second_test_telephone = \"+4915100000002\"\n"
            }
            "loginsign" => {
                "app_id = \"ls-conformance-app\"\n\
                 developer_session_cookie_env = \"IDPC_DET_DEVELOPER\"\n\
                 user_session_cookie_env = \"IDPC_DET_USER\"\n\
                 second_client_id = \"ls-second-client\"\n\
                 second_client_secret_env = \"IDPC_DET_SECOND\"\n"
            }
            // The generic mock publishes its metadata (RFC 8414) with its base URL as issuer:
            // discovery fills the dialect, PKCE, refresh tokens and iss.
            "oauth2" => {
                "second_client_id = \"oauth2-second-client\"\n\
                 second_client_secret_env = \"IDPC_DET_OAUTH2_SECOND\"\n"
            }
            _ => "",
        });
        if provider == "oauth2" {
            target.push_str(&format!("issuer = \"{}\"\n", mock.url));
        }
        if provider == "loginsign" {
            target.push_str(&format!("webhook_listen = \"127.0.0.1:{webhook_port}\"\n"));
        }
        mocks.push(mock);
    }
    let path = common::target_file(dir, &target);
    let args = vec!["--target".to_owned(), path.display().to_string()];
    let env = [
        ("IDPC_DET_SECRET", DEPLOY_SECRET),
        ("IDPC_DET_SMS", SMS_CODE),
        ("IDPC_DET_DEVELOPER", DEVELOPER_SESSION),
        ("IDPC_DET_USER", USER_SESSION),
        ("IDPC_DET_SECOND", "ls-second-client-secret"),
        ("IDPC_DET_OAUTH2_SECOND", "oauth2-second-client-secret-5"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .to_vec();
    (args, env, mocks)
}

/// The whole suite through a target file against standalone mocks, each a process of its own
/// reached over HTTP as a deployment is: 50 runs, two at once (each worker with mocks of its
/// own: two runs sharing one test user would be two teams sharing one staging user), the same
/// verdict every time. With every key of the target file set, every scenario passes but those
/// that need the embedded mock's control routes, which are skipped with that reason.
#[test]
fn fifty_runs_through_a_target_file_against_standalone_mocks_give_the_same_verdict() {
    let runs = std::env::var("IDPC_DETERMINISM_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(RUNS);
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    every_key_set_skips_only_what_needs_the_mock(dirs[0].path());
    let (code, scenarios) = assert_same_verdicts("the target file", runs, None, |worker| {
        standalone_mocks(dirs[worker].path())
    });
    let not_passed: Vec<_> = scenarios
        .iter()
        .filter(|(_, s)| *s != "passed" && *s != "skipped")
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    assert_eq!(code, 0);
    let passed = scenarios.values().filter(|s| *s == "passed").count();
    assert!(passed > 250, "{passed} passed");
}

/// One run through the target file with every key set: the only skips are the scenarios that
/// need the embedded mock's control routes and those that wait out a lifetime in real time
/// (`--lifetimes`, tests/lifetimes.rs), and the summary counts the skips by reason.
fn every_key_set_skips_only_what_needs_the_mock(dir: &std::path::Path) {
    let (args, env, _mocks) = standalone_mocks(dir);
    let reports = dir.join("reports");
    let out = common::bin()
        .arg("run")
        .args(&args)
        .arg("--reports")
        .arg(&reports)
        .arg("--no-color")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let results = common::results(&reports);
    let skipped: Vec<_> = results.iter().filter(|r| r.status == "skipped").collect();
    // losgehts' server-to-server notification is left out too: a standalone mock notifies only
    // when told through its control route (tests/notification_listener.rs does that), and with
    // nothing coming the scenario would wait its full 10 s in each of the 50 runs.
    let reason_of = |r: &&common::ScenarioResult| r.skip_reason.clone().unwrap_or_default();
    for r in &skipped {
        let reason = reason_of(r);
        let notification = r.file.ends_with("losgehts/callback_notification.feature")
            && reason.contains("@needs-webhook-receiver");
        assert!(
            reason.contains("@mock-only") || reason.contains("@lifetime") || notification,
            "{}: skipped because {reason}",
            r.key()
        );
    }
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    for tag in ["@mock-only", "@lifetime"] {
        let count = skipped
            .iter()
            .filter(|r| reason_of(r).contains(tag))
            .count();
        assert!(count > 0, "the {tag} scenarios are skipped");
        assert!(
            summary.contains(&format!("{count} scenario(s): ")) && summary.contains(tag),
            "summary.md counts the skips by reason ({count} {tag}):\n{summary}"
        );
    }
}
