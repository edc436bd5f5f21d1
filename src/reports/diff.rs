//! `idp-conformance diff BASELINE CANDIDATE`: what changed between two runs (say staging today
//! and staging after the provider's upgrade): scenarios whose verdict changed, scenarios added
//! or removed, and response-shape drift per endpoint (fields added, removed, or of another type
//! or format). A regression is a scenario that passed and now fails, or a field the baseline
//! answered that is now gone or of another kind: exit 1.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::reports::shape::EndpointShape;
use crate::reports::{RunRecord, ScenarioResult, Status, templates};

/// Everything that changed between two runs.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    pub baseline: RunInfo,
    pub candidate: RunInfo,
    /// Providers only one run tested: their scenarios and shapes are not compared.
    pub not_compared: Vec<String>,
    pub changed: Vec<Change>,
    pub added: Vec<ScenarioRef>,
    pub removed: Vec<ScenarioRef>,
    pub drift: Vec<EndpointDrift>,
    pub regressions: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    pub file: String,
    pub target: String,
    pub tool: String,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// A scenario whose verdict changed.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub key: String,
    pub before: &'static str,
    pub after: &'static str,
    /// Passed before, failed now.
    pub regression: bool,
    /// Failed before, passed now.
    pub fixed: bool,
    /// Why it fails now: the check's title with expected and actual.
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioRef {
    pub key: String,
    pub status: &'static str,
}

/// The drift of one endpoint's answers with one status.
#[derive(Clone, Debug, Serialize)]
pub struct EndpointDrift {
    pub provider: String,
    pub endpoint: String,
    pub status: u16,
    /// `both`, `baseline` (this answer is no longer seen) or `candidate` (newly seen).
    pub seen_in: &'static str,
    pub fields: Vec<FieldDrift>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FieldDrift {
    pub pointer: String,
    /// `added`, `removed` or `changed` (type or format).
    pub change: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
    pub regression: bool,
}

/// Compares two runs.
pub fn compare(
    baseline: &RunRecord,
    baseline_file: &str,
    candidate: &RunRecord,
    candidate_file: &str,
) -> Diff {
    let providers = |r: &RunRecord| -> BTreeSet<String> {
        r.scenarios.iter().map(|s| s.provider.clone()).collect()
    };
    let (bp, cp) = (providers(baseline), providers(candidate));
    let compared: BTreeSet<&String> = bp.intersection(&cp).collect();
    let not_compared = bp.symmetric_difference(&cp).cloned().collect();

    let before = keyed(&baseline.scenarios, &compared);
    let after = keyed(&candidate.scenarios, &compared);
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    for (key, b) in &before {
        match after.get(key) {
            Some(a) if a.status != b.status => changed.push(Change {
                key: key.clone(),
                before: status_name(b.status),
                after: status_name(a.status),
                regression: b.status == Status::Passed && a.status == Status::Failed,
                fixed: b.status == Status::Failed && a.status == Status::Passed,
                reason: a.failure.as_deref().map(reason),
            }),
            Some(_) => {}
            None => removed.push(ScenarioRef {
                key: key.clone(),
                status: status_name(b.status),
            }),
        }
    }
    let added = after
        .iter()
        .filter(|(k, _)| !before.contains_key(*k))
        .map(|(k, a)| ScenarioRef {
            key: k.clone(),
            status: status_name(a.status),
        })
        .collect();
    let drift = shape_drift(&baseline.shapes, &candidate.shapes, &compared);
    let regressions = changed.iter().filter(|c| c.regression).count()
        + drift
            .iter()
            .flat_map(|d| &d.fields)
            .filter(|f| f.regression)
            .count();
    Diff {
        baseline: info(baseline, baseline_file),
        candidate: info(candidate, candidate_file),
        not_compared,
        changed,
        added,
        removed,
        drift,
        regressions,
    }
}

fn info(record: &RunRecord, file: &str) -> RunInfo {
    let count = |s: Status| record.scenarios.iter().filter(|r| r.status == s).count();
    RunInfo {
        file: file.to_owned(),
        target: record.run.target.clone(),
        tool: record.run.tool.clone(),
        passed: count(Status::Passed),
        failed: count(Status::Failed),
        skipped: count(Status::Skipped),
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
    }
}

/// A scenario's identity across runs: provider, feature file name and scenario name (the
/// features folder may lie elsewhere; the file's name does not change). A name that repeats in
/// one file gets `#2`, `#3`, ... in file order.
fn keyed<'a>(
    results: &'a [ScenarioResult],
    providers: &BTreeSet<&String>,
) -> BTreeMap<String, &'a ScenarioResult> {
    let mut sorted: Vec<&ScenarioResult> = results
        .iter()
        .filter(|r| providers.contains(&r.provider))
        .collect();
    sorted.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    let mut out = BTreeMap::new();
    for r in sorted {
        let stem = Path::new(&r.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = format!("{} / {stem}: {}", r.provider, r.scenario);
        let mut key = base.clone();
        let mut n = 1;
        while out.contains_key(&key) {
            n += 1;
            key = format!("{base} #{n}");
        }
        out.insert(key, r);
    }
    out
}

/// A failure's title with its expected and actual values, on one line.
fn reason(failure: &str) -> String {
    let view = crate::reports::failure_view::FailureView::parse(failure).failure;
    let mut out = view.title.clone();
    if let (Some(e), Some(a)) = (&view.expected, &view.actual) {
        out.push_str(&format!(" (expected {e}; actual {a})"));
    } else if let Some(d) = view.details.first() {
        out.push_str(&format!(": {d}"));
    }
    out
}

fn shape_drift(
    baseline: &[EndpointShape],
    candidate: &[EndpointShape],
    providers: &BTreeSet<&String>,
) -> Vec<EndpointDrift> {
    let index =
        |shapes: &'_ [EndpointShape]| -> BTreeMap<(String, String, u16), BTreeMap<String, String>> {
            shapes
                .iter()
                .filter(|s| providers.contains(&s.provider))
                .map(|s| {
                    (
                        (s.provider.clone(), s.endpoint.clone(), s.status),
                        s.fields.clone(),
                    )
                })
                .collect()
        };
    let (before, after) = (index(baseline), index(candidate));
    let keys: BTreeSet<&(String, String, u16)> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let (provider, endpoint, status) = key.clone();
        let drift = |seen_in, fields| EndpointDrift {
            provider,
            endpoint,
            status,
            seen_in,
            fields,
        };
        match (before.get(key), after.get(key)) {
            (Some(b), Some(a)) => {
                let fields = field_drift(b, a);
                if !fields.is_empty() {
                    out.push(drift("both", fields));
                }
            }
            (Some(_), None) => out.push(drift("baseline", Vec::new())),
            (None, Some(_)) => out.push(drift("candidate", Vec::new())),
            (None, None) => {}
        }
    }
    out
}

fn field_drift(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<FieldDrift> {
    let pointers: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    pointers
        .into_iter()
        .filter_map(|p| {
            let (b, a) = (before.get(p), after.get(p));
            let change = match (b, a) {
                (Some(b), Some(a)) if b == a => return None,
                (Some(_), Some(_)) => "changed",
                (Some(_), None) => "removed",
                (None, _) => "added",
            };
            Some(FieldDrift {
                pointer: if p.is_empty() {
                    "(body)".to_owned()
                } else {
                    p.clone()
                },
                change,
                before: b.cloned(),
                after: a.cloned(),
                regression: change != "added",
            })
        })
        .collect()
}

/// The Markdown rendering of a diff (stdout, `diff.md`).
pub fn markdown(diff: &Diff) -> Result<String, String> {
    templates::render("diff.md", diff)
}
