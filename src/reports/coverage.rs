//! The coverage table of each provider's behaviour catalogue (`catalogue/<name>.toml`), shown by
//! `docs` and `index.html`: every observable statement of the document with the scenarios that
//! check it (and, in a run, their verdicts), the mock defects that break it, and why a row is
//! not checked. A reader sees what is checked, what is not, and why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cucumber::gherkin;
use serde::Serialize;

use crate::contract::catalogue::{self, Catalogue, Kind};
use crate::providers::Provider;
use crate::reports::{ScenarioResult, Status};

/// One provider's catalogue, as the page shows it.
#[derive(Debug, Serialize)]
pub struct Coverage {
    /// The document's title and location.
    pub document: String,
    pub rows: Vec<RowView>,
    /// Per kind: how many rows, how many of them checked by a scenario and a defect.
    pub kinds: Vec<KindCount>,
    /// Why the catalogue cannot be shown (it does not parse), instead of rows.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RowView {
    pub id: String,
    pub section: String,
    pub quote: String,
    pub kind: &'static str,
    /// The RFC section a `standard` row follows.
    pub standard: Option<String>,
    pub scenarios: Vec<ScenarioRef>,
    pub defects: Vec<String>,
    pub reason: Option<String>,
    /// A scenario checks it and a defect proves that scenario can fail.
    pub checked: bool,
}

#[derive(Debug, Serialize)]
pub struct ScenarioRef {
    /// `feature file stem: scenario name`.
    pub name: String,
    /// `passed`, `failed`, `skipped`, `not-run` in a run; `doc` on the documentation page.
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub rows: usize,
    pub checked: usize,
    /// Documented and standard rows are to be checked; the others say why they cannot be.
    pub checkable: bool,
}

/// The coverage of `provider`'s catalogue against `features` (outlines expanded), with the
/// verdicts of `results` when the page shows a run. `None` when the catalogue has no row.
pub fn table(
    provider: Provider,
    features: &[gherkin::Feature],
    results: Option<&[ScenarioResult]>,
) -> Option<Coverage> {
    let catalogue = match Catalogue::parse(provider.catalogue()) {
        Ok(c) => c,
        Err(e) => {
            return Some(Coverage {
                document: provider.citation().to_owned(),
                rows: Vec::new(),
                kinds: Vec::new(),
                error: Some(format!("catalogue/{}.toml: {e}", provider.name())),
            });
        }
    };
    if catalogue.rows.is_empty() {
        return None;
    }
    let scenarios = catalogue::scenarios_of(features, provider.name());
    let by_row = catalogue::scenarios_by_row(&scenarios);
    let verdicts: Option<BTreeMap<String, Status>> = results.map(|rs| {
        rs.iter()
            .filter(|r| r.provider == provider.name())
            .map(|r| (key(r), r.status))
            .collect()
    });
    let none = BTreeSet::new();
    let rows: Vec<RowView> = catalogue
        .rows
        .iter()
        .map(|row| {
            let names = by_row.get(&row.id).unwrap_or(&none);
            RowView {
                id: row.id.clone(),
                section: row.section.clone(),
                quote: row.quote.clone(),
                kind: row.kind.name(),
                standard: row.standard.clone(),
                scenarios: names
                    .iter()
                    .map(|name| ScenarioRef {
                        status: status(verdicts.as_ref(), name),
                        name: name.clone(),
                    })
                    .collect(),
                defects: row.defects.clone(),
                reason: row.reason.clone(),
                checked: !names.is_empty() && !row.defects.is_empty(),
            }
        })
        .collect();
    let kinds = Kind::ALL
        .iter()
        .map(|&kind| {
            let of_kind = rows.iter().filter(|r| r.kind == kind.name());
            KindCount {
                kind: kind.name(),
                rows: of_kind.clone().count(),
                checked: of_kind.filter(|r| r.checked).count(),
                checkable: kind.checkable(),
            }
        })
        .filter(|k| k.rows > 0)
        .collect();
    let location = &catalogue.document.location;
    Some(Coverage {
        document: if location.is_empty() {
            catalogue.document.title.clone()
        } else {
            format!("{} ({location})", catalogue.document.title)
        },
        rows,
        kinds,
        error: None,
    })
}

/// A result's `feature file stem: scenario name`, as the catalogue keys scenarios.
fn key(r: &ScenarioResult) -> String {
    let stem = Path::new(&r.file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{stem}: {}", r.scenario)
}

fn status(verdicts: Option<&BTreeMap<String, Status>>, name: &str) -> &'static str {
    match verdicts.map(|v| v.get(name)) {
        None => "doc",
        Some(None) => "not-run",
        Some(Some(Status::Passed)) => "passed",
        Some(Some(Status::Failed)) => "failed",
        Some(Some(Status::Skipped)) => "skipped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features() -> Vec<gherkin::Feature> {
        crate::contract::features::load(&crate::contract::embedded::Source::Embedded).unwrap()
    }

    /// The losgehts table in the documentation: every row, its scenarios, defects and reason.
    #[test]
    fn the_documentation_shows_every_row_with_its_scenarios() {
        let losgehts = Provider::named("losgehts");
        let table = table(losgehts, &features(), None).unwrap();
        assert!(table.error.is_none());
        let rendered: Vec<String> = table
            .rows
            .iter()
            .map(|r| {
                let scenarios: Vec<String> = r
                    .scenarios
                    .iter()
                    .map(|s| format!("{} [{}]", s.name, s.status))
                    .collect();
                format!(
                    "{} {} checked={} scenarios={scenarios:?} defects={:?} reason={:?}",
                    r.id, r.kind, r.checked, r.defects, r.reason
                )
            })
            .collect();
        insta::assert_snapshot!(rendered.join("\n"));
        let kinds: Vec<String> = table
            .kinds
            .iter()
            .map(|k| format!("{}: {} of {}", k.kind, k.checked, k.rows))
            .collect();
        insta::assert_snapshot!("losgehts_kinds", kinds.join("\n"));
    }

    #[test]
    fn a_run_shows_each_scenario_verdict_and_what_did_not_run() {
        let losgehts = Provider::named("losgehts");
        let features = features();
        let scenarios = catalogue::scenarios_of(&features, "losgehts");
        let first = &scenarios[0];
        let result: ScenarioResult = serde_json::from_value(serde_json::json!({
            "provider": "losgehts", "feature": "f", "file": first.file, "line": first.line,
            "scenario": first.key.split_once(": ").unwrap().1, "tags": [], "status": "failed",
            "failure": null, "environment_error": false, "skip_reason": null,
            "duration_ms": 1, "retries": 0
        }))
        .unwrap();
        let table = table(losgehts, &features, Some(&[result])).unwrap();
        let statuses: BTreeSet<(&str, &str)> = table
            .rows
            .iter()
            .flat_map(|r| r.scenarios.iter())
            .map(|s| (s.name.as_str(), s.status))
            .collect();
        assert!(
            statuses.contains(&(first.key.as_str(), "failed")),
            "{statuses:?}"
        );
        assert!(statuses.iter().any(|(_, s)| *s == "not-run"));
        assert!(statuses.iter().all(|(_, s)| *s != "doc"));
    }

    #[test]
    fn a_provider_whose_catalogue_has_no_row_gets_no_table() {
        // A placeholder catalogue (the [document] table alone) shows nothing rather than an
        // empty table.
        for p in Provider::all() {
            let cat = Catalogue::parse(p.catalogue()).unwrap();
            assert_eq!(table(p, &[], None).is_none(), cat.rows.is_empty(), "{p:?}");
        }
    }
}
