//! `index.html` (after a run) and `docs.html` (`idp-conformance docs`): the features rendered as
//! the living documentation of each provider's contract, with each step's verdict, every
//! failure's evidence, the schemas the steps use, and the drift against a baseline run.
//!
//! This module builds a view model from the parsed features, the schema files and the results;
//! `templates/report.html` (compiled into the binary) lays it out. One self-contained file:
//! inline CSS and script, no network fetch. The caller writes it through `write_report`, so it
//! passes redaction like every report.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cucumber::gherkin;
use serde::Serialize;

use super::failure_view::FailureView;
use super::{ScenarioResult, Status};
use crate::contract::features::merged_tags;
use crate::providers::Provider;
use crate::reports::diff::Diff;

/// What a tag says about where a scenario's rule comes from or what it needs.
const TAG_MEANINGS: &[(&str, &str)] = &[
    ("documented", "the provider's document states it"),
    (
        "rfc6749",
        "RFC 6749 (OAuth 2.0), where the document is silent: an assumption, not the document",
    ),
    (
        "rfc9110",
        "RFC 9110 (HTTP semantics), where the document is silent: an assumption",
    ),
    (
        "interpretation",
        "our reading of an unclear or contradictory passage (see the feature's interpretations)",
    ),
    ("mock-only", "needs the embedded mock's control routes"),
    (
        "lifetime",
        "lets a lifetime pass: on the embedded mock's clock, or in real time with --lifetimes",
    ),
    (
        "serial",
        "runs alone (what it sees depends on what ran before)",
    ),
    (
        "needs-sms-code",
        "needs the SMS code the test telephone receives",
    ),
    (
        "changes-profile",
        "changes the test user's profile at the target",
    ),
];

/// Words that mark a description paragraph as recording an ambiguity of the document.
const AMBIGUITY_MARKERS: &[&str] = &[
    "interpretation",
    "ambigu",
    "does not say",
    "do not say",
    "silent",
    "disagree",
    "unclear",
    "assumption",
];

/// What the page shows; the template only lays it out.
#[derive(Debug, Serialize)]
pub struct Page {
    pub title: String,
    /// `run` (verdicts present), `docs` (features and schemas only) or `diff` (changes only).
    pub mode: &'static str,
    pub tool: &'static str,
    pub target: Option<String>,
    pub duration: Option<String>,
    /// When the run started (RFC 3339, UTC).
    pub started: Option<String>,
    /// Each provider's base URL, credentials removed.
    pub base_urls: Vec<(String, String)>,
    /// What the verdicts must be read with: an interrupted run, TLS verification off.
    pub notices: Vec<String>,
    pub totals: Counts,
    /// Every failed scenario, in page order: the index the page opens with.
    pub failures: Vec<FailureEntry>,
    pub summary: Vec<ProviderSummary>,
    pub providers: Vec<ProviderView>,
    pub tags: Vec<String>,
    pub schemas: Vec<SchemaView>,
    /// The changes against a baseline run (`run --baseline`, `diff --html`).
    pub diff: Option<Diff>,
}

/// One line of the failure index: where the failed scenario is and why it failed.
#[derive(Debug, Serialize)]
pub struct FailureEntry {
    pub provider: String,
    pub feature: String,
    pub scenario: String,
    /// The scenario's anchor on the page.
    pub anchor: String,
    /// The failed check's title.
    pub title: String,
    pub environment_error: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_run: usize,
}

impl Counts {
    fn add(&mut self, status: &str) {
        self.scenarios += 1;
        match status {
            "passed" => self.passed += 1,
            "failed" => self.failed += 1,
            "skipped" => self.skipped += 1,
            _ => self.not_run += 1,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ProviderSummary {
    pub name: String,
    pub anchor: String,
    pub counts: Counts,
    /// Summed scenario time (scenarios run concurrently, so this exceeds the wall time).
    pub duration: String,
}

#[derive(Debug, Serialize)]
pub struct ProviderView {
    pub name: String,
    pub anchor: String,
    pub features: Vec<FeatureView>,
    /// Every description paragraph recording an ambiguity of the document, with its feature.
    pub ambiguities: Vec<Ambiguity>,
    /// Its behaviour catalogue as a coverage table (`coverage.rs`, `templates/coverage.html`).
    pub coverage: Option<super::coverage::Coverage>,
}

#[derive(Debug, Serialize)]
pub struct Ambiguity {
    pub feature: String,
    pub anchor: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct FeatureView {
    pub name: String,
    pub anchor: String,
    pub file: String,
    pub tags: Vec<String>,
    /// Where in the provider's document the behaviour comes from (title, location, section).
    pub citation: Option<String>,
    pub paragraphs: Vec<Paragraph>,
    pub background: Vec<StepView>,
    pub scenarios: Vec<ScenarioView>,
    pub rules: Vec<RuleView>,
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct RuleView {
    pub name: String,
    pub paragraphs: Vec<Paragraph>,
    pub scenarios: Vec<ScenarioView>,
}

#[derive(Debug, Serialize)]
pub struct Paragraph {
    pub text: String,
    /// Quotes or cites the provider's document.
    pub cites: bool,
    /// Records an ambiguity and the interpretation chosen.
    pub ambiguity: bool,
}

#[derive(Debug, Serialize)]
pub struct ScenarioView {
    pub name: String,
    pub anchor: String,
    pub line: usize,
    pub tags: Vec<TagView>,
    /// The tags as one space-separated string, for the filter.
    pub tag_list: String,
    pub provider: String,
    pub paragraphs: Vec<Paragraph>,
    /// `passed`, `failed`, `skipped`, `not-run`, or `doc` in the documentation.
    pub status: String,
    pub duration: Option<String>,
    pub skip_reason: Option<String>,
    pub environment_error: bool,
    pub steps: Vec<StepView>,
    pub failure: Option<FailureView>,
}

#[derive(Debug, Serialize)]
pub struct TagView {
    pub name: String,
    pub meaning: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct StepView {
    pub keyword: String,
    pub text: String,
    pub line: usize,
    pub background: bool,
    /// `passed`, `failed`, `skipped` or `not-run`; empty in the documentation.
    pub status: String,
    /// The schema the step checks against, when the schema set has it.
    pub schema: Option<SchemaLink>,
    pub docstring: Option<String>,
    pub table: Vec<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct SchemaLink {
    pub name: String,
    pub anchor: String,
}

#[derive(Debug, Serialize)]
pub struct SchemaView {
    pub name: String,
    pub anchor: String,
    pub json: String,
}

/// What a page is built from.
pub struct Sources<'a> {
    pub features: &'a [gherkin::Feature],
    /// Schema name (`losgehts/userinfo`) and the file's JSON.
    pub schemas: Vec<(String, serde_json::Value)>,
    /// The run's results; `None` renders the documentation alone.
    pub results: Option<&'a [ScenarioResult]>,
    /// The run: target, start, duration, base URLs; `None` for the documentation.
    pub run: Option<&'a super::RunInfo>,
    pub diff: Option<Diff>,
}

/// `index.html` of a run: the documentation with the run's verdicts.
pub fn run_page(
    features: &[gherkin::Feature],
    schemas: &[(String, serde_json::Value)],
    record: &super::RunRecord,
    diff: Option<Diff>,
) -> Result<String, String> {
    render(Sources {
        features,
        schemas: schemas.to_vec(),
        results: Some(&record.scenarios),
        run: Some(&record.run),
        diff,
    })
}

/// Renders the page, redacted.
pub fn render(sources: Sources<'_>) -> Result<String, String> {
    let page = build(sources);
    render_page(&page)
}

impl Page {
    /// A page with the changes between two runs alone (`diff --html`).
    pub fn diff_only(diff: Diff) -> Self {
        Self {
            title: "idp-conformance: changes between two runs".to_owned(),
            mode: "diff",
            tool: concat!("idp-conformance ", env!("CARGO_PKG_VERSION")),
            target: None,
            duration: None,
            started: None,
            base_urls: Vec::new(),
            notices: Vec::new(),
            totals: Counts::default(),
            failures: Vec::new(),
            summary: Vec::new(),
            providers: Vec::new(),
            tags: Vec::new(),
            schemas: Vec::new(),
            diff: Some(diff),
        }
    }
}

/// Lays out a built page with the template.
pub fn render_page(page: &Page) -> Result<String, String> {
    super::templates::render("report.html", page)
}

fn anchor(parts: &[&str]) -> String {
    parts
        .iter()
        .flat_map(|p| p.chars().chain(['-']))
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn schema_anchor(name: &str) -> String {
    anchor(&["schema", name])
}

fn duration_text(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
    }
}

/// Keywords that end a description in a feature file.
const AFTER_DESCRIPTION: &[&str] = &[
    "@",
    "Background:",
    "Scenario",
    "Example",
    "Rule:",
    "Feature:",
    "Given ",
    "When ",
    "Then ",
    "And ",
    "But ",
    "* ",
    "|",
    "\"\"\"",
];

/// The description under the keyword line `line` of `source`, split into paragraphs at blank
/// lines (the Gherkin parser drops them, so the file is read again); `parsed` when the file is
/// not at hand. The lines of a paragraph are joined; list items stay on lines of their own.
fn paragraphs(source: Option<&str>, line: usize, parsed: Option<&str>) -> Vec<Paragraph> {
    let Some(parsed) = parsed else {
        return Vec::new();
    };
    let raw: Option<Vec<&str>> = source.map(|text| {
        text.lines()
            .skip(line)
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .take_while(|l| !AFTER_DESCRIPTION.iter().any(|k| l.starts_with(k)))
            .collect()
    });
    let lines = match raw {
        Some(lines) if lines.iter().any(|l| !l.is_empty()) => lines,
        _ => parsed.lines().map(str::trim).collect(),
    };
    let mut out = Vec::new();
    for block in lines.split(|l| l.is_empty()).filter(|b| !b.is_empty()) {
        let mut joined = String::new();
        for line in block {
            let item = line.starts_with("- ") || line.starts_with("* ");
            if !joined.is_empty() {
                joined.push(if item { '\n' } else { ' ' });
            }
            joined.push_str(line);
        }
        let lower = joined.to_lowercase();
        out.push(Paragraph {
            cites: document_title_in(&lower).is_some(),
            ambiguity: AMBIGUITY_MARKERS.iter().any(|m| lower.contains(m)),
            text: joined,
        });
    }
    out
}

/// Where a provider's document title starts in a lower-cased text, and the title's length.
fn document_title_in(lower: &str) -> Option<(usize, usize)> {
    Provider::all().into_iter().find_map(|p| {
        let title = p.citation().to_lowercase();
        lower.find(&title).map(|at| (at, title.len()))
    })
}

/// The citation of a feature: its first paragraph naming a provider's document, from the title
/// up to the first colon (`Authenteq Web KYC API Reference (api.authenteq.com), "Exchanging
/// Code for a Token"`), or the title alone when the paragraph goes on with a sentence instead.
fn feature_citation(paragraphs: &[Paragraph]) -> Option<String> {
    let p = paragraphs.iter().find(|p| p.cites)?;
    let (start, len) = document_title_in(&p.text.to_lowercase())?;
    let text = &p.text[start..];
    match text.split_once(": ") {
        Some((cite, _)) if cite.len() <= 160 && !cite.contains(". ") => Some(cite.to_owned()),
        _ => Some(text[..len].to_owned()),
    }
}

struct Ctx<'a> {
    results: Option<HashMap<(&'a str, usize), &'a ScenarioResult>>,
    schemas: BTreeSet<String>,
    tags: BTreeSet<String>,
}

fn build(sources: Sources<'_>) -> Page {
    let mut ctx = Ctx {
        results: sources
            .results
            .map(|rs| rs.iter().map(|r| ((r.file.as_str(), r.line), r)).collect()),
        schemas: sources.schemas.iter().map(|(n, _)| n.clone()).collect(),
        tags: BTreeSet::new(),
    };
    // A run's page shows the providers the run tested; the documentation shows every one.
    let tested: Option<BTreeSet<&str>> = sources
        .results
        .map(|rs| rs.iter().map(|r| r.provider.as_str()).collect());
    let mut by_provider: BTreeMap<(usize, String), Vec<FeatureView>> = BTreeMap::new();
    for feature in sources.features {
        let provider = feature_provider(feature);
        if tested
            .as_ref()
            .is_some_and(|t| !t.contains(provider.as_str()))
        {
            continue;
        }
        let view = feature_view(feature, &mut ctx);
        let order = Provider::all()
            .iter()
            .position(|p| p.name() == provider)
            .unwrap_or(usize::MAX);
        by_provider.entry((order, provider)).or_default().push(view);
    }
    let mut summary = Vec::new();
    let mut totals = Counts::default();
    let mut providers = Vec::new();
    for ((_, name), features) in by_provider {
        let mut counts = Counts::default();
        let mut ms = 0;
        let mut ambiguities = Vec::new();
        for f in &features {
            for s in all_scenarios(f) {
                counts.add(&s.status);
                totals.add(&s.status);
            }
            for p in f.paragraphs.iter().filter(|p| p.ambiguity) {
                ambiguities.push(Ambiguity {
                    feature: f.name.clone(),
                    anchor: f.anchor.clone(),
                    text: p.text.clone(),
                });
            }
        }
        if let Some(rs) = sources.results {
            ms = rs
                .iter()
                .filter(|r| r.provider == name)
                .map(|r| r.duration_ms)
                .sum();
        }
        summary.push(ProviderSummary {
            anchor: anchor(&["provider", &name]),
            name: name.clone(),
            counts,
            duration: duration_text(ms),
        });
        providers.push(ProviderView {
            anchor: anchor(&["provider", &name]),
            coverage: Provider::parse(&name)
                .and_then(|p| super::coverage::table(p, sources.features, sources.results)),
            name,
            features,
            ambiguities,
        });
    }
    let schemas = sources
        .schemas
        .iter()
        .map(|(name, json)| SchemaView {
            name: name.clone(),
            anchor: schema_anchor(name),
            json: serde_json::to_string_pretty(json).unwrap_or_default(),
        })
        .collect();
    let failures = providers
        .iter()
        .flat_map(|p| p.features.iter().map(move |f| (p, f)))
        .flat_map(|(p, f)| all_scenarios(f).map(move |s| (p, f, s)))
        .filter(|(_, _, s)| s.status == "failed")
        .map(|(p, f, s)| FailureEntry {
            provider: p.name.clone(),
            feature: f.name.clone(),
            scenario: s.name.clone(),
            anchor: s.anchor.clone(),
            title: s
                .failure
                .as_ref()
                .map(|fl| fl.failure.title.clone())
                .unwrap_or_default(),
            environment_error: s.environment_error,
        })
        .collect();
    let run = sources.results.is_some();
    Page {
        title: if run {
            "idp-conformance report".to_owned()
        } else {
            "idp-conformance: the providers' contracts".to_owned()
        },
        mode: if run { "run" } else { "docs" },
        tool: concat!("idp-conformance ", env!("CARGO_PKG_VERSION")),
        target: sources.run.map(|r| r.target.clone()),
        duration: sources.run.map(|r| duration_text(r.duration_ms)),
        started: sources.run.map(|r| r.started_at.clone()),
        base_urls: sources
            .run
            .map(|r| r.base_urls.clone().into_iter().collect())
            .unwrap_or_default(),
        notices: sources
            .run
            .map(|r| r.incomplete.iter().chain(&r.warning).cloned().collect())
            .unwrap_or_default(),
        totals,
        failures,
        summary,
        providers,
        tags: ctx.tags.into_iter().collect(),
        schemas,
        diff: sources.diff,
    }
}

/// The provider a feature documents: its tag, or the first of its scenarios that has one.
fn feature_provider(feature: &gherkin::Feature) -> String {
    let scenarios = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()));
    Provider::from_tags(&feature.tags)
        .or_else(|| {
            scenarios
                .map(|s| Provider::from_tags(&s.tags))
                .find(Option::is_some)
                .flatten()
        })
        .map(|p| p.name().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn all_scenarios(f: &FeatureView) -> impl Iterator<Item = &ScenarioView> {
    f.scenarios
        .iter()
        .chain(f.rules.iter().flat_map(|r| r.scenarios.iter()))
}

fn feature_view(feature: &gherkin::Feature, ctx: &mut Ctx<'_>) -> FeatureView {
    let (file, stem) = crate::contract::features::file_and_stem(feature);
    let provider_tag = Provider::from_tags(&feature.tags)
        .map(Provider::name)
        .unwrap_or("");
    let feature_anchor = anchor(&[provider_tag, &stem]);
    let source = feature
        .path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok());
    let source = source.as_deref();
    let paragraphs = paragraphs(
        source,
        feature.position.line,
        feature.description.as_deref(),
    );
    let background = feature
        .background
        .as_ref()
        .map(|b| {
            b.steps
                .iter()
                .map(|s| step_view(s, true, None, ctx))
                .collect()
        })
        .unwrap_or_default();
    let scenarios: Vec<ScenarioView> = feature
        .scenarios
        .iter()
        .map(|s| scenario_view(feature, None, s, &file, &feature_anchor, source, ctx))
        .collect();
    let rules: Vec<RuleView> = feature
        .rules
        .iter()
        .map(|r| RuleView {
            name: r.name.clone(),
            paragraphs: self::paragraphs(source, r.position.line, r.description.as_deref()),
            scenarios: r
                .scenarios
                .iter()
                .map(|s| scenario_view(feature, Some(r), s, &file, &feature_anchor, source, ctx))
                .collect(),
        })
        .collect();
    let mut view = FeatureView {
        name: feature.name.clone(),
        anchor: feature_anchor,
        file,
        tags: feature.tags.clone(),
        citation: feature_citation(&paragraphs),
        paragraphs,
        background,
        scenarios,
        rules,
        counts: Counts::default(),
    };
    let mut counts = Counts::default();
    for s in all_scenarios(&view) {
        counts.add(&s.status);
    }
    view.counts = counts;
    view
}

fn scenario_view(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    file: &str,
    feature_anchor: &str,
    source: Option<&str>,
    ctx: &mut Ctx<'_>,
) -> ScenarioView {
    let tags = merged_tags(feature, rule, scenario);
    ctx.tags.extend(tags.iter().cloned());
    let provider = Provider::from_tags(&tags)
        .map(|p| p.name().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    let result = ctx
        .results
        .as_ref()
        .and_then(|m| m.get(&(file, scenario.position.line)).copied());
    let status = match (&ctx.results, result) {
        (None, _) => "doc",
        (Some(_), None) => "not-run",
        (Some(_), Some(r)) => status_name(r.status),
    };
    let step_status: HashMap<usize, Status> = result
        .map(|r| r.steps.iter().map(|s| (s.line, s.status)).collect())
        .unwrap_or_default();
    let status_of = |line: usize| -> Option<&'static str> {
        ctx.results.as_ref()?;
        Some(match step_status.get(&line) {
            Some(s) => status_name(*s),
            None if status == "skipped" => "skipped",
            None => "not-run",
        })
    };
    let backgrounds = feature
        .background
        .iter()
        .chain(rule.and_then(|r| r.background.as_ref()));
    let mut steps: Vec<StepView> = Vec::new();
    let mut lines: Vec<(bool, &gherkin::Step)> = Vec::new();
    // The documentation shows the background once, above the scenarios; a run shows each
    // scenario's own run of it.
    for b in backgrounds.filter(|_| ctx.results.is_some()) {
        lines.extend(b.steps.iter().map(|s| (true, s)));
    }
    lines.extend(scenario.steps.iter().map(|s| (false, s)));
    for (background, step) in lines {
        let status = status_of(step.position.line);
        steps.push(step_view(step, background, status, ctx));
    }
    let own_tags: BTreeSet<&String> = tags.iter().collect();
    ScenarioView {
        name: scenario.name.clone(),
        anchor: format!("{feature_anchor}-l{}", scenario.position.line),
        line: scenario.position.line,
        tag_list: own_tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        tags: own_tags
            .into_iter()
            .filter(|t| Provider::parse(t).is_none())
            .map(|t| TagView {
                meaning: TAG_MEANINGS.iter().find(|(n, _)| n == t).map(|(_, m)| *m),
                name: t.clone(),
            })
            .collect(),
        provider,
        paragraphs: paragraphs(
            source,
            scenario.position.line,
            scenario.description.as_deref(),
        ),
        status: status.to_owned(),
        duration: result
            .filter(|r| r.status != Status::Skipped)
            .map(|r| duration_text(r.duration_ms)),
        skip_reason: result.and_then(|r| r.skip_reason.clone()),
        environment_error: result.is_some_and(|r| r.environment_error),
        steps,
        failure: result
            .and_then(|r| r.failure.as_deref())
            .map(FailureView::parse),
    }
}

fn step_view(
    step: &gherkin::Step,
    background: bool,
    status: Option<&str>,
    ctx: &Ctx<'_>,
) -> StepView {
    let schema = step
        .value
        .split("schema \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|name| ctx.schemas.contains(*name))
        .map(|name| SchemaLink {
            name: name.to_owned(),
            anchor: schema_anchor(name),
        });
    StepView {
        keyword: step.keyword.trim().to_owned(),
        text: step.value.clone(),
        line: step.position.line,
        background,
        status: status.unwrap_or("").to_owned(),
        schema,
        docstring: step.docstring.clone(),
        table: step
            .table
            .as_ref()
            .map(|t| t.rows.clone())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_keep_list_items_and_mark_citations_and_ambiguities() {
        let source = "Feature: f\n  The LoginSign API Reference (loginsign.com), \"Token\": POST /token\n  answers JSON.\n\n  Interpretations:\n  - one\n    more\n  - two\n\n  Plain.\n\n  Scenario: s\n";
        let p = paragraphs(Some(source), 1, Some("(parsed)"));
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[0].text,
            "The LoginSign API Reference (loginsign.com), \"Token\": POST /token answers JSON."
        );
        assert!(p[0].cites && !p[0].ambiguity);
        assert_eq!(p[1].text, "Interpretations:\n- one more\n- two");
        assert!(p[1].ambiguity && !p[1].cites);
        assert!(!p[2].cites && !p[2].ambiguity);
        assert_eq!(
            feature_citation(&p).unwrap(),
            "LoginSign API Reference (loginsign.com), \"Token\""
        );
        let silent = paragraphs(
            None,
            1,
            Some("The SSO (v1) documentation does not say it. RFC 6749 §4.1.2: \"MUST\"."),
        );
        assert_eq!(feature_citation(&silent).unwrap(), "SSO (v1) documentation");
    }

    #[test]
    fn anchors_are_lowercase_words_joined_by_dashes() {
        assert_eq!(
            anchor(&["schema", "losgehts/token_response"]),
            "schema-losgehts-token-response"
        );
        assert_eq!(anchor(&["sso_v1", "allow_header"]), "sso-v1-allow-header");
    }
}
