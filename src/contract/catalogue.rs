//! The behaviour catalogue of each provider's document (`catalogue/<name>.toml`, format in
//! `docs/catalogue.md`): every statement a client could observe over HTTP as a row with a stable
//! id, the document's words and section, its kind, and the mock defects that break it. A row's
//! scenarios are derived from the scenarios' tags (`@LG-012`), never listed in the file.
//!
//! This module is self-contained (serde, toml, gherkin) so that `tests/catalogue.rs` enforces the
//! rules with the very code the reports read the catalogue with.

#![allow(
    dead_code,
    reason = "the cross-checks (`problems`) run in tests/catalogue.rs, which includes this file"
)]

use std::collections::{BTreeMap, BTreeSet};

use cucumber::gherkin;
use serde::{Deserialize, Serialize};

/// One provider's catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub document: Document,
    #[serde(default, rename = "row")]
    pub rows: Vec<Row>,
}

/// The document the rows come from, as the features cite it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub title: String,
    /// Its public location; empty when none is known.
    pub location: String,
}

/// What a row records.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The document states it.
    Documented,
    /// The document is silent; the scenarios follow the named RFC section.
    Standard,
    /// The document asks something of the client; nothing the provider does shows it.
    ClientObligation,
    /// The provider promises it, but no HTTP client can observe it.
    NotObservable,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Documented,
        Kind::Standard,
        Kind::ClientObligation,
        Kind::NotObservable,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Documented => "documented",
            Kind::Standard => "standard",
            Kind::ClientObligation => "client-obligation",
            Kind::NotObservable => "not-observable",
        }
    }

    /// Must a scenario and a defect check a row of this kind (unless it gives a reason)?
    pub fn checkable(self) -> bool {
        matches!(self, Kind::Documented | Kind::Standard)
    }
}

/// One observable statement of the document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Stable and never reused: the provider's prefix, a dash, three digits (`LG-012`).
    pub id: String,
    /// The document's section (for oauth2, the RFC section).
    pub section: String,
    /// The document's own words, short.
    pub quote: String,
    pub kind: Kind,
    /// The RFC section a `standard` row follows.
    #[serde(default)]
    pub standard: Option<String>,
    /// The names of the provider's mock defects that break this row.
    #[serde(default)]
    pub defects: Vec<String>,
    /// Why the row is not (fully) checked.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The longest quote a row may carry.
pub const MAX_QUOTE: usize = 200;

/// The id prefix of each provider's rows.
pub fn prefix(provider: &str) -> Option<&'static str> {
    Some(match provider {
        "losgehts" => "LG",
        "authenteq" => "AQ",
        "sso_v1" => "SSO",
        "loginsign" => "LS",
        "oauth2" => "O2",
        _ => return None,
    })
}

/// Is `tag` (without its `@`) a row id: a capital and one or two capitals or digits, a dash,
/// three digits (`LG-012`, `SSO-100`, `O2-001`)?
pub fn is_row_id(tag: &str) -> bool {
    let Some((head, digits)) = tag.split_once('-') else {
        return false;
    };
    (2..=3).contains(&head.len())
        && head.starts_with(|c: char| c.is_ascii_uppercase())
        && head
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && digits.len() == 3
        && digits.bytes().all(|b| b.is_ascii_digit())
}

impl Catalogue {
    /// Parses `catalogue/<provider>.toml`; the error names the line and key (toml's message).
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// What is wrong with the rows on their own (ids, kinds, the fields a kind requires),
    /// one sentence each, naming the provider and the row.
    pub fn row_problems(&self, provider: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let Some(prefix) = prefix(provider) else {
            return vec![format!("{provider}: no row id prefix is defined for it")];
        };
        if self.document.title.trim().is_empty() {
            problems.push(format!("{provider}: [document] title is empty"));
        }
        let mut seen = BTreeSet::new();
        for row in &self.rows {
            let at = format!("{provider} {}", row.id);
            if !seen.insert(row.id.as_str()) {
                problems.push(format!("{at}: the id is used by another row"));
            }
            let well_formed = row
                .id
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()));
            if !well_formed {
                problems.push(format!(
                    "{at}: the id must read {prefix}-NNN (three digits)"
                ));
            }
            if row.section.trim().is_empty() {
                problems.push(format!("{at}: section is empty"));
            }
            if row.quote.trim().is_empty() {
                problems.push(format!("{at}: quote is empty"));
            }
            if row.quote.chars().count() > MAX_QUOTE {
                problems.push(format!(
                    "{at}: the quote has {} characters; keep it to {MAX_QUOTE}",
                    row.quote.chars().count()
                ));
            }
            let has_standard = row
                .standard
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty());
            match (row.kind, has_standard) {
                (Kind::Standard, false) => problems.push(format!(
                    "{at}: kind = \"standard\" needs standard = \"RFC ... §...\" (the section followed)"
                )),
                (Kind::Standard, true) | (_, false) => {}
                (kind, true) => problems.push(format!(
                    "{at}: standard is only for kind = \"standard\", not \"{}\"",
                    kind.name()
                )),
            }
            if !row.kind.checkable() && !has_reason(row) {
                problems.push(format!(
                    "{at}: a {} row needs a reason (why no scenario checks it)",
                    row.kind.name()
                ));
            }
            let mut names = BTreeSet::new();
            for d in &row.defects {
                if !names.insert(d) {
                    problems.push(format!("{at}: defect \"{d}\" is listed twice"));
                }
            }
        }
        problems
    }
}

fn has_reason(row: &Row) -> bool {
    row.reason.as_deref().is_some_and(|r| !r.trim().is_empty())
}

/// One scenario as a run reports it (outlines expanded), with its merged tags.
#[derive(Clone, Debug)]
pub struct TaggedScenario {
    /// `file stem: scenario name`, as `tests/defect_matrix.toml` and the reports key it.
    pub key: String,
    pub file: String,
    pub line: usize,
    /// Feature, rule and scenario tags, without `@`.
    pub tags: BTreeSet<String>,
}

impl TaggedScenario {
    /// The row ids among its tags.
    pub fn rows(&self) -> impl Iterator<Item = &str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| is_row_id(t))
    }
}

/// The scenarios of `features` (parsed with their outlines expanded) tagged with `provider`.
pub fn scenarios_of(features: &[gherkin::Feature], provider: &str) -> Vec<TaggedScenario> {
    let mut out = Vec::new();
    for feature in features {
        // (Written out here: tests/catalogue.rs includes this file on its own.)
        let path = feature.path.as_deref();
        let file = path.map(|p| p.display().to_string()).unwrap_or_default();
        let stem = path
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let plain = feature.scenarios.iter().map(|s| (None, s));
        let ruled = feature
            .rules
            .iter()
            .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
        for (rule, scenario) in plain.chain(ruled) {
            let tags: BTreeSet<String> = feature
                .tags
                .iter()
                .chain(rule.iter().flat_map(|r| r.tags.iter()))
                .chain(scenario.tags.iter())
                .cloned()
                .collect();
            if !tags.contains(provider) {
                continue;
            }
            out.push(TaggedScenario {
                key: format!("{stem}: {}", scenario.name),
                file: file.clone(),
                line: scenario.position.line,
                tags,
            });
        }
    }
    out
}

/// Which scenarios each row id is tagged on (ids with no scenario are absent).
pub fn scenarios_by_row(scenarios: &[TaggedScenario]) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_row: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in scenarios {
        for id in s.rows() {
            by_row
                .entry(id.to_owned())
                .or_default()
                .insert(s.key.clone());
        }
    }
    by_row
}

/// Everything a catalogue must agree with: its provider's scenarios, its mock's defects, and
/// which scenarios each defect makes fail (`tests/defect_matrix.toml`).
pub struct Evidence<'a> {
    pub scenarios: &'a [TaggedScenario],
    pub defects: &'a BTreeSet<String>,
    pub matrix: &'a BTreeMap<String, BTreeSet<String>>,
}

/// Every rule of `docs/catalogue.md` the catalogue breaks against `evidence`, one actionable
/// sentence each (provider, row id, scenario and defect names).
pub fn problems(provider: &str, catalogue: &Catalogue, evidence: &Evidence<'_>) -> Vec<String> {
    let mut problems = catalogue.row_problems(provider);
    let by_row = scenarios_by_row(evidence.scenarios);
    let none = BTreeSet::new();
    for row in &catalogue.rows {
        let at = format!("{provider} {}", row.id);
        let scenarios = by_row.get(&row.id).unwrap_or(&none);
        if row.kind.checkable() && !has_reason(row) {
            if scenarios.is_empty() {
                problems.push(format!(
                    "{at} ({}): no scenario is tagged @{}; tag one, or give the row a reason",
                    row.kind.name(),
                    row.id
                ));
            }
            if row.defects.is_empty() {
                problems.push(format!(
                    "{at} ({}): no mock defect breaks it; add one to src/mocks/{provider}.rs and \
                     list it in defects, or give the row a reason",
                    row.kind.name()
                ));
            }
        }
        for d in &row.defects {
            if !evidence.defects.contains(d) {
                problems.push(format!(
                    "{at}: defect \"{d}\" is not a defect of the {provider} mock (`idp-conformance defects {provider}`)"
                ));
            }
        }
    }
    for s in evidence.scenarios {
        let ids: Vec<&str> = s.rows().collect();
        if ids.is_empty() {
            problems.push(format!(
                "{provider} scenario \"{}\" ({}:{}) names no catalogue row: tag it with the id of \
                 each row it checks",
                s.key, s.file, s.line
            ));
        }
        for id in ids {
            if catalogue.row(id).is_none() {
                problems.push(format!(
                    "{provider} scenario \"{}\" ({}:{}) is tagged @{id}, which is no row of catalogue/{provider}.toml",
                    s.key, s.file, s.line
                ));
            }
        }
    }
    for defect in evidence.defects {
        let rows: Vec<&Row> = catalogue
            .rows
            .iter()
            .filter(|r| r.defects.contains(defect))
            .collect();
        if rows.is_empty() {
            problems.push(format!(
                "{provider} defect \"{defect}\" is listed by no row: add it to the defects of the row it breaks"
            ));
            continue;
        }
        let allowed: BTreeSet<&String> = rows
            .iter()
            .flat_map(|r| by_row.get(&r.id).unwrap_or(&none))
            .collect();
        let failing = evidence.matrix.get(defect).unwrap_or(&none);
        let stray: Vec<&String> = failing.iter().filter(|k| !allowed.contains(k)).collect();
        if !stray.is_empty() {
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            problems.push(format!(
                "{provider} defect \"{defect}\" (rows {}) makes scenarios fail that check none of its rows: {}; \
                 tag them with the row they check, or list the defect on that row",
                ids.join(", "),
                stray
                    .iter()
                    .map(|k| format!("\"{k}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[document]
title = "A guide"
location = ""

[[row]]
id = "LG-001"
section = "Token"
quote = "the answer is JSON"
kind = "documented"
defects = ["d1"]

[[row]]
id = "LG-002"
section = "Token"
quote = "keep the secret secret"
kind = "client-obligation"
reason = "the provider cannot see it"
"#;

    fn scenario(key: &str, tags: &[&str]) -> TaggedScenario {
        TaggedScenario {
            key: key.to_owned(),
            file: "features/losgehts/x.feature".to_owned(),
            line: 3,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    fn check(text: &str, scenarios: &[TaggedScenario], matrix: &[(&str, &[&str])]) -> Vec<String> {
        let cat = Catalogue::parse(text).unwrap();
        let matrix: BTreeMap<String, BTreeSet<String>> = matrix
            .iter()
            .map(|(d, ks)| {
                (
                    (*d).to_owned(),
                    ks.iter().map(|k| (*k).to_owned()).collect(),
                )
            })
            .collect();
        let defects = matrix.keys().cloned().collect();
        problems(
            "losgehts",
            &cat,
            &Evidence {
                scenarios,
                defects: &defects,
                matrix: &matrix,
            },
        )
    }

    #[test]
    fn a_consistent_catalogue_has_no_problem() {
        let s = [scenario("x: a", &["losgehts", "LG-001"])];
        assert_eq!(check(GOOD, &s, &[("d1", &["x: a"])]), Vec::<String>::new());
    }

    #[test]
    fn unknown_keys_and_kinds_are_refused_with_the_line() {
        let e = Catalogue::parse(&GOOD.replace("kind = \"documented\"", "kind = \"maybe\""))
            .unwrap_err();
        assert!(e.contains("line 10") && e.contains("maybe"), "{e}");
        let e =
            Catalogue::parse(&GOOD.replace("defects = [\"d1\"]", "scenarios = []")).unwrap_err();
        assert!(e.contains("scenarios"), "{e}");
    }

    #[test]
    fn each_rule_names_provider_row_scenario_and_defect() {
        let untagged = [scenario("x: a", &["losgehts"])];
        let p = check(GOOD, &untagged, &[("d1", &["x: a"])]);
        assert!(
            p.iter()
                .any(|m| m.contains("LG-001") && m.contains("no scenario")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("\"x: a\"") && m.contains("names no catalogue row"))
        );
        assert!(
            p.iter()
                .any(|m| m.contains("\"d1\"") && m.contains("check none of its rows"))
        );

        let stray = [scenario("x: a", &["losgehts", "LG-009"])];
        let p = check(GOOD, &stray, &[("d1", &[]), ("d2", &[])]);
        assert!(
            p.iter()
                .any(|m| m.contains("@LG-009") && m.contains("no row")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("\"d2\"") && m.contains("listed by no row"))
        );

        let bad = GOOD
            .replace("LG-002", "LG-001")
            .replace("reason = \"the provider cannot see it\"", "")
            .replace("kind = \"documented\"", "kind = \"standard\"");
        let p = check(
            &bad,
            &[scenario("x: a", &["losgehts", "LG-001"])],
            &[("d1", &["x: a"])],
        );
        assert!(p.iter().any(|m| m.contains("used by another row")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("needs standard")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("needs a reason")), "{p:?}");

        let wrong_prefix = GOOD.replace("LG-001", "AQ-001");
        let p = check(&wrong_prefix, &[], &[("d1", &[])]);
        assert!(p.iter().any(|m| m.contains("must read LG-NNN")), "{p:?}");
    }

    #[test]
    fn a_reason_excuses_a_documented_row_without_scenario_or_defect() {
        let text = GOOD.replace(
            "defects = [\"d1\"]",
            "reason = \"needs a person at the identity server\"",
        );
        let p = check(&text, &[], &[]);
        assert_eq!(p, Vec::<String>::new());
    }

    #[test]
    fn row_ids_are_told_from_other_tags() {
        assert!(is_row_id("LG-012") && is_row_id("SSO-100") && is_row_id("O2-001"));
        assert!(!is_row_id("needs-authorization") && !is_row_id("rfc6749"));
    }
}
