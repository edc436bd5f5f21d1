//! The human summaries of a run: `summary.md` (a table per provider, each failure with its
//! reason) and the console summary printed at the end.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{ScenarioResult, Status};

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

/// `summary.md`: one table row per provider, then every failure and every skip with its reason.
pub fn markdown_summary(results: &[ScenarioResult], target: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# idp-conformance summary\n\nTarget: {target}\n");
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
        for r in failed {
            let kind = if r.environment_error {
                " (environment error)"
            } else {
                ""
            };
            let _ = writeln!(out, "### {} / {}{kind}\n", r.provider, r.scenario);
            let _ = writeln!(out, "`{}:{}`\n", r.file, r.line);
            let _ = writeln!(
                out,
                "```text\n{}\n```\n",
                r.failure.as_deref().unwrap_or("(no message)")
            );
        }
    }
    let skipped: Vec<_> = results
        .iter()
        .filter(|r| r.status == Status::Skipped)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\n## Skipped\n");
        for r in skipped {
            let _ = writeln!(
                out,
                "- {} / {} (`{}:{}`): {}",
                r.provider,
                r.scenario,
                r.file,
                r.line,
                r.skip_reason.as_deref().unwrap_or("")
            );
        }
    }
    out
}

/// The lines printed after cucumber's own output: per provider, then failures, then the verdict.
pub fn console_summary(results: &[ScenarioResult]) -> String {
    let mut out = String::from("\nidp-conformance summary\n");
    for (provider, c) in by_provider(results) {
        let _ = writeln!(
            out,
            "  {provider:<12} {:>3} passed  {:>3} failed  {:>3} skipped",
            c.passed, c.failed, c.skipped
        );
    }
    for r in results.iter().filter(|r| r.status == Status::Failed) {
        let _ = writeln!(
            out,
            "\nFAILED {} / {}  ({}:{})",
            r.provider, r.scenario, r.file, r.line
        );
        for line in r.failure.as_deref().unwrap_or_default().lines().take(24) {
            let _ = writeln!(out, "    {line}");
        }
    }
    let skipped: Vec<_> = results
        .iter()
        .filter(|r| r.status == Status::Skipped)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped:");
        for r in skipped {
            let _ = writeln!(
                out,
                "  {} / {}: {}",
                r.provider,
                r.scenario,
                r.skip_reason.as_deref().unwrap_or("")
            );
        }
    }
    out
}
