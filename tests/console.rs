//! The console and the selection staples as a user meets them: a progress line, each failure in
//! full as a failed check, the summary; `-q` and `-v`; `--name`, `FILE[:LINE]`, `list`,
//! `--fail-fast`, report paths per format, shell completions.

mod common;

use std::path::Path;

/// Ports, states and the time a run took vary from run to run.
fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"st-[a-z0-9]{24}", "st-[STATE]"),
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
        (r"ran in \d+\.\d s", "ran in [TIME]"),
    ]
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_failure_reads_as_a_failed_check_between_the_progress_line_and_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(
        &[
            "--provider",
            "losgehts",
            "--mock-defect",
            "losgehts:code-reusable",
        ],
        tmp.path(),
    );
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let text = stdout(&out);
    for crash in ["panicked", "Captured output", "Defined:"] {
        assert!(!text.contains(crash), "{crash:?} in:\n{text}");
    }
    // Not a terminal: one mark per scenario, nothing animated, no colour.
    let progress = text.lines().next().unwrap();
    let (marks, count) = progress.split_once(' ').unwrap();
    assert!(
        marks.chars().all(|c| c == '.' || c == 'F') && marks.contains('F'),
        "{text}"
    );
    assert_eq!(count, "51/51", "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    let failure = text.find("FAILED losgehts ›").expect("the failure in full");
    let summary = text.find("\nidp-conformance: ").expect("the summary");
    assert!(failure < summary, "{text}");
    let passed = marks.matches('.').count();
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!(
            "failure_then_summary",
            text.replacen(marks, &format!("[{passed} dots and an F]"), 1)
        );
    });
}

#[test]
fn quiet_prints_the_summary_only_and_verbose_every_step() {
    let tmp = tempfile::tempdir().unwrap();
    let defect = ["--mock-defect", "losgehts:code-reusable"];
    let quiet = common::run(
        &[&defect[..], &["--provider", "losgehts", "-q"]].concat(),
        tmp.path(),
    );
    assert_eq!(common::code(&quiet), 1, "{}", common::text(&quiet));
    let text = stdout(&quiet);
    assert!(text.starts_with("\nidp-conformance: FAILED  "), "{text}");
    assert!(
        !text.contains("scenario:") && !text.contains("request:"),
        "{text}"
    );
    assert!(
        text.contains("FAILED features/losgehts/code_is_single_use.feature:10"),
        "the summary still names the failure:\n{text}"
    );

    let verbose = common::run(
        &[&defect[..], &["--provider", "losgehts", "-v"]].concat(),
        tmp.path(),
    );
    assert_eq!(common::code(&verbose), 1, "{}", common::text(&verbose));
    let text = stdout(&verbose);
    assert!(
        text.contains("  ✔ Given the user has authorized the client"),
        "{text}"
    );
    assert!(
        text.contains("  ✘ Then the provider refuses it with status 400"),
        "{text}"
    );
    assert!(text.contains("FAILED losgehts ›"), "{text}");

    // -vv: the World of the failed step too, its secrets masked.
    let world = common::run(
        &[&defect[..], &["--provider", "losgehts", "-vv"]].concat(),
        tmp.path(),
    );
    let text = stdout(&world);
    assert!(text.contains("  world:\n    ConformanceWorld {"), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");

    let both = common::run(&["-q", "-v"], tmp.path());
    assert_eq!(common::code(&both), 2, "{}", common::text(&both));
}

#[test]
fn name_selects_scenarios_by_a_regular_expression() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(&["--name", "single-use|second time"], tmp.path());
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let results = common::results(tmp.path());
    assert!(!results.is_empty());
    let re = regex::Regex::new("single-use|second time").unwrap();
    assert!(
        results.iter().all(|r| re.is_match(&r.scenario)),
        "{results:#?}"
    );

    let bad = common::run(&["--name", "("], tmp.path());
    assert_eq!(common::code(&bad), 2, "{}", common::text(&bad));
    assert!(
        common::text(&bad).contains("--name"),
        "{}",
        common::text(&bad)
    );
}

#[test]
fn file_and_line_select_one_scenario_or_a_whole_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(
        &[
            "features/losgehts/code_is_single_use.feature:10",
            // A step's line selects its scenario; "./" and the file's own path are the same.
            "./features/losgehts/userinfo.feature:31",
        ],
        tmp.path(),
    );
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let mut names: Vec<String> = common::results(tmp.path())
        .into_iter()
        .map(|r| r.key())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "code_is_single_use: A code exchanged a second time is refused with invalid_grant",
            "userinfo: The record names the authorization's state and scope",
        ]
    );

    let whole = common::run(&["features/losgehts/userinfo.feature"], tmp.path());
    assert_eq!(common::code(&whole), 0, "{}", common::text(&whole));
    assert_eq!(common::results(tmp.path()).len(), 9);

    let no_line = common::run(&["features/losgehts/userinfo.feature:3"], tmp.path());
    assert_eq!(common::code(&no_line), 2, "{}", common::text(&no_line));
    insta::assert_snapshot!(
        "no_scenario_at_line",
        String::from_utf8_lossy(&no_line.stderr)
    );
    let no_file = common::run(&["features/losgehts/nope.feature:3"], tmp.path());
    assert_eq!(common::code(&no_file), 2, "{}", common::text(&no_file));
    assert!(
        common::text(&no_file).contains("features/losgehts/nope.feature:3: no such feature file"),
        "{}",
        common::text(&no_file)
    );
}

/// A target file whose losgehts deployment is `port` on loopback.
fn target_file(dir: &Path, port: u16) -> std::path::PathBuf {
    let target = dir.join("t.toml");
    std::fs::write(
        &target,
        format!(
            "[providers.losgehts]\nbase_url = \"http://127.0.0.1:{port}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_LIST_SECRET\"\nredirect_uri = \"https://a.example/cb\"\n"
        ),
    )
    .unwrap();
    target
}

#[test]
fn list_says_what_would_run_and_what_would_be_skipped_without_a_request() {
    let tmp = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let target = target_file(tmp.path(), port);
    let out = common::bin()
        .args(["list", "--target", target.to_str().unwrap()])
        .arg("features/losgehts/userinfo.feature")
        .env("IDPC_LIST_SECRET", "list-secret-value")
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    listener.set_nonblocking(true).unwrap();
    assert_eq!(
        listener.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "list connected to the target"
    );
    let text = stdout(&out).replace(&target.display().to_string(), "[TARGET]");
    assert!(!text.contains("list-secret-value"));
    insta::assert_snapshot!("list_against_a_target", text);

    let none = common::bin()
        .args(["list", "--name", "no scenario is called this"])
        .output()
        .unwrap();
    assert_eq!(common::code(&none), 2, "{}", common::text(&none));
}

#[test]
fn fail_fast_starts_no_scenario_after_the_first_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let out = common::run(
        &[
            "--provider",
            "losgehts",
            "--mock-defect",
            "losgehts:token-type-not-bearer",
            "--jobs",
            "1",
            "--fail-fast",
        ],
        tmp.path(),
    );
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let results = common::results(tmp.path());
    let failed = results.iter().filter(|r| r.status == "failed").count();
    let not_started: Vec<_> = results
        .iter()
        .filter(|r| {
            r.skip_reason.as_deref()
                == Some("not started: --fail-fast stopped the run after the first failure")
        })
        .collect();
    assert_eq!(failed, 1, "{}", common::text(&out));
    assert!(!not_started.is_empty(), "{results:#?}");
    // Every selected scenario is in the reports, run or not.
    let all = common::run(&["--provider", "losgehts", "-q"], tmp.path());
    assert_eq!(common::code(&all), 0, "{}", common::text(&all));
    assert_eq!(results.len(), common::results(tmp.path()).len());
}

#[test]
fn each_report_can_be_written_to_a_path_of_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("ci/out");
    let paths = [
        ("--report-junit", elsewhere.join("TEST-idp.xml")),
        ("--report-cucumber", elsewhere.join("cucumber/idp.json")),
        ("--report-html", elsewhere.join("idp.html")),
        ("--report-json", elsewhere.join("idp-results.json")),
    ];
    let mut args: Vec<&str> = vec!["--provider", "sso_v1"];
    for (flag, path) in &paths {
        args.push(flag);
        args.push(path.to_str().unwrap());
    }
    let reports = tmp.path().join("reports");
    // A previous run's report at a given path is this run's to replace.
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(&paths[2].1, "an old page").unwrap();
    let out = common::run(&args, &reports);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    for (flag, path) in &paths {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        assert!(text.len() > 100, "{flag}: {} is missing", path.display());
    }
    for moved in ["junit.xml", "cucumber.json", "index.html", "results.json"] {
        assert!(
            !reports.join(moved).exists(),
            "{moved} went to its own path"
        );
    }
    for kept in ["summary.md", "run.json"] {
        assert!(
            reports.join(kept).exists(),
            "{kept} stays in the reports folder"
        );
    }
    assert!(
        std::fs::read_to_string(&paths[0].1)
            .unwrap()
            .contains("<testsuite")
    );

    // merge-reports reads a shard's reports from its folder: they cannot go elsewhere.
    let sharded = common::run(
        &["--shard", "1/2", "--report-json", "elsewhere.json"],
        &reports,
    );
    assert_eq!(common::code(&sharded), 2, "{}", common::text(&sharded));
    assert!(
        common::text(&sharded).contains("--shard"),
        "{}",
        common::text(&sharded)
    );
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = common::bin().args(["completions", shell]).output().unwrap();
        assert_eq!(common::code(&out), 0, "{}", common::text(&out));
        let script = stdout(&out);
        for word in ["idp-conformance", "report-junit", "fail-fast", "list"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    if let Ok(bash) = std::process::Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .spawn()
    {
        let script = common::bin()
            .args(["completions", "bash"])
            .output()
            .unwrap();
        let mut bash = bash;
        std::io::Write::write_all(bash.stdin.as_mut().unwrap(), &script.stdout).unwrap();
        assert!(bash.wait().unwrap().success(), "bash -n rejects the script");
    } else {
        eprintln!("skipped: bash is not installed; the bash script's syntax is not checked");
    }
    let bad = common::bin()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(common::code(&bad), 2);
}

/// On a terminal (a pseudo-terminal from util-linux's `script`): a progress bar while the run
/// goes, the failure in colour above it, and no colour with `--no-color`.
#[test]
fn a_terminal_gets_a_progress_bar_and_colours() {
    let bin = std::env::var("IDP_CONFORMANCE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_idp-conformance").to_owned());
    let tmp = tempfile::tempdir().unwrap();
    let on_terminal = |extra: &str| {
        let command = format!(
            "{bin} run --provider losgehts --mock-defect losgehts:code-reusable --reports {} {extra}",
            tmp.path().join("r").display()
        );
        std::process::Command::new("script")
            .args(["-qfec", &command, "/dev/null"])
            .current_dir(common::root())
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color")
            .env("COLUMNS", "120")
            .output()
    };
    let Ok(out) = on_terminal("") else {
        eprintln!("skipped: util-linux's script is not installed; no terminal to run on");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(common::code(&out), 1, "{text}");
    assert!(text.contains("/51 scenarios"), "no progress bar:\n{text}");
    assert!(
        !text.lines().any(|l| l.starts_with('.')),
        "a terminal gets the bar, not the line of marks:\n{text}"
    );
    assert!(text.contains("\u{1b}[31m\u{1b}[1mFAILED"), "{text:?}");
    assert!(text.contains("scenario:"), "{text}");

    let plain = on_terminal("--no-color").unwrap();
    let plain = String::from_utf8_lossy(&plain.stdout);
    assert!(!plain.contains("\u{1b}[31m"), "{plain:?}");
    assert!(plain.contains("FAILED losgehts ›"), "{plain}");
}
