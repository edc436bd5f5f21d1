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
