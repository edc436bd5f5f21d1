//! Selecting scenarios: which providers and tags the command line asks for, which part a shard
//! runs, which selected scenarios a target cannot run (skipped with the reason), and the order
//! they start in.

use std::collections::HashSet;
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

/// What the command line selects: providers (`--provider`) and a tag expression (`--tags`).
#[derive(Clone, Debug)]
pub struct Selection {
    pub providers: Vec<Provider>,
    tags: Option<TagOperation>,
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
        Ok(Self { providers, tags })
    }

    /// The scenario's provider, when the selection takes the scenario (by its merged tags).
    pub fn takes(&self, tags: &[String]) -> Option<Provider> {
        Provider::from_tags(tags).filter(|p| {
            self.providers.contains(p) && self.tags.as_ref().is_none_or(|op| op.eval(tags.iter()))
        })
    }

    /// Whether the selection takes the scenario.
    pub fn takes_scenario(&self, f: &Feature, r: Option<&Rule>, s: &Scenario) -> bool {
        self.takes(&features::merged_tags(f, r, s)).is_some()
    }
}

/// The scenarios of one run: the selection, narrowed to this shard, minus what its targets
/// cannot run.
pub struct Plan {
    selection: Selection,
    /// With `--shard`: this shard's scenarios, and how many the whole selection has.
    pub shard: Option<(Shard, HashSet<shard::Key>, usize)>,
    embedded: bool,
    /// Selected scenarios the targets cannot run, with the reason (filled as cucumber asks).
    pub skipped: Arc<Mutex<Vec<ScenarioResult>>>,
}

impl Plan {
    pub fn new(
        features: &[Feature],
        selection: Selection,
        shard: Option<Shard>,
        embedded: bool,
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
            skipped: Arc::default(),
        }
    }

    /// The scenario's provider if this run (or shard) selects it, skipped or not.
    pub fn planned(&self, f: &Feature, r: Option<&Rule>, s: &Scenario) -> Option<Provider> {
        let provider = self.selection.takes(&features::merged_tags(f, r, s))?;
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
        let Some(p) = self.planned(f, r, s) else {
            return false;
        };
        let tags = features::merged_tags(f, r, s);
        let reason = if !self.embedded && tags.iter().any(|t| t == MOCK_ONLY) {
            Some(MOCK_ONLY_REASON.to_owned())
        } else {
            targets
                .get(&p)
                .and_then(|t| needs::unmet(t, &tags).or_else(|| t.authorization.skip_reason(&tags)))
        };
        match reason {
            Some(reason) => {
                let skip = ScenarioResult::skipped(f, r, s, &reason);
                self.skipped.lock().unwrap().push(skip);
                false
            }
            None => true,
        }
    }
}

/// The features with the longest chains of exchanges first, and in each feature its scenarios
/// likewise (a stable sort: equal chains keep file order). Against a real deployment a run
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
    let mut longest = Vec::with_capacity(features.len());
    for f in &mut features {
        let base = background(&f.background);
        f.scenarios
            .sort_by_key(|s| std::cmp::Reverse(base + requests(&s.steps)));
        let mut chain = f.scenarios.iter().map(|s| base + requests(&s.steps)).max();
        for r in &mut f.rules {
            let rule_base = base + background(&r.background);
            r.scenarios
                .sort_by_key(|s| std::cmp::Reverse(rule_base + requests(&s.steps)));
            chain = chain.max(
                r.scenarios
                    .iter()
                    .map(|s| rule_base + requests(&s.steps))
                    .max(),
            );
        }
        longest.push(chain.unwrap_or(0));
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
