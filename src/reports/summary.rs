//! The human summaries of a run: `summary.md` (a table per provider, each failure with its
//! reason); the console's is `console::summary`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{RunRecord, ScenarioResult, Status};

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

fn by_provider(results: &[ScenarioResult]) -> BTreeMap<&str, Counts> {
    let mut map: BTreeMap<&str, Counts> = BTreeMap::new();
    for r in results {
        let c = map.entry(r.provider.as_str()).or_default();
        match r.status {
            Status::Passed => c.passed += 1,
            Status::Failed => c.failed += 1,
            Status::Skipped => c.skipped += 1,
        }
    }
    map
}

/// At most this many failures are written out in full: a CI job summary has a size limit
/// (GitHub: 1 MiB), and `results.json` holds them all.
const MAX_FAILURES_SHOWN: usize = 50;

/// `summary.md`, written to be pasted as a CI job summary (`$GITHUB_STEP_SUMMARY`) as it is: the
/// verdict first, a table per provider, every failure with its reason (folded), the scenarios
/// that passed only after a request was re-sent, and the skips grouped by reason. Under the
/// title: an interrupted run's banner, the target, then when the run started, how long it took,
/// the harness's version and each provider's base URL.
pub fn markdown_summary(record: &RunRecord) -> String {
    let results = &record.scenarios;
    let run = &record.run;
    let mut out = String::from("# idp-conformance summary\n\n");
    for d in diagnoses(results) {
        let _ = writeln!(out, "**⚠️ Diagnosis**: {d}\n");
    }
    let _ = writeln!(out, "Target: {}\n", run.target);
    let _ = write!(
        out,
        "Started {} · {:.1} s · {}",
        run.started_at,
        run.duration_ms as f64 / 1000.0,
        run.tool
    );
    if !run.base_urls.is_empty() {
        let _ = write!(out, " · base URLs: {}", run.base_urls_line());
    }
    out.push_str("\n\n");
    let _ = writeln!(out, "{}\n", verdict(results));
    let _ = writeln!(
        out,
        "| Provider | Passed | Failed | Skipped |\n|---|---:|---:|---:|"
    );
    for (provider, c) in by_provider(results) {
        let _ = writeln!(
            out,
            "| {provider} | {} | {} | {} |",
            c.passed, c.failed, c.skipped
        );
    }
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\n## Failures\n");
        for r in failed.iter().take(MAX_FAILURES_SHOWN) {
            let kind = if r.environment_error {
                " (environment error)"
            } else {
                ""
            };
            let _ = writeln!(out, "### {} / {}{kind}\n", r.provider, r.scenario);
            let _ = writeln!(out, "`{}:{}`\n", r.file, r.line);
            let failure = r.failure.as_deref().unwrap_or("(no message)");
            let fence = fence_for(failure);
            let _ = writeln!(out, "{fence}text\n{failure}\n{fence}\n");
        }
        if failed.len() > MAX_FAILURES_SHOWN {
            let _ = writeln!(
                out,
                "… and {} more failures: see results.json.\n",
                failed.len() - MAX_FAILURES_SHOWN
            );
        }
    }
    let retried = retried(results);
    if !retried.is_empty() {
        let _ = writeln!(
            out,
            "\n## Passed after re-sending a request\n\nA transport error (no answer) or a rate \
             limit (429 or 503 with Retry-After, waited out) was retried; no check was. A flaky \
             or busy target, not a verdict.\n"
        );
        for r in retried {
            let _ = writeln!(
                out,
                "- {} / {} (`{}:{}`): {} re-send(s)",
                r.provider, r.scenario, r.file, r.line, r.retries
            );
        }
    }
    let skipped = skipped_by_reason(results);
    if !skipped.is_empty() {
        let _ = writeln!(out, "\n## Skipped\n");
        for (reason, scenarios) in skipped {
            let _ = writeln!(
                out,
                "<details><summary>{} scenario(s): {}</summary>\n",
                scenarios.len(),
                html_text(reason)
            );
            for r in scenarios {
                let _ = writeln!(
                    out,
                    "- {} / {} (`{}:{}`)",
                    r.provider, r.scenario, r.file, r.line
                );
            }
            let _ = writeln!(out, "\n</details>\n");
        }
    }
    match &run.incomplete {
        Some(banner) => with_banner(&out, banner),
        None => out,
    }
}

/// How many scenarios passed, failed and were skipped, and how many hit an environment error
/// (both summaries open with them).
pub fn counts(results: &[ScenarioResult]) -> (usize, usize, usize, usize) {
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    (
        count(Status::Passed),
        count(Status::Failed),
        count(Status::Skipped),
        results.iter().filter(|r| r.environment_error).count(),
    )
}

/// One line a CI reader sees first: what the exit code will say.
fn verdict(results: &[ScenarioResult]) -> String {
    let (passed, failed, skipped, environment) = counts(results);
    if environment > 0 {
        format!(
            "**⚠️ Environment error**: {environment} scenario(s) could not reach the target or \
             obtain an authorization (exit 3, not a verdict); {passed} passed, {failed} failed, \
             {skipped} skipped."
        )
    } else if failed > 0 {
        format!("**❌ {failed} failed**, {passed} passed, {skipped} skipped.")
    } else {
        format!("**✅ All {passed} run scenario(s) passed**, {skipped} skipped.")
    }
}

/// Text inside an HTML element of the Markdown (a `<summary>`): `<`, `>` and `&` escaped.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A code fence no line of `text` can close: longer than its longest run of backticks
/// (CommonMark closes a fence only with at least as many).
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// `summary.md` with a banner (an incomplete run's) under its title.
pub fn with_banner(summary: &str, banner: &str) -> String {
    let (title, rest) = summary.split_once('\n').unwrap_or((summary, ""));
    format!("{title}\n\n> **{banner}**\n{rest}")
}

/// The scenarios that passed only after a request was re-sent (both summaries list them).
pub fn retried(results: &[ScenarioResult]) -> Vec<&ScenarioResult> {
    results
        .iter()
        .filter(|r| r.status == Status::Passed && r.retries > 0)
        .collect()
}

/// The skipped scenarios grouped by their reason (both summaries count them so).
pub fn skipped_by_reason(results: &[ScenarioResult]) -> BTreeMap<&str, Vec<&ScenarioResult>> {
    let mut skipped: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for r in results.iter().filter(|r| r.status == Status::Skipped) {
        skipped
            .entry(r.skip_reason.as_deref().unwrap_or(""))
            .or_default()
            .push(r);
    }
    skipped
}

/// The diagnoses a run opens its summaries with: each distinct cause that makes every verdict
/// of a provider meaningless (a misconfigured client), as its environment errors state it.
pub fn diagnoses(results: &[ScenarioResult]) -> Vec<&str> {
    let mut found: Vec<&str> = results
        .iter()
        .filter(|r| r.environment_error)
        .filter_map(|r| r.failure.as_deref())
        .flat_map(str::lines)
        .filter_map(|l| l.trim_start().strip_prefix("environment error: "))
        .filter(|l| l.starts_with(crate::contract::checks::MISCONFIGURED_CLIENT))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// The console summary at its default detail, without colour (`merge-reports`).
pub fn console_summary(results: &[ScenarioResult]) -> String {
    super::console::summary(
        results,
        super::console::Detail::Failures,
        super::console::Palette { color: false },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_cannot_close_its_code_block() {
        let failure = "title\n  actual:   ```\n# PASSED\n````` and more";
        let result = ScenarioResult {
            provider: "losgehts".into(),
            feature: "f".into(),
            file: "features/losgehts/f.feature".into(),
            line: 3,
            scenario: "s".into(),
            tags: Vec::new(),
            status: Status::Failed,
            failure: Some(failure.into()),
            environment_error: false,
            skip_reason: None,
            duration_ms: 1,
            started_at: None,
            retries: 0,
            steps: Vec::new(),
            warnings: Vec::new(),
        };
        let record = RunRecord::new(
            crate::reports::RunInfo::new("t", std::time::UNIX_EPOCH, 1),
            vec![result],
            Vec::new(),
        );
        let md = markdown_summary(&record);
        assert!(md.contains("``````text\ntitle"), "{md}");
        assert!(md.contains("more\n``````\n"), "{md}");
        assert_eq!(fence_for("plain"), "```");
    }
}
