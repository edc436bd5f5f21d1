//! `junit.xml` rendered from the run's results once the run ends, finished or interrupted: one
//! testsuite per feature file, one testcase per scenario with its steps and their verdicts as
//! `system-out`, an interruption as a property of each suite. (cucumber's JUnit writer wrote
//! only when every scenario had finished, and built a console writer per scenario as it ran:
//! 11.7 M instructions of a run on cucumber's one thread.)

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{ScenarioResult, Status};

/// JUnit XML of `results`; for an incomplete run, each suite carries `incomplete` (why), and
/// with a `warning` (TLS verification off) each suite carries that too.
pub fn junit_from_results(
    results: &[ScenarioResult],
    incomplete: Option<&str>,
    warning: Option<&str>,
) -> String {
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
        let properties: Vec<String> = [("incomplete", incomplete), ("warning", warning)]
            .into_iter()
            .filter_map(|(name, value)| {
                value.map(|v| format!("<property name=\"{name}\" value=\"{}\"/>", escape(v)))
            })
            .collect();
        if !properties.is_empty() {
            let _ = writeln!(out, "<properties>{}</properties>", properties.concat());
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
    escaped(text, false)
}

/// Text as XML character data or attribute value; characters XML 1.0 forbids are dropped.
fn escape(text: &str) -> String {
    escaped(text, true)
}

/// `text` with markup escaped, tabs and carriage returns as spaces, line breaks as `&#10;` if
/// `encode_newlines`, and the characters XML 1.0 forbids dropped. The runs between two such
/// characters are copied whole (character by character, this was 9 M instructions a run). Each
/// is an ASCII byte or U+FFFE/U+FFFF (`EF BF BE`/`EF BF BF`), so every cut is on a character
/// boundary.
fn escaped(text: &str, encode_newlines: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let (replacement, len) = match bytes[at] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\n' if encode_newlines => ("&#10;", 1),
            b'\t' | b'\r' => (" ", 1),
            b if b < 0x20 && b != b'\n' => ("", 1),
            0xEF if bytes.get(at + 1) == Some(&0xBF)
                && matches!(bytes.get(at + 2), Some(0xBE | 0xBF)) =>
            {
                ("", 3)
            }
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(&text[copied..at]);
        out.push_str(replacement);
        at += len;
        copied = at;
    }
    out.push_str(&text[copied..]);
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
            None,
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
        assert_eq!(escape("a\u{fffe}b\u{ffff}é\tc\r\n"), "abé c &#10;");
        assert_eq!(escape_text("<é>\n\u{7}\"&"), "&lt;é&gt;\n&quot;&amp;");
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
        let xml = junit_from_results(&[result(3, "passed", None, None), failed], None, None);
        insta::assert_snapshot!(xml);
    }
}
