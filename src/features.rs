//! Feature files: found under `features/`, parsed once before the run (a malformed file stops the
//! run with its path and line, exit 2), and handed to cucumber through [`Preparsed`].

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};

/// Why the features cannot be used: names the file and, where known, the line.
#[derive(Debug)]
pub struct FeatureError(pub String);

impl std::fmt::Display for FeatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses every `*.feature` below `dir`, sorted by path, with scenario outlines expanded.
pub fn load(dir: &Path) -> Result<Vec<gherkin::Feature>, FeatureError> {
    let mut files = Vec::new();
    collect(dir, &mut files).map_err(|e| {
        FeatureError(format!(
            "{}: cannot read the features folder: {e}",
            dir.display()
        ))
    })?;
    if files.is_empty() {
        return Err(FeatureError(format!(
            "{}: no *.feature files found (pass --features DIR)",
            dir.display()
        )));
    }
    files.sort();
    files.iter().map(|path| parse(path)).collect()
}

fn parse(path: &Path) -> Result<gherkin::Feature, FeatureError> {
    let feature =
        gherkin::Feature::parse_path(path, GherkinEnv::default()).map_err(|e| match e {
            gherkin::ParseFileError::Reading { source, .. } => {
                FeatureError(format!("{}: cannot read: {source}", path.display()))
            }
            gherkin::ParseFileError::Parsing { error, source, .. } => {
                // The parser's own message reads "Error at LINE:COL: {expected tokens}".
                let text = source.to_string();
                let position = text
                    .strip_prefix("Error at ")
                    .and_then(|rest| rest.split_once(':'))
                    .map(|(line, rest)| format!("{line}:{}", rest.split(':').next().unwrap_or("1")))
                    .unwrap_or_else(|| "1:1".to_owned());
                let hint = error.map(|e| format!(" ({e})")).unwrap_or_default();
                // The parser reports where it gave up, often lines after the culprit; an
                // unknown keyword is found by its text instead.
                let position = std::fs::read_to_string(path)
                    .ok()
                    .and_then(|src| unknown_keyword_position(&src, &hint))
                    .unwrap_or(position);
                FeatureError(format!(
                    "{}:{position}: malformed Gherkin{hint}; expected one of the keywords \
                 Feature/Rule/Background/Scenario/Given/When/Then/And/But or a table row here",
                    path.display()
                ))
            }
        })?;
    feature
        .expand_examples()
        .map_err(|e| FeatureError(format!("{}: {e}", path.display())))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

/// `LINE:COL` of the first line starting with the keyword the parser's hint calls unknown.
fn unknown_keyword_position(src: &str, hint: &str) -> Option<String> {
    let keyword = hint
        .split("Unknown keyword: '")
        .nth(1)?
        .split('\'')
        .next()?;
    if keyword.trim().is_empty() {
        return None;
    }
    src.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        trimmed.starts_with(keyword).then(|| {
            let col = line.len() - trimmed.len() + 1;
            format!("{}:{col}", i + 1)
        })
    })
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
        let e = load(dir.path()).unwrap_err().0;
        assert!(e.contains("bad.feature:"), "{e}");
        assert!(e.contains(":5:"), "{e}");
    }
}
