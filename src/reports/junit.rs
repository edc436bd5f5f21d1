//! `junit.xml`, written with the maintained `quick-junit` crate from the run record once the run
//! ends, finished or interrupted. What CI tools read from it:
//!
//! - one `<testsuite>` per feature file (`provider: Feature name`, its `file`), carrying the
//!   run's properties: harness version, start time, target, each provider's base URL (without
//!   credentials), and where they apply the TLS warning and the interruption;
//! - one `<testcase>` per scenario, `classname` = `provider.feature-file-stem` (dot-free, so a
//!   tool that splits package and class at the last dot reads provider and feature), named by
//!   the scenario alone (`#2`, `#3` for a repeated name): the history of a test survives a line
//!   moving; `file:line` opens its `system-out`;
//! - a failed check is a `<failure>`, an environment error (the target was not reached) an
//!   `<error>`, and each is counted in its own attribute; a skip says why.
//!
//! Times and timestamps: each suite's `timestamp` is when its first scenario started; `time`
//! attributes are seconds.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{RunRecord, ScenarioResult, Status};

/// The name of the report (its `<testsuites>`).
const REPORT_NAME: &str = "idp-conformance";

/// JUnit XML of a run.
pub fn junit(record: &RunRecord) -> String {
    report(record)
        .to_string()
        .unwrap_or_else(|e| format!("<!-- junit.xml could not be serialized: {e} -->\n"))
}

/// The run as a `quick_junit::Report`.
fn report(record: &RunRecord) -> Report {
    let mut by_file: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for r in &record.scenarios {
        by_file.entry(r.file.as_str()).or_default().push(r);
    }
    let mut report = Report::new(REPORT_NAME);
    report.set_time(Duration::from_millis(record.run.duration_ms));
    let properties = properties(record);
    for (file, mut cases) in by_file {
        cases.sort_by_key(|r| r.line);
        let first = cases[0];
        let mut suite = TestSuite::new(format!("{}: {}", first.provider, first.feature));
        suite.extra.insert("file".into(), file.into());
        suite.add_properties(properties.iter().cloned());
        let started = cases
            .iter()
            .filter_map(|r| r.started_at.as_deref())
            .filter_map(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .min()
            .or_else(|| record.run.started());
        if let Some(at) = started {
            suite.set_timestamp(at);
        }
        suite.set_time(Duration::from_millis(
            cases.iter().map(|r| r.duration_ms).sum(),
        ));
        let classname = classname(first);
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for r in cases {
            let n = seen.entry(r.scenario.as_str()).or_default();
            *n += 1;
            let name = if *n == 1 {
                r.scenario.clone()
            } else {
                format!("{} #{n}", r.scenario)
            };
            let mut case = TestCase::new(name, status(r));
            case.set_classname(classname.as_str())
                .set_time(Duration::from_millis(r.duration_ms))
                .set_system_out(system_out(r));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
}

/// `provider.feature-file-stem`.
fn classname(r: &ScenarioResult) -> String {
    let stem = Path::new(&r.file)
        .file_stem()
        .map(|s| s.to_string_lossy().replace('.', "_"))
        .unwrap_or_default();
    format!("{}.{stem}", r.provider)
}

/// What every suite carries: the run's when, what and against what.
fn properties(record: &RunRecord) -> Vec<Property> {
    let run = &record.run;
    let mut out = vec![
        Property::new("idp-conformance.version", run.tool.as_str()),
        Property::new("started_at", run.started_at.as_str()),
        Property::new("target", run.target.as_str()),
    ];
    for (provider, url) in &run.base_urls {
        out.push(Property::new(format!("base_url.{provider}"), url.as_str()));
    }
    if let Some(w) = &run.warning {
        out.push(Property::new("warning", w.as_str()));
    }
    if let Some(i) = &run.incomplete {
        out.push(Property::new("incomplete", i.as_str()));
    }
    out
}

fn status(r: &ScenarioResult) -> TestCaseStatus {
    match r.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Failed => {
            let failure = r.failure.as_deref().unwrap_or_default();
            let (kind, ty) = if r.environment_error {
                (NonSuccessKind::Error, "environment error")
            } else {
                (NonSuccessKind::Failure, "check failed")
            };
            let mut status = TestCaseStatus::non_success(kind);
            status
                .set_message(failure.lines().nth(1).unwrap_or(failure))
                .set_type(ty)
                .set_description(failure);
            status
        }
        Status::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(r.skip_reason.as_deref().unwrap_or_default());
            status
        }
    }
}

/// `file:line`, then the scenario and each step that ran with its verdict, as the console
/// shows them.
fn system_out(r: &ScenarioResult) -> String {
    let mut text = format!("{}:{}\n", r.file, r.line);
    if r.retries > 0 {
        let _ = writeln!(
            text,
            "passed after re-sending {} request(s) (transport errors)",
            r.retries
        );
    }
    if r.steps.is_empty() {
        return text;
    }
    let _ = writeln!(text, "  Scenario: {}", r.scenario);
    for step in &r.steps {
        let mark = match step.status {
            Status::Passed => '✔',
            Status::Failed => '✘',
            Status::Skipped => '?',
        };
        let _ = writeln!(text, "   {mark}  {}", step.step);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::RunInfo;

    fn result(
        line: usize,
        status: &str,
        failure: Option<&str>,
        skip: Option<&str>,
    ) -> ScenarioResult {
        serde_json::from_value(serde_json::json!({
            "provider": "losgehts", "feature": "Codes <once>",
            "file": "features/losgehts/x.feature", "line": line, "scenario": "same name",
            "tags": [], "status": status, "failure": failure, "environment_error": false,
            "skip_reason": skip, "duration_ms": 1500, "retries": 0,
        }))
        .unwrap()
    }

    fn record(scenarios: Vec<ScenarioResult>) -> RunRecord {
        let mut run = RunInfo::new("embedded mocks", std::time::UNIX_EPOCH, 4200);
        run.add_base_url("losgehts", "http://user:pw@127.0.0.1:4000/?k=v");
        run.incomplete = Some("INCOMPLETE RUN: interrupted".into());
        RunRecord::new(run, scenarios, Vec::new())
    }

    #[test]
    fn failures_and_environment_errors_are_told_apart_and_counted() {
        let mut unreachable = result(
            9,
            "failed",
            Some("When x (line 10)\nenvironment error: refused"),
            None,
        );
        unreachable.environment_error = true;
        let xml = junit(&record(vec![
            result(3, "passed", None, None),
            result(
                5,
                "failed",
                Some("Then x (line 6)\nthe status & \"body\"\u{1}"),
                None,
            ),
            result(7, "skipped", None, Some("not finished: interrupted")),
            unreachable,
        ]));
        assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
        assert!(
            xml.contains("tests=\"4\" skipped=\"1\" failures=\"1\" errors=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<error message=\"environment error: refused\" type=\"environment error\">"
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<failure message=\"the status &amp; &quot;body&quot;\" type=\"check failed\">"
            ),
            "{xml}"
        );
        assert!(xml.contains("classname=\"losgehts.x\""), "{xml}");
        assert!(xml.contains("name=\"same name #2\""), "{xml}");
        assert!(!xml.contains(":5\""), "no line number in a name: {xml}");
        assert!(
            xml.contains("<system-out>features/losgehts/x.feature:5"),
            "{xml}"
        );
        assert!(xml.contains("value=\"http://127.0.0.1:4000/\""), "{xml}");
        assert!(!xml.contains("pw@") && !xml.contains('\u{1}'));
    }

    /// `xml` validated against the Jenkins xUnit plugin's JUnit schema (tests/fixtures/junit/)
    /// with xmllint; `None` (and a notice) when xmllint is missing. The schema predates the
    /// `skipped` count on `<testsuites>` that quick-junit writes (as Maven Surefire does on
    /// `<testsuite>`): that one attribute of the root is left out of what is validated.
    pub fn validate_with_xsd(xml: &str) -> Option<Result<(), String>> {
        use std::io::Write as _;
        let root_end = xml.find("<testsuite ").unwrap_or(xml.len());
        let (root, rest) = xml.split_at(root_end);
        let root = without_attribute(root, " skipped=\"");
        let mut child = match std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/junit/junit-10.xsd"
            ))
            .arg("-")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(_) => {
                eprintln!(
                    "skipped: xmllint not found (apt-get install libxml2-utils); junit.xml not validated against the JUnit XSD"
                );
                return None;
            }
        };
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

    /// `text` without the attribute that starts with `attr` (up to its closing quote).
    fn without_attribute(text: &str, attr: &str) -> String {
        match text.find(attr) {
            Some(at) => {
                let after = &text[at + attr.len()..];
                let end = after.find('"').map_or(after.len(), |e| e + 1);
                format!("{}{}", &text[..at], &after[end..])
            }
            None => text.to_owned(),
        }
    }

    #[test]
    fn every_kind_of_verdict_validates_against_the_junit_xsd() {
        let mut unreachable = result(
            9,
            "failed",
            Some("When x (line 10)\nenvironment error: refused"),
            None,
        );
        unreachable.environment_error = true;
        let mut record = record(vec![
            result(3, "passed", None, None),
            result(
                5,
                "failed",
                Some("Then x (line 6)\n<the> \"status\" & ]]>"),
                None,
            ),
            result(7, "skipped", None, Some("not finished: interrupted")),
            unreachable,
        ]);
        record.run.warning = Some("TLS certificate verification OFF".into());
        if let Some(verdict) = validate_with_xsd(&junit(&record)) {
            verdict.unwrap();
        }
        // The check can fail: a testcase without its name is refused.
        if let Some(verdict) =
            validate_with_xsd(&junit(&record).replace("<testcase name=\"same name\"", "<testcase"))
        {
            assert!(verdict.is_err());
        }
    }

    #[test]
    fn a_finished_run_lists_each_scenario_with_its_steps() {
        let mut failed = result(
            5,
            "failed",
            Some("Then x (line 6)\nthe status is 500"),
            None,
        );
        failed.steps = serde_json::from_value(serde_json::json!([
            {"line": 6, "step": "When the client asks", "status": "passed"},
            {"line": 7, "step": "Then x", "status": "failed"},
        ]))
        .unwrap();
        let mut record = record(vec![result(3, "passed", None, None), failed]);
        record.run.incomplete = None;
        insta::assert_snapshot!(junit(&record));
    }
}
