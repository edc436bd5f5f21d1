//! The reports as the tools that read them expect: `junit.xml` valid against Jenkins' JUnit
//! XSD with stable names and `classname`s, `cucumber.json` in cucumber-jvm's order and form,
//! every report saying when, with what and against what it ran; and real consumers
//! (junit2html, cucumber-html-reporter) rendering them without a warning. A consumer or
//! validator that is missing skips with a notice on stderr (`.ci/run` installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// One run of the losgehts provider with a caught defect (one failure), made once per binary.
fn run() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reports-run");
        let _ = std::fs::remove_dir_all(&dir);
        let out = common::run(
            &[
                "--provider",
                "losgehts",
                "--mock-defect",
                "losgehts:code-reusable",
            ],
            &dir,
        );
        assert_eq!(common::code(&out), 1, "{}", common::text(&out));
        dir
    })
}

fn read(name: &str) -> String {
    std::fs::read_to_string(run().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn skip(what: &str) {
    eprintln!("skipped: {what}");
}

/// `xml` against tests/fixtures/junit/junit-10.xsd (Jenkins' xUnit plugin), `None` without
/// xmllint. The schema predates the `skipped` count on `<testsuites>` that quick-junit writes:
/// that one attribute of the root element is left out of what is validated.
fn validate_junit(xml: &str) -> Option<Result<(), String>> {
    use std::io::Write as _;
    let root_end = xml.find("<testsuite ").unwrap_or(xml.len());
    let (root, rest) = xml.split_at(root_end);
    let root = regex::Regex::new(r#" skipped="\d+""#)
        .unwrap()
        .replace(root, "");
    let mut child = Command::new("xmllint")
        .args([
            "--noout",
            "--schema",
            "tests/fixtures/junit/junit-10.xsd",
            "-",
        ])
        .current_dir(common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()?
        .write_all(format!("{root}{rest}").as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

#[test]
fn junit_validates_against_the_junit_xsd_with_stable_names_and_classnames() {
    let xml = read("junit.xml");
    match validate_junit(&xml) {
        Some(verdict) => verdict.unwrap(),
        None => skip("xmllint not found (Debian: libxml2-utils); junit.xml not validated"),
    }
    let report = quick_junit_counts(&xml);
    assert_eq!(report, (51, 1, 0), "tests, failures, errors: {xml}");
    let cases: Vec<&str> = xml.split("<testcase ").skip(1).collect();
    assert!(
        cases.iter().all(|c| regex::Regex::new(
            r#"^name="[^"]+" classname="losgehts\.[a-z0-9_]+""#
        )
        .unwrap()
        .is_match(c)),
        "every testcase names its provider and feature: {xml}"
    );
    let names = regex::Regex::new(r#"<testcase name="([^"]*)""#).unwrap();
    for name in names.captures_iter(&xml) {
        assert!(
            !name[1].contains(".feature"),
            "a line-free name: {}",
            &name[1]
        );
    }
    assert!(xml.contains("classname=\"losgehts.code_is_single_use\" time=\""));
    assert!(xml.contains("<system-out>features/losgehts/code_is_single_use.feature:"));
    assert!(xml.contains("<failure message="), "{xml}");
}

/// `(tests, failures, errors)` of the root element.
fn quick_junit_counts(xml: &str) -> (usize, usize, usize) {
    let root = &xml[..xml.find("<testsuite ").unwrap()];
    let attr = |name: &str| -> usize {
        regex::Regex::new(&format!(r#" {name}="(\d+)""#))
            .unwrap()
            .captures(root)
            .map(|c| c[1].parse().unwrap())
            .unwrap()
    };
    (attr("tests"), attr("failures"), attr("errors"))
}

#[test]
fn cucumber_json_puts_each_background_before_its_scenario_and_tags_with_at() {
    let features: Vec<Value> = serde_json::from_str(&read("cucumber.json")).unwrap();
    let uris: Vec<&str> = features
        .iter()
        .map(|f| f["uri"].as_str().unwrap())
        .collect();
    assert!(uris.is_sorted(), "{uris:?}");
    let mut backgrounds = 0;
    for feature in &features {
        assert!(
            feature["tags"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["name"].as_str().unwrap().starts_with('@')),
            "{}",
            feature["tags"]
        );
        let elements = feature["elements"].as_array().unwrap();
        let mut last_line = 0;
        for (i, e) in elements.iter().enumerate() {
            if e["type"] == "background" {
                backgrounds += 1;
                let next = &elements[i + 1];
                assert_eq!(
                    next["type"], "scenario",
                    "a background precedes its scenario"
                );
                assert!(e["line"].as_u64() < next["line"].as_u64());
                assert_eq!(e["keyword"], "Background");
            } else {
                let line = e["line"].as_u64().unwrap();
                assert!(line > last_line, "scenarios in file order");
                last_line = line;
                assert!(
                    e["start_timestamp"]
                        .as_str()
                        .is_some_and(|t| t.ends_with('Z'))
                );
                for tag in e["tags"].as_array().unwrap() {
                    assert!(tag["name"].as_str().unwrap().starts_with('@'));
                }
            }
        }
    }
    assert!(backgrounds > 10, "losgehts's features have backgrounds");
}

#[test]
fn every_report_says_when_with_what_and_against_what_it_ran() {
    let version = concat!("idp-conformance ", env!("CARGO_PKG_VERSION"));
    let start = regex::Regex::new(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}").unwrap();
    for name in [
        "junit.xml",
        "summary.md",
        "results.json",
        "run.json",
        "index.html",
    ] {
        let text = read(name).replace("&#x2f;", "/");
        assert!(text.contains(version), "{name} names the version");
        assert!(start.is_match(&text), "{name} says when the run started");
        assert!(
            text.contains("http://127.0.0.1:"),
            "{name} names the base URL"
        );
    }
    let results: Value = serde_json::from_str(&read("results.json")).unwrap();
    assert!(results["run"]["duration_ms"].as_u64().is_some());
    assert!(results["run"]["base_urls"]["losgehts"].is_string());
    // cucumber.json has no place for the run: each scenario's start time is there.
    assert!(start.is_match(&read("cucumber.json")));
}

#[test]
fn junit2html_renders_junit_xml_with_a_class_per_feature() {
    let out_file = run().join("junit2html.html");
    let Ok(out) = Command::new("junit2html")
        .arg(run().join("junit.xml"))
        .arg(&out_file)
        .output()
    else {
        return skip("junit2html not found (pip install -r tests/consumers/requirements.txt)");
    };
    assert!(out.status.success(), "{}", common::text(&out));
    assert!(out.stderr.is_empty(), "{}", common::text(&out));
    let html = std::fs::read_to_string(&out_file).unwrap();
    assert!(!html.contains("no-testclass"), "every test has a class");
    assert!(html.contains("losgehts.code_is_single_use"));
}

#[test]
fn cucumber_html_reporter_renders_cucumber_json_without_a_warning() {
    let consumers = common::root().join("tests/consumers");
    if !consumers
        .join("node_modules/cucumber-html-reporter")
        .is_dir()
    {
        return skip("cucumber-html-reporter not installed (npm ci in tests/consumers)");
    }
    let out_file = run().join("cucumber-report.html");
    let Ok(out) = Command::new("node")
        .arg("cucumber-report.js")
        .arg(run().join("cucumber.json"))
        .arg(&out_file)
        .current_dir(&consumers)
        .output()
    else {
        return skip("node not found");
    };
    assert!(out.status.success(), "{}", common::text(&out));
    assert!(out.stderr.is_empty(), "{}", common::text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(
        !stdout.contains("warn") && !stdout.contains("error"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(&out_file).unwrap();
    assert!(html.contains("A code exchanged a second time is refused with invalid_grant"));
    assert!(html.contains("@documented"), "tags keep their @");
}
