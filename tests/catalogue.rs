//! Every provider's behaviour catalogue (`catalogue/<name>.toml`, docs/catalogue.md) agrees
//! with its features, its mock and the defect matrix: every documented or standard row has a
//! scenario and a defect (or a written reason), every scenario names rows that exist, every
//! defect is listed by a row, and a defect makes only its rows' scenarios fail.
//!
//! The rules are `contract/catalogue.rs`'s own, included here so the test and the reports read
//! catalogues with the same code. Each problem is one line naming the provider, the row, the
//! scenario and the defect to fix.

mod common;

#[path = "../src/contract/catalogue.rs"]
mod catalogue;

use std::collections::{BTreeMap, BTreeSet};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};

/// The providers whose catalogue another piece of work still has to fill (a `[document]` table
/// alone): listed, not failed, until their rows arrive. Remove a name as its catalogue lands.
const PENDING: &[&str] = &[];

fn providers() -> Vec<String> {
    let out = common::bin().args(["defects"]).output().unwrap();
    assert!(out.status.success(), "{}", common::text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(':'))
        .map(str::to_owned)
        .collect()
}

fn features() -> Vec<gherkin::Feature> {
    let mut files: Vec<_> = walk(&common::root().join("features"));
    files.sort();
    files
        .iter()
        .map(|p| {
            gherkin::Feature::parse_path(p, GherkinEnv::default())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
                .expand_examples()
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    out
}

#[test]
fn every_catalogue_agrees_with_its_features_mock_and_defect_matrix() {
    let root = common::root();
    let features = features();
    let matrix: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> =
        toml::from_str(&std::fs::read_to_string(root.join("tests/defect_matrix.toml")).unwrap())
            .expect("tests/defect_matrix.toml parses");
    let providers = providers();
    assert!(providers.len() >= 5, "the providers table: {providers:?}");
    let mut problems = Vec::new();
    let mut pending = Vec::new();
    for provider in &providers {
        let path = root.join(format!("catalogue/{provider}.toml"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            problems.push(format!("{provider}: {} is missing", path.display()));
            continue;
        };
        let catalogue = match catalogue::Catalogue::parse(&text) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let scenarios = catalogue::scenarios_of(&features, provider);
        if catalogue.rows.is_empty() && PENDING.contains(&provider.as_str()) {
            pending.push(format!("{provider} ({} scenarios)", scenarios.len()));
            continue;
        }
        let defects: BTreeSet<String> = common::defects_of(provider).into_iter().collect();
        let none = BTreeMap::new();
        let found = catalogue::problems(
            provider,
            &catalogue,
            &catalogue::Evidence {
                scenarios: &scenarios,
                defects: &defects,
                matrix: matrix.get(provider).unwrap_or(&none),
            },
        );
        problems.extend(found);
    }
    if !pending.is_empty() {
        eprintln!(
            "catalogue: not yet filled, listed and not checked: {}",
            pending.join(", ")
        );
    }
    assert!(
        problems.is_empty(),
        "{} catalogue problem(s) (docs/catalogue.md):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The counts of the final report: per provider, rows by kind and how many are checked.
#[test]
fn the_catalogues_say_how_much_they_cover() {
    let features = features();
    for provider in providers() {
        let text =
            std::fs::read_to_string(common::root().join(format!("catalogue/{provider}.toml")))
                .unwrap();
        let Ok(catalogue) = catalogue::Catalogue::parse(&text) else {
            continue;
        };
        let by_row = catalogue::scenarios_by_row(&catalogue::scenarios_of(&features, &provider));
        let mut line = Vec::new();
        for kind in catalogue::Kind::ALL {
            let rows: Vec<_> = catalogue.rows.iter().filter(|r| r.kind == kind).collect();
            let checked = rows
                .iter()
                .filter(|r| by_row.contains_key(&r.id) && !r.defects.is_empty())
                .count();
            line.push(format!("{} {checked}/{}", kind.name(), rows.len()));
        }
        eprintln!("catalogue {provider}: {}", line.join(", "));
    }
}
