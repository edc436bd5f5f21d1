//! Executing the scenarios: cucumber runs every planned scenario against the targets, through
//! the World's step collection, with its JSON writer teed with our collector and our console;
//! Ctrl-C, `--max-duration`, an unreachable target or `--fail-fast` stop it early.

use std::sync::Arc;

use cucumber::gherkin::Feature;
use cucumber::{WriterExt as _, writer};

use super::Stop;
use super::interrupt::{self, Incomplete};
use super::resources::Resources;
use super::select::{self, Plan};
use super::shard;
use crate::contract::features::{self, Preparsed};
use crate::contract::world::{ConformanceWorld, RunContext};
use crate::providers::Provider;
use crate::reports::console::{self, Console};
use crate::reports::{Collector, RedactingStdout, ScenarioResult, SharedBuffer, Status};
use crate::targets::authorization;

/// How the scenarios run, as the command line sets it.
pub struct Options {
    pub jobs: usize,
    pub detail: console::Detail,
    pub palette: console::Palette,
    /// `--fail-fast`: no scenario starts after the first failure.
    pub fail_fast: bool,
    pub max_duration: Option<std::time::Duration>,
    /// When the run began (an interrupted run's banner says how long it ran).
    pub started: std::time::Instant,
}

/// What the scenarios gave.
pub struct Executed {
    /// One result per planned scenario that finished or was skipped, in file order.
    pub results: Vec<ScenarioResult>,
    /// Why the run stopped early, if it did.
    pub incomplete: Option<Incomplete>,
    /// cucumber's JSON report (written only when every scenario finished).
    pub cucumber_json: Option<String>,
}

/// Runs the planned scenarios of `features` with `steps`. `reachable` resolves when every real
/// target has answered once; it runs beside the first scenarios, and its error stops the run.
pub async fn scenarios(
    steps: cucumber::step::Collection<ConformanceWorld>,
    features: Vec<Feature>,
    plan: Plan,
    ctx: Arc<RunContext>,
    reachable: impl Future<Output = Result<(), Stop>> + Send + 'static,
    options: Options,
) -> Result<Executed, Stop> {
    let plan = Arc::new(plan);
    let resources = Arc::new(Resources::default());
    let json = SharedBuffer::default();
    let (collector, outcome) = Collector::new();
    // What an interrupted run reports as not finished: this run's (or this shard's) selection.
    let planned = interrupt::planned(&features, |f, r, s| plan.planned(f, r, s).is_some());
    let console = {
        use std::io::IsTerminal as _;
        let terminal = std::io::stdout().is_terminal();
        Console::new(
            RedactingStdout::default(),
            options.detail,
            options.palette,
            terminal,
            (planned.len(), {
                let skipped = plan.skipped.clone();
                Box::new(move || skipped.lock().unwrap().len())
            }),
        )
    };
    let cucumber = cucumber::Cucumber::<ConformanceWorld, _, std::path::PathBuf, _, _>::new()
        .steps(steps)
        .with_parser(Preparsed)
        .with_writer(
            writer::Json::for_tee(json.clone())
                .discard_stats_writes()
                .normalized()
                // Before normalization: a scenario that finished is recorded (and shown) at
                // once, even while an earlier one still runs (what an interrupted run reports).
                .tee::<ConformanceWorld, _>(
                    collector
                        .discard_stats_writes()
                        .discard_arbitrary_writes()
                        .assert_normalized(),
                )
                .tee::<ConformanceWorld, _>(
                    console
                        .discard_stats_writes()
                        .discard_arbitrary_writes()
                        .assert_normalized(),
                ),
        )
        .fail_on_skipped()
        // A real deployment's lifetimes are waited out at once, beside the other scenarios.
        .max_concurrent_scenarios(options.jobs + plan.waiting(&features))
        .which_scenario({
            let plan = plan.clone();
            move |f, r, s| {
                if plan.serial(f, r, s) {
                    cucumber::runner::basic::ScenarioType::Serial
                } else {
                    cucumber::runner::basic::ScenarioType::Concurrent
                }
            }
        })
        .before({
            let resources = resources.clone();
            move |feature, rule, scenario, world| {
                let tags = features::merged_tags(feature, rule, scenario);
                world.provider = Provider::from_tags(&tags);
                world.authorization_by_user =
                    tags.iter().any(|t| t == authorization::NEEDS_REDIRECT);
                let key = shard::key(feature, scenario);
                world.scenario = Some(key.clone());
                // A scenario declaring a shared resource (@resource-...) waits for it here.
                let resources = resources.clone();
                Box::pin(async move { resources.acquire(key, &tags).await })
            }
        })
        // cucumber keeps one `after` hook (a second replaces the first): both jobs are here.
        .after(move |feature, _, scenario, _, world| {
            // The shared resource it declared goes to the next scenario waiting for it.
            resources.release(&shard::key(feature, scenario));
            // A finished scenario's World can wait in the normalizer (a failed step's event
            // holds it) until earlier scenarios finish: it keeps no answer body (up to 4 MB)
            // that long.
            if let Some(world) = world {
                world.release_bodies();
            }
            Box::pin(async {})
        })
        .with_default_cli();
    let cucumber = if options.fail_fast {
        cucumber.fail_fast()
    } else {
        cucumber
    };
    let filter = {
        let (plan, ctx) = (plan.clone(), ctx.clone());
        move |f: &Feature, r: Option<&cucumber::gherkin::Rule>, s: &cucumber::gherkin::Scenario| {
            plan.runs(&ctx.targets, f, r, s)
        }
    };
    let run = async {
        tokio::select! {
            _ = cucumber.filter_run(select::longest_chains_first(features), filter) => None,
            why = interrupt::requested(options.max_duration) => Some(why),
        }
    };
    tokio::pin!(run);
    let mut reachable = tokio::spawn(reachable);
    let mut reached = false;
    let interruption = loop {
        tokio::select! {
            answer = &mut reachable, if !reached => {
                answer.map_err(|e| Stop::usage(format!("the reachability check failed: {e}")))??;
                reached = true;
            }
            interruption = &mut run => break interruption,
        }
    };
    // The scenarios finished first: an unreachable target still decides the exit code.
    if !reached {
        reachable
            .await
            .map_err(|e| Stop::usage(format!("the reachability check failed: {e}")))??;
    }

    let mut results = std::mem::take(&mut outcome.lock().unwrap().scenarios);
    results.extend(plan.skipped.lock().unwrap().drain(..));
    results.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    let retried = ctx.transport_retries.lock().unwrap().clone();
    for r in &mut results {
        r.retries = retried.get(&(r.file.clone(), r.line)).copied().unwrap_or(0);
    }
    let stopped_early = options.fail_fast && results.iter().any(|r| r.status == Status::Failed);
    let incomplete = match interruption {
        Some(why) => Some(interrupt::mark_unfinished(
            &mut results,
            planned,
            why,
            options.started.elapsed(),
        )),
        None if stopped_early => {
            // The run did what was asked: complete, with what never started said so.
            interrupt::add_unreported(&mut results, planned, NOT_STARTED);
            None
        }
        None => None,
    };
    Ok(Executed {
        results,
        cucumber_json: incomplete.is_none().then(|| json.contents()),
        incomplete,
    })
}

/// Why a scenario `--fail-fast` kept from starting is reported as skipped.
const NOT_STARTED: &str = "not started: --fail-fast stopped the run after the first failure";
