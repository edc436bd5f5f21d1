//! Feature files: the built-in `features/` (or `--features DIR`), parsed once before the run (a
//! malformed file stops the run with its path and line, exit 2), and handed to cucumber through
//! [`Preparsed`].

use std::path::Path;

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};

use crate::contract::embedded::{self, Source};

/// Why the features cannot be used: names the file and, where known, the line.
#[derive(Debug)]
pub struct FeatureError(pub String);

impl std::fmt::Display for FeatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses every `*.feature` of `source` (the built-in copy, or a folder and everything below
/// it), sorted by path, with scenario outlines expanded. Each feature's path is the one a reader
/// finds it at (`features/losgehts/x.feature` for the built-in copy, as in the repository).
pub fn load(source: &Source) -> Result<Vec<gherkin::Feature>, FeatureError> {
    match source {
        Source::Folder(dir) => Source::folder_files(dir, "feature", "--features")
            .map_err(FeatureError)?
            .iter()
            .map(|path| parse(path))
            .collect(),
        Source::Embedded => embedded::feature_files()
            .into_iter()
            .map(|file| parse_text(&file.path, &file.text))
            .collect(),
    }
}

/// A built-in feature file (a unit test parses every one, so an error here is theoretical).
fn parse_text(path: &Path, text: &str) -> Result<gherkin::Feature, FeatureError> {
    let mut feature = gherkin::Feature::parse(text, GherkinEnv::default()).map_err(|e| {
        let line = parser_line(&e.to_string());
        FeatureError(format!(
            "{}:{line}: malformed Gherkin ({e})",
            path.display()
        ))
    })?;
    feature.path = Some(path.to_owned());
    feature
        .expand_examples()
        .map_err(|e| FeatureError(format!("{}: {e}", path.display())))
}

fn parse(path: &Path) -> Result<gherkin::Feature, FeatureError> {
    let feature =
        gherkin::Feature::parse_path(path, GherkinEnv::default()).map_err(|e| match e {
            gherkin::ParseFileError::Reading { source, .. } => {
                FeatureError(format!("{}: cannot read: {source}", path.display()))
            }
            gherkin::ParseFileError::Parsing { error, source, .. } => {
                let hint = error.map(|e| e.to_string()).unwrap_or_default();
                let line =
                    offending_line(path, &hint).unwrap_or_else(|| parser_line(&source.to_string()));
                let hint = if hint.is_empty() {
                    String::new()
                } else {
                    format!(" ({hint})")
                };
                let quoted = std::fs::read_to_string(path)
                    .ok()
                    .and_then(|t| {
                        t.lines()
                            .nth(line.saturating_sub(1))
                            .map(str::trim)
                            .map(str::to_owned)
                    })
                    .map(|l| format!(" at \"{l}\""))
                    .unwrap_or_default();
                FeatureError(format!(
                    "{}:{line}: malformed Gherkin{quoted}{hint}; start the line with one of the \
                     keywords Feature/Rule/Background/Scenario/Given/When/Then/And/But, a table \
                     row (|), a tag (@) or a comment (#)",
                    path.display()
                ))
            }
        })?;
    feature
        .expand_examples()
        .map_err(|e| FeatureError(format!("{}: {e}", path.display())))
}

/// The parser's own message reads "Error at LINE:COL: {expected tokens}".
fn parser_line(message: &str) -> usize {
    message
        .strip_prefix("Error at ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|l| l.parse().ok())
        .unwrap_or(1)
}

/// The parser reports where it gave up, which can be past the bad line; when its hint quotes the
/// unknown text ("Unknown keyword: 'Nons'"), the line that starts with it is the one to fix.
fn offending_line(path: &Path, hint: &str) -> Option<usize> {
    let quoted = hint.split('\'').nth(1).filter(|q| !q.trim().is_empty())?;
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .position(|l| l.trim_start().starts_with(quoted))
        .map(|i| i + 1)
}

/// A cucumber [`Parser`](cucumber::Parser) yielding features parsed beforehand.
pub struct Preparsed;

impl cucumber::Parser<Vec<gherkin::Feature>> for Preparsed {
    type Cli = cucumber::cli::Empty;
    type Output =
        futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, input: Vec<gherkin::Feature>, _: Self::Cli) -> Self::Output {
        futures::stream::iter(input.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

/// Every scenario of `feature`, with the rule it stands in (if any).
pub fn scenarios(
    feature: &gherkin::Feature,
) -> impl Iterator<Item = (Option<&gherkin::Rule>, &gherkin::Scenario)> {
    let plain = feature.scenarios.iter().map(|s| (None, s));
    let ruled = feature
        .rules
        .iter()
        .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
    plain.chain(ruled)
}

/// A feature's file as the run names it, and the file's stem.
pub fn file_and_stem(feature: &gherkin::Feature) -> (String, String) {
    let path = feature.path.as_deref();
    (
        path.map(|p| p.display().to_string()).unwrap_or_default(),
        path.and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

/// A feature's and a scenario's tags, merged (what tag expressions are evaluated on).
pub fn merged_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    let mut tags = feature.tags.clone();
    if let Some(r) = rule {
        tags.extend(r.tags.iter().cloned());
    }
    tags.extend(scenario.tags.iter().cloned());
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_feature_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.feature");
        std::fs::write(
            &path,
            "Feature: x\n\n  Scenario: y\n    Given a step\n  Nonsense here\n",
        )
        .unwrap();
        let e = load(&Source::Folder(dir.path().to_owned())).unwrap_err().0;
        assert!(e.contains("bad.feature:"), "{e}");
        assert!(e.contains("bad.feature:5:"), "{e}");
    }
}
