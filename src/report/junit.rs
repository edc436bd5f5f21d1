//! `junit.xml` rendered from the run's results once the run ends, finished or interrupted: one
//! testsuite per feature file, one testcase per scenario with its steps and their verdicts as
//! `system-out`, an interruption as a property of each suite. (cucumber's JUnit writer wrote
//! only when every scenario had finished, and built a console writer per scenario as it ran:
//! 11.7 M instructions of a run on cucumber's one thread.)

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{ScenarioResult, Status};

/// JUnit XML of `results`; for an incomplete run, each suite carries `incomplete` (why).
pub fn junit_from_results(results: &[ScenarioResult], incomplete: Option<&str>) -> String {
    let mut by_file: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for r in results {
        by_file.entry(r.file.as_str()).or_default().push(r);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    match incomplete {
        Some(note) => {
            let _ = writeln!(out, "<testsuites name=\"{}\">", escape(note));
        }
        None => out.push_str("<testsuites>\n"),
    }
    for (id, (file, cases)) in by_file.iter().enumerate() {
        let count = |s: Status| cases.iter().filter(|r| r.status == s).count();
        let feature = cases
            .first()
            .map(|r| r.feature.as_str())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<testsuite id=\"{id}\" name=\"{}\" tests=\"{}\" errors=\"0\" failures=\"{}\" \
             skipped=\"{}\" time=\"{:.3}\">",
            escape(&format!("Feature: {feature}: {file}")),
            cases.len(),
            count(Status::Failed),
            count(Status::Skipped),
            cases.iter().map(|r| r.duration_ms).sum::<u64>() as f64 / 1000.0
        );
        if let Some(note) = incomplete {
            let _ = writeln!(
                out,
                "<properties><property name=\"incomplete\" value=\"{}\"/></properties>",
                escape(note)
            );
        }
        for r in cases {
            let _ = write!(
                out,
                "<testcase name=\"{}\" time=\"{:.3}\">",
                escape(&format!("Scenario: {}: {}:{}", r.scenario, r.file, r.line)),
                r.duration_ms as f64 / 1000.0
            );
            match r.status {
                Status::Passed => {}
                Status::Failed => {
                    let failure = r.failure.as_deref().unwrap_or_default();
                    let title = failure.lines().nth(1).unwrap_or(failure);
                    let _ = write!(
                        out,
                        "<failure message=\"{}\">{}</failure>",
                        escape(title),
                        escape_text(failure)
                    );
                }
                Status::Skipped => {
                    let _ = write!(
                        out,
                        "<skipped message=\"{}\"/>",
                        escape(r.skip_reason.as_deref().unwrap_or_default())
                    );
                }
            }
            system_out(&mut out, r);
            out.push_str("</testcase>\n");
        }
        out.push_str("</testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The scenario and each step that ran with its verdict, as the console shows them.
fn system_out(out: &mut String, r: &ScenarioResult) {
    if r.steps.is_empty() {
        return;
    }
    let mut text = format!("  Scenario: {}\n", r.scenario);
    for step in &r.steps {
        let mark = match step.status {
            Status::Passed => '✔',
            Status::Failed => '✘',
            Status::Skipped => '?',
        };
        let _ = writeln!(text, "   {mark}  {}", step.step);
    }
    let _ = write!(out, "<system-out>{}</system-out>", escape_text(&text));
}

/// Text as XML character data, line breaks kept.
fn escape_text(text: &str) -> String {
    escape(text).replace("&#10;", "\n")
}

/// Text as XML character data or attribute value; characters XML 1.0 forbids are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(
        line: usize,
        status: &str,
        failure: Option<&str>,
        skip: Option<&str>,
    ) -> ScenarioResult {
        serde_json::from_value(serde_json::json!({
            "provider": "losgehts", "feature": "Codes <once>",
            "file": "features/losgehts/x.feature", "line": line, "scenario": format!("s{line}"),
            "tags": [], "status": status, "failure": failure, "environment_error": false,
            "skip_reason": skip, "duration_ms": 1500, "retries": 0,
        }))
        .unwrap()
    }

    #[test]
    fn every_result_is_a_testcase_and_markup_is_escaped() {
        let xml = junit_from_results(
            &[
                result(3, "passed", None, None),
                result(
                    5,
                    "failed",
                    Some("Then x (line 6)\nthe status & \"body\"\u{1}"),
                    None,
                ),
                result(7, "skipped", None, Some("not finished: interrupted")),
            ],
            Some("incomplete: interrupted"),
        );
        assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
        assert!(
            xml.contains("tests=\"3\" errors=\"0\" failures=\"1\" skipped=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("name=\"Feature: Codes &lt;once&gt;: features/losgehts/x.feature\""),
            "{xml}"
        );
        assert!(
            xml.contains("<failure message=\"the status &amp; &quot;body&quot;\">"),
            "{xml}"
        );
        assert!(
            xml.contains("<skipped message=\"not finished: interrupted\"/>"),
            "{xml}"
        );
        assert!(!xml.contains('\u{1}'));
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
        let xml = junit_from_results(&[result(3, "passed", None, None), failed], None);
        insta::assert_snapshot!(xml);
    }
}
