//! Before any request: every step of every selected scenario must match exactly one step
//! definition of cucumber's own collection (`Collection::find`, the matcher the run uses). An
//! unknown step is named with its file and line and the closest known steps, so a misspelt step
//! stops the run (exit 2) instead of failing its scenario against the target.

use std::collections::HashSet;
use std::fmt::Write as _;

use cucumber::codegen::{LazyRegex, StepConstructor as _, WorldInventory, inventory};
use cucumber::gherkin::{Feature, Rule, Scenario, Step, StepType};
use cucumber::step::{Collection, Location};

use crate::contract::world::ConformanceWorld;

/// How many known steps an unknown one is shown with.
const SUGGESTIONS: usize = 3;

/// A known step definition, as a person writing a feature reads it.
struct Known {
    keyword: &'static str,
    /// The pattern with its parameters shown as `{string}`, `{int}`, ... and `…`.
    pattern: String,
    location: Location,
}

/// Checks every step (backgrounds included) of every scenario `wanted` selects against
/// `steps`; the error lists each unknown or ambiguous step with its file and line.
pub fn ensure_defined(
    steps: &Collection<ConformanceWorld>,
    features: &[Feature],
    wanted: impl Fn(&Feature, Option<&Rule>, &Scenario) -> bool,
) -> Result<(), String> {
    // A suite repeats its steps: each text under each keyword is looked up once.
    let mut matched: HashSet<(StepType, &str)> = HashSet::new();
    let mut reported = HashSet::new();
    let mut problems = Vec::new();
    let mut known: Option<Vec<Known>> = None;
    for feature in features {
        for (rule, scenario) in crate::contract::features::scenarios(feature) {
            if !wanted(feature, rule, scenario) {
                continue;
            }
            let scenario_steps = feature
                .background
                .iter()
                .chain(rule.and_then(|r| r.background.as_ref()))
                .flat_map(|b| &b.steps)
                .chain(&scenario.steps);
            for step in scenario_steps {
                if matched.contains(&(step.ty, step.value.as_str())) {
                    continue;
                }
                let problem = match steps.find(step) {
                    Ok(Some(_)) => {
                        matched.insert((step.ty, step.value.as_str()));
                        continue;
                    }
                    Ok(None) => unknown(step, known.get_or_insert_with(known_steps)),
                    Err(e) => ambiguous(&e),
                };
                if !reported.insert((feature.path.as_deref(), step.position.line)) {
                    continue;
                }
                let file = feature
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                problems.push(format!(
                    "{file}:{}: {} {}\n{problem}",
                    step.position.line,
                    step.keyword.trim(),
                    step.value
                ));
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let count = problems.len();
    Err(format!(
        "{}\n{count} step(s) match no single step definition: fix the wording to one of the \
         known steps, or add a definition under src/contract/steps/",
        problems.join("\n")
    ))
}

fn unknown(step: &Step, known: &[Known]) -> String {
    let text = parameters_of(&step.value);
    let mut ranked: Vec<(f64, &Known)> = known
        .iter()
        .map(|k| {
            let mut score = strsim::normalized_levenshtein(&text, &k.pattern);
            if k.keyword == keyword(step.ty) {
                score += 0.05;
            }
            (score, k)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = String::from("  no step definition matches it; the closest known steps:");
    for (_, k) in ranked.into_iter().take(SUGGESTIONS) {
        let _ = write!(
            out,
            "\n    {} {}    ({}:{})",
            k.keyword, k.pattern, k.location.path, k.location.line
        );
    }
    out
}

fn ambiguous(e: &cucumber::step::AmbiguousMatchError) -> String {
    let mut out = String::from("  more than one step definition matches it:");
    for (regex, location) in &e.possible_matches {
        let _ = write!(out, "\n    {}", readable(regex.as_str()));
        if let Some(l) = location {
            let _ = write!(out, "    ({}:{})", l.path, l.line);
        }
    }
    out
}

fn keyword(ty: StepType) -> &'static str {
    match ty {
        StepType::Given => "Given",
        StepType::When => "When",
        StepType::Then => "Then",
    }
}

/// Every step definition the World knows, read from the same inventory cucumber builds its
/// step collection from.
fn known_steps() -> Vec<Known> {
    let mut known = Vec::new();
    let mut add = |keyword, location, regex: LazyRegex| {
        known.push(Known {
            keyword,
            pattern: readable(regex().as_str()),
            location,
        });
    };
    for s in inventory::iter::<<ConformanceWorld as WorldInventory>::Given> {
        let (location, regex, _) = s.inner();
        add("Given", location, regex);
    }
    for s in inventory::iter::<<ConformanceWorld as WorldInventory>::When> {
        let (location, regex, _) = s.inner();
        add("When", location, regex);
    }
    for s in inventory::iter::<<ConformanceWorld as WorldInventory>::Then> {
        let (location, regex, _) = s.inner();
        add("Then", location, regex);
    }
    known.sort_by_key(|k| (k.location.path, k.location.line));
    known
}

/// A step's text with its arguments written as the parameters they would match: quoted
/// strings as `{string}`, whole numbers as `{int}`.
fn parameters_of(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                for next in chars.by_ref() {
                    if next == c {
                        break;
                    }
                }
                out.push_str("{string}");
            }
            d if d.is_ascii_digit() && !out.ends_with(|p: char| p.is_alphanumeric()) => {
                while chars.next_if(char::is_ascii_digit).is_some() {}
                out.push_str("{int}");
            }
            other => out.push(other),
        }
    }
    out
}

/// A step's regex as a person reads it: anchors dropped, escapes undone, each group shown as
/// the cucumber parameter it came from (`{string}`, `{int}`, `{float}`, `{word}`) or `…`.
fn readable(regex: &str) -> String {
    let body = regex.strip_prefix('^').unwrap_or(regex);
    let body = body.strip_suffix('$').unwrap_or(body);
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '(' => {
                let end = group_end(&chars, i);
                let inner: String = chars[i + 1..end].iter().collect();
                let name = parameter_name(&inner);
                i = end + 1;
                // `"([^"]*)"` is a quoted string, quotes and all.
                if name == "{string}" && out.ends_with('"') && chars.get(i) == Some(&'"') {
                    out.pop();
                    i += 1;
                }
                out.push_str(name);
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The index of the `)` closing the group opened at `open` (escapes and classes skipped).
fn group_end(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    let mut in_class = false;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len().saturating_sub(1)
}

/// The parameter a group stands for: the cucumber expression's own groups, and the ASCII
/// ones our regex steps write instead (`"([^"]*)"`, `(-?[0-9]+)`), which compile to a fraction
/// of the automaton (cucumber's `{string}` and `{int}` span every Unicode letter and digit).
fn parameter_name(group: &str) -> &'static str {
    if group.starts_with("?:\"(?P<") || group == r#"[^"]*"# {
        "{string}"
    } else if group == r"(?:-?\d+)|(?:\d+)" || group == "-?[0-9]+" {
        "{int}"
    } else if group.starts_with("[+-]?(?:inf") {
        "{float}"
    } else if group == r"[^\s]+" {
        "{word}"
    } else {
        "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_read_as_cucumber_expressions() {
        let string = cucumber::codegen::Regex::new(
            "^the value at (?:\"(?P<__0_0>[^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"|'(?P<__0_1>[^'\\\\]*(?:\\\\.[^'\\\\]*)*)') is (?:\"(?P<__1_0>[^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"|'(?P<__1_1>[^'\\\\]*(?:\\\\.[^'\\\\]*)*)')$",
        )
        .unwrap();
        assert_eq!(
            readable(string.as_str()),
            "the value at {string} is {string}"
        );
        assert_eq!(
            readable(r"^((?:-?\d+)|(?:\d+)) seconds pass on the provider's clock$"),
            "{int} seconds pass on the provider's clock"
        );
        assert_eq!(
            readable(r"^the response status is (\d{3}(?:(?:, | or )\d{3})*)$"),
            "the response status is …"
        );
        assert_eq!(
            readable(r"^the Allow header, if sent\.$"),
            "the Allow header, if sent."
        );
        assert_eq!(
            readable(r#"^the value at "([^"]*)" is "([^"]*)"$"#),
            "the value at {string} is {string}"
        );
        assert_eq!(
            readable(r"^(-?[0-9]+) seconds pass on the provider's clock$"),
            "{int} seconds pass on the provider's clock"
        );
        assert_eq!(
            readable(r#"^the client sends "([^"]+)" with (.+)$"#),
            "the client sends \"…\" with …"
        );
    }

    #[test]
    fn step_text_is_compared_by_its_parameters() {
        assert_eq!(
            parameters_of("the value at \"/a\" is 'b' after 90 seconds, not e164"),
            "the value at {string} is {string} after {int} seconds, not e164"
        );
    }

    #[test]
    fn every_known_step_has_a_readable_pattern() {
        let known = known_steps();
        assert!(known.len() > 50);
        for k in &known {
            assert!(!k.pattern.contains("(?"), "{}", k.pattern);
        }
    }
}
