//! Before any request: every step of every selected scenario must match exactly one step
//! definition. An unknown step is named with its file and line and the closest known steps, so
//! a misspelt step stops the run (exit 2) instead of failing its scenario against the target.
//!
//! The match found here is the one the run uses: cucumber's step collection holds one
//! catch-all definition per keyword (`dispatching`), whose function looks the step's text up
//! in the matches this check recorded and calls the definition's own function with the same
//! parameters cucumber's `Collection::find` would give it. `find` tries every definition of the
//! keyword on every step it runs (39 M instructions per run on cucumber's one thread, 16% of
//! it); a step's text is matched once per process here.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{LazyLock, PoisonError, RwLock};

use cucumber::World as _;
use cucumber::codegen::{
    LazyRegex, LocalBoxFuture, Regex, StepConstructor as _, WorldInventory, inventory,
};
use cucumber::gherkin::{Feature, Rule, Scenario, Step, StepType};
use cucumber::step::{Collection, Context, Location};

use crate::step_pattern::{self, Matcher};
use crate::world::ConformanceWorld;

/// How many known steps an unknown one is shown with.
const SUGGESTIONS: usize = 3;

/// A known step definition, as a person writing a feature reads it.
struct Known {
    keyword: &'static str,
    /// The pattern with its parameters shown as `{string}`, `{int}`, ... and `…`.
    pattern: String,
    location: Location,
}

/// Checks every step (backgrounds included) of every scenario `wanted` selects; the error
/// lists each unknown or ambiguous step with its file and line.
pub fn ensure_defined(
    features: &[Feature],
    wanted: impl Fn(&Feature, Option<&Rule>, &Scenario) -> bool,
) -> Result<(), String> {
    let mut definitions = Definitions::load();
    // The same text under the same keyword is matched once: a suite repeats its steps.
    let mut verdicts: HashMap<(StepType, &str), bool> = HashMap::new();
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    // Only a run with a problem needs cucumber's own matcher (for its ambiguity report) and the
    // readable list of known steps.
    let mut explain: Option<(cucumber::step::Collection<ConformanceWorld>, Vec<Known>)> = None;
    for feature in features {
        let scenarios = feature.scenarios.iter().map(|s| (None, s)).chain(
            feature
                .rules
                .iter()
                .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))),
        );
        for (rule, scenario) in scenarios {
            if !wanted(feature, rule, scenario) {
                continue;
            }
            let steps = feature
                .background
                .iter()
                .chain(rule.and_then(|r| r.background.as_ref()))
                .flat_map(|b| &b.steps)
                .chain(&scenario.steps);
            for step in steps {
                let single = *verdicts
                    .entry((step.ty, step.value.as_str()))
                    .or_insert_with(|| match definitions.resolve(step) {
                        Some(resolved) => {
                            found.push((step.ty, step.value.clone(), resolved));
                            true
                        }
                        None => false,
                    });
                if single || !seen.insert((feature.path.as_deref(), step.position.line)) {
                    continue;
                }
                let (collection, known) =
                    explain.get_or_insert_with(|| (ConformanceWorld::collection(), known_steps()));
                let problem = match collection.find(step) {
                    Ok(Some(_)) => continue,
                    Ok(None) => unknown(step, known),
                    Err(e) => ambiguous(&e),
                };
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
    record(found);
    if problems.is_empty() {
        return Ok(());
    }
    let count = problems.len();
    Err(format!(
        "{}\n{count} step(s) match no single step definition: fix the wording to one of the \
         known steps, or add a definition under src/steps/",
        problems.join("\n")
    ))
}

/// The step definitions' patterns by keyword, read from the same inventory cucumber builds its
/// step collection from, each with the literal text every match of it starts with.
struct Definitions {
    given: Vec<Definition>,
    when: Vec<Definition>,
    then: Vec<Definition>,
}

struct Definition {
    matcher: Matcher,
    func: cucumber::Step<ConformanceWorld>,
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "compared with cucumber's in a test")
    )]
    location: Location,
}

/// A step's one definition, and the parameters cucumber's `Collection::find` would hand its
/// function (`Context::matches`: the whole match first, then every group by name).
#[derive(Clone, Debug)]
struct Resolved {
    func: cucumber::Step<ConformanceWorld>,
    /// Where the definition is (the test compares it with cucumber's answer).
    #[cfg(test)]
    location: Location,
    matches: Vec<(Option<String>, String)>,
}

impl Definitions {
    fn load() -> Self {
        fn of<S: cucumber::codegen::StepConstructor<ConformanceWorld> + 'static>(
            steps: impl Iterator<Item = &'static S>,
        ) -> Vec<Definition> {
            steps
                .map(|s| {
                    let (location, regex, func) = s.inner();
                    let pattern = step_pattern::pattern_at(location, regex);
                    Definition {
                        matcher: Matcher::new(&pattern).unwrap_or_else(|e| {
                            panic!(
                                "{}:{}: the step pattern {pattern} does not compile: {e}",
                                location.path, location.line
                            )
                        }),
                        func,
                        location,
                    }
                })
                .collect()
        }
        Self {
            given: of(inventory::iter::<<ConformanceWorld as WorldInventory>::Given>.into_iter()),
            when: of(inventory::iter::<<ConformanceWorld as WorldInventory>::When>.into_iter()),
            then: of(inventory::iter::<<ConformanceWorld as WorldInventory>::Then>.into_iter()),
        }
    }

    /// The step's definition if exactly one of its keyword matches it, as cucumber's
    /// `Collection::find` decides (each definition's `Matcher` stands in for its regex).
    fn resolve(&mut self, step: &Step) -> Option<Resolved> {
        let of_kind = match step.ty {
            StepType::Given => &mut self.given,
            StepType::When => &mut self.when,
            StepType::Then => &mut self.then,
        };
        let text = step.value.as_str();
        let mut one = None;
        let mut matching = 0;
        for (i, d) in of_kind.iter_mut().enumerate() {
            if d.matcher.matches(text) {
                matching += 1;
                one = Some(i);
            }
        }
        if matching != 1 {
            return None;
        }
        // The matcher that matched last is the one: its groups are still in place.
        let d = &of_kind[one?];
        let matches = d.matcher.parameters(text);
        Some(Resolved {
            func: d.func,
            #[cfg(test)]
            location: d.location,
            matches,
        })
    }
}

/// Every step text resolved in this process, by keyword (Given, When, Then). The definitions
/// are fixed when the binary is built, so a text resolves the same way in every run.
static RESOLVED: LazyLock<RwLock<[HashMap<String, Resolved>; 3]>> = LazyLock::new(RwLock::default);

fn slot(ty: StepType) -> usize {
    match ty {
        StepType::Given => 0,
        StepType::When => 1,
        StepType::Then => 2,
    }
}

fn record(found: Vec<(StepType, String, Resolved)>) {
    if found.is_empty() {
        return;
    }
    let mut resolved = RESOLVED.write().unwrap_or_else(PoisonError::into_inner);
    for (ty, text, r) in found {
        resolved[slot(ty)].insert(text, r);
    }
}

/// The step's definition: recorded by `ensure_defined`, else matched now (a step no check saw).
fn lookup(step: &Step) -> Option<Resolved> {
    let known = RESOLVED.read().unwrap_or_else(PoisonError::into_inner)[slot(step.ty)]
        .get(&step.value)
        .cloned();
    known.or_else(|| {
        let resolved = Definitions::load().resolve(step)?;
        record(vec![(step.ty, step.value.clone(), resolved.clone())]);
        Some(resolved)
    })
}

/// The two costs of matching a step, for the benchmark: the first time the process meets its
/// text (every definition of its keyword tried, as `ensure_defined` does), and each time a
/// scenario runs it (`dispatch`'s lookup).
pub struct Matching(Definitions);

impl Matching {
    pub fn new() -> Self {
        Self(Definitions::load())
    }

    /// Whether exactly one definition matches the step, tried against every definition.
    pub fn first(&mut self, step: &Step) -> bool {
        self.0.resolve(step).is_some()
    }

    /// Whether the step resolves to a definition, as each run of it looks it up.
    pub fn again(step: &Step) -> bool {
        lookup(step).is_some()
    }
}

/// The step collection the run hands cucumber: one definition per keyword that matches any
/// text and calls `dispatch`.
pub fn dispatching() -> Collection<ConformanceWorld> {
    let any = Regex::new("^(?s:.*)$").expect("a valid regex");
    Collection::new()
        .given(None, any.clone(), dispatch)
        .when(None, any.clone(), dispatch)
        .then(None, any, dispatch)
}

/// Runs the step's own definition with the parameters `Collection::find` would give it. A step
/// no definition (or more than one) matches fails with that reason; `ensure_defined` stops a
/// run with such a step before it starts.
fn dispatch(world: &mut ConformanceWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    let Some(Resolved { func, matches, .. }) = lookup(&ctx.step) else {
        panic!(
            "no single step definition matches the step \"{} {}\"",
            ctx.step.keyword.trim(),
            ctx.step.value
        );
    };
    func(world, Context { matches, ..ctx })
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
    fn every_step_of_the_suite_resolves_to_the_definition_and_parameters_cucumber_finds() {
        let features = crate::features::load(std::path::Path::new("features")).unwrap();
        let collection = ConformanceWorld::collection();
        let mut definitions = Definitions::load();
        let mut checked = 0;
        for f in &features {
            let steps = f
                .scenarios
                .iter()
                .chain(f.rules.iter().flat_map(|r| &r.scenarios))
                .flat_map(|s| &s.steps)
                .chain(f.background.iter().flat_map(|b| &b.steps));
            for step in steps {
                let cucumber_says = match collection.find(step) {
                    Ok(Some((_, _, location, ctx))) => Some((location, ctx.matches)),
                    _ => None,
                };
                let ours = definitions
                    .resolve(step)
                    .map(|r| (Some(r.location), r.matches));
                assert_eq!(ours, cucumber_says, "{}", step.value);
                checked += 1;
            }
        }
        assert!(checked > 500, "{checked}");
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
