//! A cucumber [`Writer`] that records one result per scenario: the source of `summary.md`,
//! `results.json`, the console summary and the exit code.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use cucumber::event::{
    self, Cucumber, Feature, RetryableScenario, Rule, Scenario, Step, StepError,
};
use cucumber::{Event, Writer, gherkin, parser};
use serde::{Deserialize, Serialize};

use crate::contract::features::merged_tags;
use crate::providers::Provider;
use crate::secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// One scenario's verdict, as every report shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub provider: String,
    pub feature: String,
    /// Feature file path as given to the run.
    pub file: String,
    pub line: usize,
    pub scenario: String,
    pub tags: Vec<String>,
    pub status: Status,
    /// The failing step and why it failed, redacted.
    pub failure: Option<String>,
    /// The failure was a transport error (the target was not reached), not a verdict.
    pub environment_error: bool,
    /// Why the scenario did not run.
    pub skip_reason: Option<String>,
    pub duration_ms: u64,
    /// When the scenario started, RFC 3339 in UTC; none for one that did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// How many requests were re-sent after a transport error (`--retries`; a failed check is
    /// never retried).
    pub retries: usize,
    /// Each step that ran (background steps included), in order, with its verdict.
    #[serde(default)]
    pub steps: Vec<StepResult>,
    /// What the verdict must be read with (TLS certificate verification was off).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One step's verdict: the HTML report shows it beside the step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepResult {
    pub line: usize,
    /// Keyword and text, redacted.
    pub step: String,
    pub status: Status,
}

impl StepResult {
    fn new(step: &gherkin::Step, status: Status) -> Self {
        Self {
            line: step.position.line,
            step: secret::redact(&format!("{}{}", step.keyword, step.value)),
            status,
        }
    }
}

impl ScenarioResult {
    /// Masks again what a provider may have put in this result (the failure, the steps'
    /// text), with every secret the run has learned by now: one learned after the scenario
    /// ended is masked in the reports too.
    pub fn remask(&mut self) {
        if let Some(f) = &mut self.failure {
            *f = secret::redact(f);
        }
        for s in &mut self.steps {
            s.step = secret::redact(&s.step);
        }
    }

    pub fn skipped(
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        reason: &str,
    ) -> Self {
        let tags = merged_tags(feature, rule, scenario);
        Self {
            provider: provider_name(&tags),
            feature: feature.name.clone(),
            file: file_of(feature),
            line: scenario.position.line,
            scenario: scenario.name.clone(),
            tags,
            status: Status::Skipped,
            failure: None,
            environment_error: false,
            skip_reason: Some(reason.to_owned()),
            duration_ms: 0,
            started_at: None,
            retries: 0,
            steps: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

fn provider_name(tags: &[String]) -> String {
    Provider::from_tags(tags)
        .map(|p| p.name().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn file_of(feature: &gherkin::Feature) -> String {
    feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Everything the collector saw.
#[derive(Debug, Default)]
pub struct Outcome {
    pub scenarios: Vec<ScenarioResult>,
    pub parse_errors: Vec<String>,
}

#[derive(Debug)]
struct Running {
    result: ScenarioResult,
    /// The feature's path, compared as it is (building `result.file` for every event was 4.6 M
    /// instructions of a run).
    path: Option<std::path::PathBuf>,
    started: SystemTime,
}

/// The writer; its [`Outcome`] is shared so the runner reads it after the run.
#[derive(Debug, Default)]
pub struct Collector {
    outcome: Arc<Mutex<Outcome>>,
    running: Vec<Running>,
}

impl Collector {
    pub fn new() -> (Self, Arc<Mutex<Outcome>>) {
        let outcome = Arc::new(Mutex::new(Outcome::default()));
        (
            Self {
                outcome: outcome.clone(),
                running: Vec::new(),
            },
            outcome,
        )
    }

    fn scenario_event<W>(
        &mut self,
        at: SystemTime,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ev: RetryableScenario<W>,
    ) {
        let same = |r: &Running| {
            r.result.line == scenario.position.line && r.path.as_deref() == feature.path.as_deref()
        };
        match ev.event {
            Scenario::Started => {
                self.running.retain(|r| !same(r));
                let mut result = ScenarioResult::skipped(feature, rule, scenario, "");
                result.status = Status::Passed;
                result.skip_reason = None;
                result.retries = ev.retries.map(|r| r.current).unwrap_or(0);
                self.running.push(Running {
                    result,
                    path: feature.path.clone(),
                    started: at,
                });
            }
            Scenario::Step(step, Step::Failed(_, _, _, err))
            | Scenario::Background(step, Step::Failed(_, _, _, err)) => {
                if let Some(r) = self.running.iter_mut().find(|r| same(r)) {
                    let message = step_error(&err);
                    r.result.environment_error |= message.starts_with("environment error:");
                    r.result.status = Status::Failed;
                    r.result.steps.push(StepResult::new(&step, Status::Failed));
                    r.result.failure = Some(secret::redact(&format!(
                        "{}{} (line {})\n{message}",
                        step.keyword, step.value, step.position.line
                    )));
                }
            }
            Scenario::Step(step, Step::Passed(..))
            | Scenario::Background(step, Step::Passed(..)) => {
                if let Some(r) = self.running.iter_mut().find(|r| same(r)) {
                    r.result.steps.push(StepResult::new(&step, Status::Passed));
                }
            }
            Scenario::Step(step, Step::Skipped) | Scenario::Background(step, Step::Skipped) => {
                if let Some(r) = self.running.iter_mut().find(|r| same(r)) {
                    r.result.steps.push(StepResult::new(&step, Status::Skipped));
                }
            }
            Scenario::Hook(_, event::Hook::Failed(_, info)) => {
                if let Some(r) = self.running.iter_mut().find(|r| same(r)) {
                    r.result.status = Status::Failed;
                    r.result.failure = Some(secret::redact(&format!(
                        "hook failed: {}",
                        panic_text(&info)
                    )));
                }
            }
            Scenario::Finished => {
                if let Some(pos) = self.running.iter().position(same) {
                    let mut done = self.running.swap_remove(pos);
                    done.result.duration_ms = at
                        .duration_since(done.started)
                        .map(|d| d.as_millis() as u64)
                        .unwrap_or(0);
                    done.result.started_at = Some(super::run_record::rfc3339(done.started));
                    let mut outcome = self.outcome.lock().unwrap();
                    // A retried scenario's last attempt replaces its earlier one.
                    let (file, line) = (&done.result.file, done.result.line);
                    outcome
                        .scenarios
                        .retain(|s| s.line != line || &s.file != file);
                    outcome.scenarios.push(done.result);
                }
            }
            _ => {}
        }
    }
}

pub(super) fn panic_text(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "(no message)".to_owned()
    }
}

pub(super) fn step_error(err: &StepError) -> String {
    match err {
        StepError::NotFound => {
            "no step definition matches this step: check its wording against the steps in src/contract/steps/".to_owned()
        }
        StepError::AmbiguousMatch(e) => format!("more than one step definition matches: {e}"),
        StepError::Panic(info) => panic_text(info),
    }
}

impl<W: cucumber::World> Writer<W> for Collector {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _: &Self::Cli) {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                self.outcome
                    .lock()
                    .unwrap()
                    .parse_errors
                    .push(e.to_string());
                return;
            }
        };
        let at = event.at;
        if let Cucumber::Feature(feature, ev) = event.value {
            match ev {
                Feature::Scenario(sc, ev) => self.scenario_event(at, &feature, None, &sc, ev),
                Feature::Rule(rule, Rule::Scenario(sc, ev)) => {
                    self.scenario_event(at, &feature, Some(&rule), &sc, ev);
                }
                _ => {}
            }
        }
    }
}
