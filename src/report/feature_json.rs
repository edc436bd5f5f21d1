//! `cucumber.json`, written by cucumber's own JSON writer, one writer per feature.
//!
//! cucumber's `Json` writer finds the feature of every event by comparing it with each feature it
//! has seen, and each comparison normalises a path with a string search: quadratic in the
//! features, a tenth of a whole run's instructions once there were 44 of them (BENCHMARKS.md).
//! Here each feature gets its own `Json` writer, found by pointer, and their outputs are joined
//! in the order cucumber would list them (the first event of each) into the same array.

use std::fmt::Debug;

use cucumber::event::{self, Cucumber};
use cucumber::{Event, World, Writer, cli, gherkin, parser, writer};

use super::SharedBuffer;

/// A `Json` writer per feature, joined into `out` when the run finishes.
pub struct FeatureJson<Out> {
    out: Out,
    features: Vec<Slot>,
}

struct Slot {
    /// The feature's address (the run holds every feature until it ends), then its path and
    /// name to be sure.
    feature: usize,
    path: Option<std::path::PathBuf>,
    name: String,
    json: writer::Json<SharedBuffer>,
    buffer: SharedBuffer,
}

impl<Out> FeatureJson<Out> {
    pub fn new(out: Out) -> Self {
        Self {
            out,
            features: Vec::new(),
        }
    }

    fn slot(&mut self, feature: &gherkin::Feature) -> &mut Slot {
        let at = std::ptr::from_ref(feature).addr();
        let found = self
            .features
            .iter()
            .rposition(|s| s.feature == at || (s.path == feature.path && s.name == feature.name));
        let i = found.unwrap_or_else(|| {
            let buffer = SharedBuffer::default();
            self.features.push(Slot {
                feature: at,
                path: feature.path.clone(),
                name: feature.name.clone(),
                json: writer::Json::raw(buffer.clone()),
                buffer,
            });
            self.features.len() - 1
        });
        &mut self.features[i]
    }
}

impl<W: World + Debug, Out: std::io::Write> Writer<W> for FeatureJson<Out> {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, cli: &Self::Cli) {
        let feature = match &event {
            Ok(ev) => match &ev.value {
                // The events cucumber's writer records; it ignores every other one.
                Cucumber::Feature(
                    f,
                    event::Feature::Scenario(..)
                    | event::Feature::Rule(_, event::Rule::Scenario(..)),
                ) => Some(f.clone()),
                Cucumber::Finished => {
                    self.finish::<W>(cli).await;
                    return;
                }
                _ => return,
            },
            // A parsing error is a feature of its own in cucumber's report.
            Err(_) => None,
        };
        let json = match &feature {
            Some(f) => &mut self.slot(f).json,
            None => {
                let buffer = SharedBuffer::default();
                self.features.push(Slot {
                    feature: 0,
                    path: None,
                    name: String::new(),
                    json: writer::Json::raw(buffer.clone()),
                    buffer,
                });
                &mut self.features.last_mut().expect("just pushed").json
            }
        };
        Writer::<W>::handle_event(json, event, cli).await;
    }
}

impl<Out: std::io::Write> FeatureJson<Out> {
    async fn finish<W: World + Debug>(&mut self, cli: &cli::Empty) {
        let mut parts = Vec::new();
        for slot in &mut self.features {
            let finished: parser::Result<Event<Cucumber<W>>> = Ok(Event::new(Cucumber::Finished));
            Writer::<W>::handle_event(&mut slot.json, finished, cli).await;
            let text = slot.buffer.contents();
            let inner = text
                .trim()
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .unwrap_or_default()
                .to_owned();
            if !inner.is_empty() {
                parts.push(inner);
            }
        }
        let joined = format!("[{}]", parts.join(","));
        if let Err(e) = self.out.write_all(joined.as_bytes()) {
            tracing::error!("cannot write the cucumber JSON report: {e}");
        }
    }
}

impl<Out> writer::NonTransforming for FeatureJson<Out> {}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::event::{RetryableScenario, Scenario, Source, Step};
    use cucumber::gherkin::GherkinEnv;

    type W = crate::world::ConformanceWorld;

    fn feature(path: &str, text: &str) -> Source<gherkin::Feature> {
        let mut f = gherkin::Feature::parse(text, GherkinEnv::default()).unwrap();
        f.path = Some(path.into());
        Source::new(f)
    }

    fn scenario_event(
        f: &Source<gherkin::Feature>,
        i: usize,
        ev: Scenario<W>,
    ) -> parser::Result<Event<Cucumber<W>>> {
        let sc = Source::new(f.scenarios[i].clone());
        Ok(Event::new(Cucumber::scenario(
            f.clone(),
            None::<Source<gherkin::Rule>>,
            sc,
            RetryableScenario {
                event: ev,
                retries: None,
            },
        )))
    }

    #[tokio::test]
    async fn the_report_is_the_one_cucumbers_writer_makes_with_features_taking_turns() {
        let a = feature(
            "features/a.feature",
            "Feature: A\n  Scenario: one\n    Given x\n  Scenario: two\n    Given y\n",
        );
        let b = feature(
            "features/b.feature",
            "Feature: B\n  Scenario: three\n    Given z\n",
        );
        let captures = cucumber::codegen::Regex::new("(.*)")
            .unwrap()
            .capture_locations();
        let step =
            |f: &Source<gherkin::Feature>, i: usize| Source::new(f.scenarios[i].steps[0].clone());
        // Normalised, as the runner feeds its writers: each scenario's events together, but the
        // features' scenarios taking turns.
        let mut events = vec![Ok(Event::new(Cucumber::<W>::Started))];
        for (f, i) in [(&a, 0), (&b, 0), (&a, 1)] {
            let passed = Step::Passed(captures.clone(), None);
            events.push(scenario_event(f, i, Scenario::Started));
            events.push(scenario_event(
                f,
                i,
                Scenario::Step(step(f, i), Step::Started),
            ));
            events.push(scenario_event(f, i, Scenario::Step(step(f, i), passed)));
            events.push(scenario_event(f, i, Scenario::Finished));
        }
        events.push(Ok(Event::new(Cucumber::Finished)));

        let (theirs, ours) = (SharedBuffer::default(), SharedBuffer::default());
        let mut cucumbers = writer::Json::raw(theirs.clone());
        let mut split = FeatureJson::new(ours.clone());
        for ev in events {
            let copy = ev.clone();
            Writer::<W>::handle_event(&mut cucumbers, copy, &cli::Empty).await;
            Writer::<W>::handle_event(&mut split, ev, &cli::Empty).await;
        }
        assert!(
            theirs.contents().contains("\"three\""),
            "{}",
            theirs.contents()
        );
        assert_eq!(ours.contents(), theirs.contents());
    }
}
