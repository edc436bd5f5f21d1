//! `cucumber.json`, written by cucumber's own JSON writer, one writer per scenario, from the
//! events the run recorded.
//!
//! During the run [`FeatureJson`] only keeps the events cucumber's JSON writer reads (each
//! carries its time, from which the writer takes the durations); [`FeatureJson::render`] feeds
//! them to the writers when the reports are written, beside `index.html` on the other core,
//! instead of on cucumber's one thread while the scenarios run (15.9 M instructions there).
//!
//! cucumber's `Json` writer finds the element of every event by formatting the name of each
//! element it holds and comparing: quadratic in the scenarios (a tenth of a run's instructions
//! with one writer for the whole run, still 23 M instructions with one per feature, BENCHMARKS.md).
//! Here each scenario gets its own `Json` writer, found by pointer. The writers of one feature
//! are joined into that feature's `elements`, and the features in the order cucumber lists them
//! (the first event of each), into the same array cucumber writes.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};

use cucumber::event::{self, Cucumber};
use cucumber::{Event, World, Writer, cli, gherkin, parser, writer};

use super::SharedBuffer;

/// One event as cucumber hands it to a writer.
type Recorded<W> = parser::Result<Event<Cucumber<W>>>;

/// The events of a run that cucumber's JSON writer reads, in the order they came (shared with
/// the runner, which renders them once the run is over).
pub struct FeatureJson<W> {
    events: Arc<Mutex<Vec<Recorded<W>>>>,
}

impl<W> Clone for FeatureJson<W> {
    fn clone(&self) -> Self {
        Self {
            events: self.events.clone(),
        }
    }
}

/// A `Json` writer per scenario, joined into `out` at the end.
struct Slots {
    out: SharedBuffer,
    slots: Vec<Slot>,
}

/// One scenario's writer.
struct Slot {
    /// The feature's and the scenario's addresses (the run holds every feature until it ends),
    /// then the feature's path and name and the scenario's line to be sure.
    feature: usize,
    scenario: usize,
    path: Option<std::path::PathBuf>,
    name: String,
    line: usize,
    json: writer::Json<SharedBuffer>,
    buffer: SharedBuffer,
}

impl Slot {
    fn new(feature: Option<&gherkin::Feature>, scenario: Option<&gherkin::Scenario>) -> Self {
        let buffer = SharedBuffer::default();
        Self {
            feature: feature.map_or(0, |f| std::ptr::from_ref(f).addr()),
            scenario: scenario.map_or(0, |s| std::ptr::from_ref(s).addr()),
            path: feature.and_then(|f| f.path.clone()),
            name: feature.map(|f| f.name.clone()).unwrap_or_default(),
            line: scenario.map_or(0, |s| s.position.line),
            json: writer::Json::raw(buffer.clone()),
            buffer,
        }
    }

    fn is_feature(&self, feature: &gherkin::Feature) -> bool {
        self.feature == std::ptr::from_ref(feature).addr()
            || (self.path == feature.path && self.name == feature.name)
    }

    fn same_feature(&self, other: &Slot) -> bool {
        self.feature != 0
            && (self.feature == other.feature
                || (self.path == other.path && self.name == other.name))
    }
}

impl<W: World + Debug> FeatureJson<W> {
    pub fn new() -> Self {
        Self {
            events: Arc::default(),
        }
    }

    /// cucumber's JSON report of the events recorded so far (taken: a second call renders
    /// nothing more).
    pub fn render(&self) -> String {
        let events =
            std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner));
        let mut slots = Slots {
            out: SharedBuffer::default(),
            slots: Vec::new(),
        };
        // The writers only write into buffers: their futures finish when first polled.
        futures::executor::block_on(async {
            for event in events {
                slots.handle::<W>(event).await;
            }
            slots.finish::<W>(&cli::Empty).await;
        });
        slots.out.contents()
    }
}

impl Slots {
    fn slot(&mut self, feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> &mut Slot {
        let at = std::ptr::from_ref(scenario).addr();
        let found = self.slots.iter().rposition(|s| {
            (s.scenario == at || s.line == scenario.position.line) && s.is_feature(feature)
        });
        let i = found.unwrap_or_else(|| {
            self.slots.push(Slot::new(Some(feature), Some(scenario)));
            self.slots.len() - 1
        });
        &mut self.slots[i]
    }
}

/// Whether cucumber's JSON writer reads the event: scenario events and parsing errors (a
/// feature of their own in its report); it ignores every other one.
fn recorded<W>(event: &Recorded<W>) -> bool {
    match event {
        Ok(ev) => matches!(
            &ev.value,
            Cucumber::Feature(_, event::Feature::Scenario(..))
                | Cucumber::Feature(_, event::Feature::Rule(_, event::Rule::Scenario(..)))
        ),
        Err(_) => true,
    }
}

impl<W: World + Debug> Writer<W> for FeatureJson<W> {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: Recorded<W>, _: &Self::Cli) {
        if recorded(&event) {
            self.events
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(event);
        }
    }
}

impl Slots {
    /// Hands a recorded event to its scenario's writer.
    async fn handle<W: World + Debug>(&mut self, event: Recorded<W>) {
        let (feature, scenario) = match &event {
            Ok(ev) => match &ev.value {
                Cucumber::Feature(f, event::Feature::Scenario(s, _))
                | Cucumber::Feature(f, event::Feature::Rule(_, event::Rule::Scenario(s, _))) => {
                    (Some(f.clone()), Some(s.clone()))
                }
                _ => return,
            },
            Err(_) => (None, None),
        };
        let json = match (&feature, &scenario) {
            (Some(f), Some(s)) => &mut self.slot(f, s).json,
            _ => {
                self.slots.push(Slot::new(None, None));
                &mut self.slots.last_mut().expect("just pushed").json
            }
        };
        Writer::<W>::handle_event(json, event, &cli::Empty).await;
    }
}

/// What comes before a feature's elements in cucumber's compact JSON: its `uri`, `keyword`,
/// `name` and `tags` are written first, and every quote inside a value is escaped, so the first
/// `"elements":[` is the feature's own.
const ELEMENTS: &str = "\"elements\":[";

/// One writer's report, `[{feature ..., "elements":[...]}]`, split into the feature's head (up
/// to and with `"elements":[`) and its elements; `None` for any other shape.
fn split_feature(report: &str) -> Option<(&str, &str)> {
    let inner = report.trim().strip_suffix("]}]")?;
    let at = inner.find(ELEMENTS)? + ELEMENTS.len();
    Some((&inner[..at], &inner[at..]))
}

/// A JSON array's items as text, without the brackets.
fn array_items(report: &str) -> &str {
    report
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or_default()
}

impl Slots {
    async fn finish<W: World + Debug>(&mut self, cli: &cli::Empty) {
        let mut reports = Vec::with_capacity(self.slots.len());
        for slot in &mut self.slots {
            let finished: parser::Result<Event<Cucumber<W>>> = Ok(Event::new(Cucumber::Finished));
            Writer::<W>::handle_event(&mut slot.json, finished, cli).await;
            reports.push(slot.buffer.contents());
        }
        // Each feature once, where its first scenario was: its head, then every element its
        // scenarios' writers recorded, in the order they started.
        let mut features: Vec<(usize, Vec<usize>)> = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            match features
                .iter_mut()
                .rfind(|(first, _)| self.slots[*first].same_feature(slot))
            {
                Some((_, more)) => more.push(i),
                None => features.push((i, Vec::new())),
            }
        }
        let mut parts = Vec::with_capacity(features.len());
        let mut orphans = Vec::new();
        for (first, more) in features {
            let Some((head, elements)) = split_feature(&reports[first]) else {
                // A parsing error's report, or a shape this join does not know: as it is.
                parts.push(array_items(&reports[first]).to_owned());
                continue;
            };
            let mut joined = head[1..].to_owned();
            joined.push_str(elements);
            for &j in &more {
                match split_feature(&reports[j]) {
                    Some((_, elements)) => {
                        joined.push(',');
                        joined.push_str(elements);
                    }
                    // Never lost: a feature of its own after this one.
                    None => orphans.push(j),
                }
            }
            joined.push_str("]}");
            parts.push(joined);
            for j in orphans.drain(..) {
                parts.push(array_items(&reports[j]).to_owned());
            }
        }
        parts.retain(|p| !p.is_empty());
        let joined = format!("[{}]", parts.join(","));
        let _ = std::io::Write::write_all(&mut self.out, joined.as_bytes());
    }
}

impl<W> writer::NonTransforming for FeatureJson<W> {}

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

        let theirs = SharedBuffer::default();
        let mut cucumbers = writer::Json::raw(theirs.clone());
        let mut recorder = FeatureJson::<W>::new();
        for ev in events {
            let copy = ev.clone();
            Writer::<W>::handle_event(&mut cucumbers, copy, &cli::Empty).await;
            Writer::<W>::handle_event(&mut recorder, ev, &cli::Empty).await;
        }
        assert!(
            theirs.contents().contains("\"three\""),
            "{}",
            theirs.contents()
        );
        assert_eq!(recorder.render(), theirs.contents());
        assert_eq!(recorder.render(), "[]", "the events were taken");
    }
}
