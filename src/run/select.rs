//! Selecting scenarios: which providers, tags, names and `FILE[:LINE]` locations the command
//! line asks for, which part a shard runs, which selected scenarios a target cannot run (skipped with the reason), and the order
//! they start in.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr as _;
use std::sync::{Arc, Mutex};

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::gherkin::{Feature, Rule, Scenario, StepType};
use cucumber::tag::Ext as _;

use super::Stop;
use super::needs;
use super::shard::{self, Shard};
use crate::contract::features;
use crate::providers::Provider;
use crate::reports::ScenarioResult;
use crate::targets::Target;

/// The tag of scenarios that need the embedded mock's control routes.
pub const MOCK_ONLY: &str = "mock-only";

const MOCK_ONLY_REASON: &str =
    "needs the embedded mock's control routes (@mock-only); runs only against the embedded mocks";

/// The tag of scenarios that let a lifetime pass: the embedded mock's clock moves (so they run
/// alone), a real deployment's is waited out (only with `--lifetimes`, all at once).
pub const LIFETIME: &str = "lifetime";

const LIFETIME_REASON: &str =
    "waits out a lifetime in real time (@lifetime); runs with --lifetimes, e.g. in a nightly job";

/// Whether the scenario is tagged `@lifetime`.
pub fn is_lifetime(f: &Feature, r: Option<&Rule>, s: &Scenario) -> bool {
    features::merged_tags(f, r, s).iter().any(|t| t == LIFETIME)
}

/// What the command line selects: providers (`--provider`), a tag expression (`--tags`), a
/// scenario name pattern (`--name`) and feature files or scenarios (`FILE[:LINE]`).
#[derive(Clone, Debug)]
pub struct Selection {
    pub providers: Vec<Provider>,
    tags: Option<TagOperation>,
    name: Option<regex::Regex>,
    locations: Vec<Location>,
}

/// A feature file, or one scenario of it, named on the command line: `FILE` or `FILE:LINE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// As typed, for messages.
    shown: String,
    /// Its components without `.`, compared with the end of each feature's path.
    path: PathBuf,
    line: Option<usize>,
}

impl std::str::FromStr for Location {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (file, line) = match text.rsplit_once(':') {
            Some((file, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
                let line = line
                    .parse::<usize>()
                    .ok()
                    .filter(|&l| l > 0)
                    .ok_or_else(|| format!("{text}: the line number starts at 1"))?;
                (file, Some(line))
            }
            _ => (text, None),
        };
        if !file.ends_with(".feature") {
            return Err(format!(
                "{text}: name a feature file, optionally with a line (features/losgehts/code_is_single_use.feature:9)"
            ));
        }
        let path = Path::new(file)
            .components()
            .filter(|c| *c != Component::CurDir)
            .collect();
        Ok(Self {
            shown: text.to_owned(),
            path,
            line,
        })
    }
}

impl Location {
    /// Whether `feature` is this location's file: the same path, a path ending with it (a path
    /// relative to `--features`), or the same file on disk.
    fn is_file_of(&self, feature: &Feature) -> bool {
        let Some(path) = feature.path.as_deref() else {
            return false;
        };
        path.ends_with(&self.path)
            || std::fs::canonicalize(&self.path)
                .is_ok_and(|mine| std::fs::canonicalize(path).is_ok_and(|theirs| mine == theirs))
    }

    /// Whether the location names `s` (of `feature`): its file, and the line of the scenario, of
    /// one of its steps, or of its Examples row.
    fn takes(&self, feature: &Feature, s: &Scenario) -> bool {
        self.is_file_of(feature)
            && self.line.is_none_or(|line| {
                let steps = s.steps.iter().map(|st| st.position.line);
                let (first, last) = (steps.clone().min(), steps.max());
                line == s.position.line
                    || first
                        .zip(last)
                        .is_some_and(|(a, b)| (a..=b).contains(&line))
            })
    }
}

impl Selection {
    pub fn parse(providers: &[String], tags: Option<&str>) -> Result<Self, Stop> {
        let tags = match tags {
            Some(expr) => Some(TagOperation::from_str(expr).map_err(|e| {
                Stop::usage(format!(
                    "--tags \"{expr}\" is not a tag expression ({e}); e.g. \"@losgehts and not @mock-only\""
                ))
            })?),
            None => None,
        };
        let providers = if providers.is_empty() {
            Provider::all()
        } else {
            providers
                .iter()
                .map(|n| {
                    Provider::parse(n).ok_or_else(|| {
                        Stop::usage(format!(
                            "--provider {n}: unknown provider (known: {})",
                            Provider::known()
                        ))
                    })
                })
                .collect::<Result<_, _>>()?
        };
        Ok(Self {
            providers,
            tags,
            name: None,
            locations: Vec::new(),
        })
    }

    /// Narrowed to scenarios whose name matches `name` and, when any are given, to `locations`.
    pub fn narrowed(mut self, name: Option<regex::Regex>, locations: Vec<Location>) -> Self {
        self.name = name;
        self.locations = locations;
        self
    }

    /// The scenario's provider, when the selection takes the scenario (by its merged tags).
    pub fn takes(&self, tags: &[String]) -> Option<Provider> {
        Provider::from_tags(tags).filter(|p| {
            self.providers.contains(p) && self.tags.as_ref().is_none_or(|op| op.eval(tags.iter()))
        })
    }

    /// The scenario's provider, when the selection takes the scenario: its tags, its name, its
    /// place.
    pub fn scenario(&self, f: &Feature, r: Option<&Rule>, s: &Scenario) -> Option<Provider> {
        let by_name = self.name.as_ref().is_none_or(|re| re.is_match(&s.name));
        let by_place = self.locations.is_empty() || self.locations.iter().any(|l| l.takes(f, s));
        (by_name && by_place)
            .then(|| self.takes(&features::merged_tags(f, r, s)))
            .flatten()
    }

    /// Whether the selection takes the scenario.
    pub fn takes_scenario(&self, f: &Feature, r: Option<&Rule>, s: &Scenario) -> bool {
        self.scenario(f, r, s).is_some()
    }

    /// Every `FILE[:LINE]` names a feature file, and a scenario at that line (exit 2 otherwise,
    /// naming the lines where its scenarios are).
    pub fn check_locations(&self, features: &[Feature]) -> Result<(), Stop> {
        for l in &self.locations {
            let files: Vec<&Feature> = features.iter().filter(|f| l.is_file_of(f)).collect();
            if files.is_empty() {
                return Err(Stop::usage(format!(
                    "{}: no such feature file under --features",
                    l.shown
                )));
            }
            let Some(line) = l.line else { continue };
            if !files
                .iter()
                .any(|f| features::scenarios(f).any(|(_, s)| l.takes(f, s)))
            {
                let mut lines: Vec<usize> = files
                    .iter()
                    .flat_map(|f| features::scenarios(f).map(|(_, s)| s.position.line))
                    .collect();
                lines.sort_unstable();
                lines.dedup();
                let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
                return Err(Stop::usage(format!(
                    "{}: no scenario at line {line}; its scenarios are at lines {}",
                    l.shown,
                    lines.join(", ")
                )));
            }
        }
        Ok(())
    }
}

/// The scenarios of one run: the selection, narrowed to this shard, minus what its targets
/// cannot run.
pub struct Plan {
    selection: Selection,
    /// With `--shard`: this shard's scenarios, and how many the whole selection has.
    pub shard: Option<(Shard, HashSet<shard::Key>, usize)>,
    embedded: bool,
    /// `--lifetimes`: a target's @lifetime scenarios run, in real time.
    lifetimes: bool,
    /// Selected scenarios the targets cannot run, with the reason (filled as cucumber asks).
    pub skipped: Arc<Mutex<Vec<ScenarioResult>>>,
}

impl Plan {
    pub fn new(
        features: &[Feature],
        selection: Selection,
        shard: Option<Shard>,
        embedded: bool,
        lifetimes: bool,
    ) -> Self {
        // With --shard, only this job's part of the selection, before any skip: a skipped
        // scenario is reported by exactly one shard.
        let shard = shard.map(|shard| {
            let keys: Vec<shard::Key> = features
                .iter()
                .flat_map(|f| features::scenarios(f).map(move |(r, s)| (f, r, s)))
                .filter(|(f, r, s)| selection.takes_scenario(f, *r, s))
                .map(|(f, _, s)| shard::key(f, s))
                .collect();
            let count = keys.len();
            (shard, shard.pick(keys), count)
        });
        Self {
            selection,
            shard,
            embedded,
            lifetimes,
            skipped: Arc::default(),
        }
    }

    /// Whether the scenario runs alone: `@serial`, or `@lifetime` on the embedded mocks' clock
    /// (a real deployment's lifetimes are waited out side by side).
    pub fn serial(&self, f: &Feature, r: Option<&Rule>, s: &Scenario) -> bool {
        let tags = features::merged_tags(f, r, s);
        tags.iter()
            .any(|t| t == "serial" || (self.embedded && t == LIFETIME))
    }

    /// How many planned scenarios wait out a lifetime in real time: each holds a place among
    /// the scenarios at once for that long, so the run gets that many more places.
    pub fn waiting(&self, features: &[Feature]) -> usize {
        if self.embedded || !self.lifetimes {
            return 0;
        }
        features
            .iter()
            .flat_map(|f| features::scenarios(f).map(move |(r, s)| (f, r, s)))
            .filter(|(f, r, s)| self.planned(f, *r, s).is_some() && is_lifetime(f, *r, s))
            .count()
    }

    /// The scenario's provider if this run (or shard) selects it, skipped or not.
    pub fn planned(&self, f: &Feature, r: Option<&Rule>, s: &Scenario) -> Option<Provider> {
        let provider = self.selection.scenario(f, r, s)?;
        let in_shard = self
            .shard
            .as_ref()
            .is_none_or(|(_, keys, _)| keys.contains(&shard::key(f, s)));
        in_shard.then_some(provider)
    }

    /// Whether the scenario runs against `targets`; a selected scenario they cannot run is
    /// recorded as skipped, with the reason.
    pub fn runs(
        &self,
        targets: &std::collections::HashMap<Provider, Target>,
        f: &Feature,
        r: Option<&Rule>,
        s: &Scenario,
    ) -> bool {
        if self.planned(f, r, s).is_none() {
            return false;
        }
        match self.skip_reason(targets, f, r, s) {
            Some(reason) => {
                let skip = ScenarioResult::skipped(f, r, s, &reason);
                self.skipped.lock().unwrap().push(skip);
                false
            }
            None => true,
        }
    }

    /// Why `targets` cannot run a planned scenario, if they cannot.
    pub fn skip_reason(
        &self,
        targets: &std::collections::HashMap<Provider, Target>,
        f: &Feature,
        r: Option<&Rule>,
        s: &Scenario,
    ) -> Option<String> {
        let p = self.planned(f, r, s)?;
        let tags = features::merged_tags(f, r, s);
        if !self.embedded && tags.iter().any(|t| t == MOCK_ONLY) {
            return Some(MOCK_ONLY_REASON.to_owned());
        }
        if !self.embedded && !self.lifetimes && tags.iter().any(|t| t == LIFETIME) {
            return Some(LIFETIME_REASON.to_owned());
        }
        targets
            .get(&p)
            .and_then(|t| needs::unmet(t, &tags).or_else(|| t.authorization.skip_reason(&tags)))
    }
}

/// The features with the longest chains of exchanges first, and in each feature its scenarios
/// likewise (a stable sort: equal chains keep file order); a `@lifetime` scenario, which waits
/// for minutes, counts as the longest chain. Against a real deployment a run
/// lasts as long as its longest chain of round trips; started last, that chain would add to the
/// others' time instead of overlapping it. A scenario's chain is counted from its steps: each
/// Given or When step (backgrounds included) makes at least one request, a Then step reads the
/// last answer.
pub fn longest_chains_first(mut features: Vec<Feature>) -> Vec<Feature> {
    fn requests(steps: &[cucumber::gherkin::Step]) -> usize {
        steps.iter().filter(|s| s.ty != StepType::Then).count()
    }
    let background =
        |b: &Option<cucumber::gherkin::Background>| b.as_ref().map_or(0, |b| requests(&b.steps));
    let chain = |base: usize, tags: &[&Vec<String>], s: &Scenario| {
        let lifetime = tags
            .iter()
            .copied()
            .chain([&s.tags])
            .flatten()
            .any(|t| t == LIFETIME);
        if lifetime {
            usize::MAX
        } else {
            base + requests(&s.steps)
        }
    };
    let mut longest = Vec::with_capacity(features.len());
    for f in &mut features {
        let base = background(&f.background);
        let tags = [&f.tags];
        f.scenarios
            .sort_by_key(|s| std::cmp::Reverse(chain(base, &tags, s)));
        let mut most = f.scenarios.iter().map(|s| chain(base, &tags, s)).max();
        for r in &mut f.rules {
            let rule_base = base + background(&r.background);
            let tags = [&f.tags, &r.tags];
            r.scenarios
                .sort_by_key(|s| std::cmp::Reverse(chain(rule_base, &tags, s)));
            most = most.max(r.scenarios.iter().map(|s| chain(rule_base, &tags, s)).max());
        }
        longest.push(most.unwrap_or(0));
    }
    let mut ordered: Vec<(usize, Feature)> = longest.into_iter().zip(features).collect();
    ordered.sort_by_key(|(chain, _)| std::cmp::Reverse(*chain));
    ordered.into_iter().map(|(_, f)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(text: &str) -> Feature {
        Feature::parse(text, cucumber::gherkin::GherkinEnv::default()).unwrap()
    }

    #[test]
    fn the_longest_chain_starts_first_and_equal_chains_keep_file_order() {
        let short = feature("@p\nFeature: short\n  Scenario: one\n    When a\n    Then b\n");
        let long = feature(
            "@p\nFeature: long\n  Background:\n    Given x\n\n  Scenario: two\n    When a\n    Then b\n\n  Scenario: three\n    Given a\n    When b\n    Then c\n\n  Scenario: also two\n    When a\n    Then b\n",
        );
        let ordered = longest_chains_first(vec![short, long]);
        assert_eq!(ordered[0].name, "long");
        let names: Vec<_> = ordered[0]
            .scenarios
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["three", "two", "also two"]);
        assert_eq!(ordered[1].name, "short");
    }

    #[test]
    fn a_lifetime_scenario_starts_first_and_runs_alone_only_on_the_mock_clock() {
        let f = feature(
            "@p\nFeature: f\n  Scenario: long\n    Given a\n    Given b\n    When c\n\n  @lifetime\n  Scenario: waits\n    Given a\n    Then b\n\n  @serial\n  Scenario: alone\n    When a\n",
        );
        let names: Vec<_> = longest_chains_first(vec![f.clone()])[0]
            .scenarios
            .iter()
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(names, ["waits", "long", "alone"]);
        let sel = || Selection::parse(&[], None).unwrap();
        let serial = |plan: &Plan| -> Vec<bool> {
            f.scenarios
                .iter()
                .map(|s| plan.serial(&f, None, s))
                .collect()
        };
        let on_mocks = Plan::new(&[], sel(), None, true, false);
        assert_eq!(serial(&on_mocks), [false, true, true]);
        let real_time = Plan::new(&[], sel(), None, false, true);
        assert_eq!(serial(&real_time), [false, false, true]);
        assert_eq!(on_mocks.waiting(std::slice::from_ref(&f)), 0);
    }

    #[test]
    fn a_location_is_a_feature_file_with_an_optional_line() {
        let l: Location = "./features/p/f.feature:12".parse().unwrap();
        assert_eq!(
            (l.path.as_path(), l.line),
            (Path::new("features/p/f.feature"), Some(12))
        );
        let whole: Location = "f.feature".parse().unwrap();
        assert_eq!(whole.line, None);
        assert!("f.feature:0".parse::<Location>().is_err());
        assert!("notes.txt:3".parse::<Location>().is_err());
    }

    #[test]
    fn a_line_selects_the_scenario_it_falls_in() {
        let mut f = feature(
            "@p\nFeature: f\n\n  Scenario: one\n    Given a\n    Then b\n\n  Scenario Outline: two <x>\n    Given <x>\n\n    Examples:\n      | x |\n      | 1 |\n      | 2 |\n",
        );
        f.path = Some(PathBuf::from("features/p/f.feature"));
        let f = cucumber::feature::Ext::expand_examples(f).unwrap();
        let names = |line: usize| -> Vec<&str> {
            let l: Location = format!("p/f.feature:{line}").parse().unwrap();
            f.scenarios
                .iter()
                .filter(|s| l.takes(&f, s))
                .map(|s| s.name.as_str())
                .collect()
        };
        assert_eq!(names(4), ["one"], "the scenario's line");
        assert_eq!(names(6), ["one"], "a step's line");
        assert_eq!(names(14), ["two 2"], "an Examples row");
        assert_eq!(
            names(9),
            ["two 1", "two 2"],
            "the outline's step: every row"
        );
        assert!(names(2).is_empty());
    }

    #[test]
    fn a_selection_takes_its_providers_and_tags() {
        let sel = Selection::parse(&["losgehts".into()], Some("@rfc6749")).unwrap();
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(sel.takes(&tags(&["losgehts", "rfc6749"])).is_some());
        assert!(sel.takes(&tags(&["losgehts"])).is_none());
        assert!(sel.takes(&tags(&["sso_v1", "rfc6749"])).is_none());
        assert!(Selection::parse(&["nope".into()], None).is_err());
        assert!(Selection::parse(&[], Some("@a and")).is_err());
    }
}
