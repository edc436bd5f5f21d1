//! The HTML report (`reports/index.html`) and the documentation page (`idp-conformance docs`):
//! self-contained, every scenario with its steps' verdicts, every failure with its evidence, the
//! steps linked to their schemas. Rendered pages are insta snapshots; a headless Chromium opens
//! the report (tests/browser in this file).

mod common;

use std::path::{Path, PathBuf};

/// A fixture path relative to the crate root (the binary runs there), so pages name it alike
/// on every machine.
fn fixture(rel: &str) -> PathBuf {
    Path::new("tests/fixtures/html").join(rel)
}

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"st-[a-z0-9]{24}", "st-[STATE]"),
        (r"\b\d+(\.\d)? (ms|s)\b", "[TIME]"),
        (r"\d{4}-\d\d-\d\dT[\d:.]+Z", "[START]"),
        (
            r"idp-conformance \d+\.\d+\.\d+",
            "idp-conformance [VERSION]",
        ),
    ]
}

/// The page without its style and script: what a person reads.
fn readable(html: &str) -> &str {
    let start = html.find("<body").expect("a body");
    let end = html.find("<script>").expect("the inline script");
    &html[start..end]
}

/// Nothing on the page is fetched: no external script, style, image, font or frame.
pub fn assert_self_contained(html: &str) {
    for needle in [
        "<script src",
        "<link",
        "<img",
        "<iframe",
        "@import",
        "url(",
        "src=\"http",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!html.contains(needle), "the page references {needle}");
    }
}

/// Runs the fixture feature against the losgehts mock with two defects: one scenario passes,
/// one fails its schema check, one fails its status check.
pub fn run_fixture(reports: &Path) -> String {
    let features = fixture("features");
    let schemas = fixture("schemas");
    let out = common::run(
        &[
            "--provider",
            "losgehts",
            "--features",
            features.to_str().unwrap(),
            "--schemas",
            schemas.to_str().unwrap(),
            "--mock-defect",
            "losgehts:missing-expires-in",
            "--mock-defect",
            "losgehts:code-reusable",
        ],
        reports,
    );
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    std::fs::read_to_string(reports.join("index.html")).expect("index.html written")
}

#[test]
fn the_report_documents_each_scenario_with_its_verdict_and_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let html = run_fixture(tmp.path());
    assert_self_contained(&html);
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("report_with_failures", readable(&html));
    });
}

fn docs(args: &[&str]) -> std::process::Output {
    common::bin()
        .arg("docs")
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn docs_renders_the_contracts_without_running_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join("docs.html");
    let out = docs(&[
        "--features",
        fixture("features").to_str().unwrap(),
        "--schemas",
        fixture("schemas").to_str().unwrap(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    assert!(
        common::text(&out).contains("1 features (3 scenarios) written to"),
        "{}",
        common::text(&out)
    );
    let html = std::fs::read_to_string(&out_file).unwrap();
    assert_self_contained(&html);
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("docs_page", readable(&html));
    });
}

#[test]
fn docs_of_the_shipped_features_have_a_section_per_provider_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join("docs.html");
    let out = docs(&["--out", out_file.to_str().unwrap()]);
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    let html = std::fs::read_to_string(&out_file).unwrap();
    for entry in std::fs::read_dir(common::root().join("features")).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .replace('_', "-");
        assert!(
            html.contains(&format!("id=\"provider-{name}\"")),
            "no section for features/{name}"
        );
    }
    assert!(html.contains("<section id=\"schemas\">"));
}

#[test]
fn docs_stops_at_a_malformed_feature_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let features = tmp.path().join("features");
    std::fs::create_dir_all(&features).unwrap();
    std::fs::write(
        features.join("bad.feature"),
        "Feature: x\n\n  Scenario: y\n    Given a step\n  Nonsense here\n",
    )
    .unwrap();
    let out = docs(&[
        "--features",
        features.to_str().unwrap(),
        "--out",
        tmp.path().join("docs.html").to_str().unwrap(),
    ]);
    assert_eq!(common::code(&out), 2, "{}", common::text(&out));
    assert!(
        common::text(&out).contains("bad.feature:5:"),
        "{}",
        common::text(&out)
    );
    assert!(!tmp.path().join("docs.html").exists());
}

/// Debian's chromium (`.ci/run` installs it); `None`, with a visible notice, where it is
/// missing: a test never installs anything.
fn chromium() -> Option<String> {
    const BROWSER: &str = "/usr/bin/chromium";
    if std::path::Path::new(BROWSER).exists() {
        return Some(BROWSER.to_owned());
    }
    // Written to stderr itself, not through the test's captured output: the notice shows.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {BROWSER} is missing, so the HTML report is not opened in a browser \
         (install Debian's chromium package, as .ci/run does)"
    );
    None
}

/// The DOM after the page's scripts ran, and every console message the page produced (read
/// from Chromium's log on stderr).
fn dom_and_console(browser: &str, profile: &Path, url: &str) -> (String, Vec<String>) {
    let (dom, log) = headless(
        browser,
        profile,
        &["--enable-logging=stderr", "--v=0", "--dump-dom"],
        url,
    );
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (dom, console)
}

/// Runs headless Chromium on `url` with `args`, bounded in time; returns (stdout, stderr).
fn headless(browser: &str, profile: &Path, args: &[&str], url: &str) -> (String, String) {
    let out = std::process::Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        common::text(&out)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_report_renders_in_headless_chromium_with_its_failure_details() {
    let Some(browser) = chromium() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let out = common::run(&["--mock-defect", "losgehts:missing-expires-in"], &reports);
    assert_eq!(common::code(&out), 1, "{}", common::text(&out));
    let url = format!(
        "file://{}#status=failed",
        reports.join("index.html").display()
    );

    let (dom, console) = dom_and_console(&browser, &tmp.path().join("profile-dom"), &url);
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(
        dom.contains("data-ready=\"true\""),
        "the page's script did not finish"
    );
    // The status filter from the URL hid every scenario that did not fail.
    let tags = |status: &str| -> Vec<String> {
        dom.split(&format!("<div class=\"scenario {status}\""))
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or("").to_owned())
            .collect()
    };
    let failed = tags("failed");
    assert_eq!(
        failed.len(),
        4,
        "the four scenarios missing-expires-in breaks (two read expires_in to wait it out)"
    );
    assert!(
        failed.iter().all(|t| !t.contains(" hidden")),
        "failures shown"
    );
    let passed = tags("passed");
    assert!(passed.len() > 100);
    assert!(
        passed.iter().all(|t| t.contains(" hidden")),
        "passes hidden"
    );
    let failed = failed.len();
    assert!(
        dom.contains(&format!("{failed} of ")),
        "the count of shown scenarios"
    );
    // The failure details: the failing step, the schema error, the redacted exchange.
    for evidence in [
        "Why it failed",
        "\"expires_in\" is a required property",
        "Request and response (secrets masked)",
        // The answer pretty-printed around the failing field.
        "\"access_token\": \"[REDACTED]\"",
        "href=\"#schema-losgehts-token-response\"",
    ] {
        assert!(dom.contains(evidence), "the page lacks {evidence}");
    }

    // The failure index opens the page, each entry linking to its scenario.
    let index = dom
        .split("<section class=\"failure-index\" id=\"failures\">")
        .nth(1)
        .expect("a failure index")
        .split("</section>")
        .next()
        .unwrap();
    assert_eq!(index.matches("<li>").count(), failed, "{index}");
    assert!(
        index.contains("the body has no value at /expires_in"),
        "{index}"
    );
    assert!(
        dom.find("class=\"failure-index\"") < dom.find("<section class=\"provider\""),
        "the failure index comes before the features"
    );
    // The sidebar follows the filter: only the features with a failure are listed, marked.
    let toc = dom.split("<nav class=\"toc\">").nth(1).unwrap();
    let toc = toc.split("</nav>").next().unwrap();
    let listed: Vec<&str> = toc
        .split("<li class=\"toc-feature")
        .skip(1)
        .filter(|li| !li.split('>').next().unwrap().contains(" hidden"))
        .collect();
    assert!(
        !listed.is_empty() && listed.iter().all(|li| li.starts_with(" failed")),
        "the sidebar lists the failing features alone: {listed:#?}"
    );

    // The search box: a query in the URL shows the scenarios whose text holds it.
    let search = format!(
        "file://{}#q=expires_in",
        reports.join("index.html").display()
    );
    let (dom, console) = dom_and_console(&browser, &tmp.path().join("profile-q"), &search);
    assert!(console.is_empty(), "console messages: {console:#?}");
    let shown: Vec<&str> = dom
        .split("<div class=\"scenario ")
        .skip(1)
        .filter(|s| !s.split('>').next().unwrap().contains(" hidden"))
        .collect();
    assert!(
        !shown.is_empty() && shown.len() < 20,
        "{} scenarios match expires_in",
        shown.len()
    );
    assert!(
        shown
            .iter()
            .all(|s| s.to_lowercase().contains("expires_in"))
    );

    // Screenshots for people to look at (reports/ is not committed): the failures, and the
    // whole page at desktop and phone widths; at a phone's width the page fits without
    // scrolling sideways.
    for (name, size, hash) in [
        ("index-failures.png", "1400,2000", "#status=failed"),
        ("index-desktop.png", "1400,1000", ""),
        ("index-phone.png", "390,844", ""),
    ] {
        let url = format!("file://{}{hash}", reports.join("index.html").display());
        let shot = common::root().join("reports").join(name);
        let _ = std::fs::remove_file(&shot);
        headless(
            &browser,
            &tmp.path().join(format!("profile-{name}")),
            &[
                &format!("--window-size={size}"),
                &format!("--screenshot={}", shot.display()),
            ],
            &url,
        );
        let bytes = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(
            bytes > 30_000,
            "the screenshot {name} is missing or blank ({bytes} bytes)"
        );
    }
    let phone = format!("file://{}", reports.join("index.html").display());
    let (dom, _) = headless(
        &browser,
        &tmp.path().join("profile-phone-dom"),
        &["--window-size=390,844", "--dump-dom"],
        &phone,
    );
    assert!(
        dom.contains("data-fits=\"true\""),
        "the page scrolls sideways at a phone's width"
    );
}

#[test]
fn the_console_check_sees_a_script_error() {
    let Some(browser) = chromium() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("broken.html");
    std::fs::write(
        &page,
        "<html><body><script>notDefined();</script></body></html>",
    )
    .unwrap();
    let url = format!("file://{}", page.display());
    let (_, console) = dom_and_console(&browser, &tmp.path().join("profile"), &url);
    assert!(
        console.iter().any(|l| l.contains("notDefined")),
        "a script error reaches the log the report's test reads: {console:#?}"
    );
}
