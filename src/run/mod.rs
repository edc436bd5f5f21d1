//! One run, as a pipeline of named stages: load the contract, set up the targets, select the
//! scenarios, execute them, write the reports. Each stage takes only what it needs; any stage
//! can stop the run with a [`Stop`] (exit 2 for bad input, 3 for an unreachable target).

mod execute;
pub mod interrupt;
pub mod needs;
mod select;
mod setup;
pub mod shard;
pub mod stats;

use std::path::Path;
use std::sync::Mutex;

use crate::cli::{ExitCode, RunArgs};
use crate::contract::Contract;
use crate::contract::embedded::Source;
use crate::contract::world::{self, RunContext};
use crate::reports::{self, RunRecord, ScenarioResult, Status};
use crate::secret;
use crate::targets::retry::RetryPolicy;

/// A usage or configuration problem (exit 2) or an unreachable target (exit 3).
#[derive(Debug)]
pub struct Stop(pub ExitCode, pub String);

impl Stop {
    pub fn usage(message: impl Into<String>) -> Self {
        Stop(ExitCode::Usage, message.into())
    }
}

/// Runs the suite; returns the exit code.
pub async fn run(args: RunArgs) -> ExitCode {
    match pipeline(args).await {
        Ok(code) => code,
        Err(Stop(code, message)) => {
            eprintln!("error: {}", secret::redact(&message));
            code
        }
    }
}

async fn pipeline(args: RunArgs) -> Result<ExitCode, Stop> {
    let started = std::time::Instant::now();
    let selection = select::Selection::parse(&args.provider, args.tags.as_deref())?;

    let baseline = match &args.baseline {
        Some(path) => Some(RunRecord::load(path).map_err(Stop::usage)?),
        None => None,
    };

    // 1. Load the contract (features, schemas, every selected step matched to a definition)
    // and 2. set up the targets (a target file's deployments, or the embedded mocks), at once.
    // A contract error is reported first; no request has been sent by then.
    let features = Source::from_flag(args.features.as_deref());
    let schemas = Source::from_flag(args.schemas.as_deref());
    let load = Contract::load(&features, &schemas, |f, r, s| {
        selection.takes_scenario(f, r, s)
    });
    let setup = async {
        match &args.target {
            Some(_) if !args.mock_defect.is_empty() => Err(Stop::usage(
                "--mock-defect applies to the embedded mocks; drop --target to use it",
            )),
            Some(path) => setup::from_file(path, &selection.providers).await,
            None => setup::embedded(&selection.providers, &args.mock_defect).await,
        }
    };
    let (targets, contract) = tokio::join!(setup, load);
    let contract = contract.map_err(Stop::usage)?;
    let targets = targets?;
    // The reports folder is this run's from here on (a baseline read from it was read first):
    // a run that ends before its reports leaves none of an earlier run's.
    let _folder = reports::Folder::claim(&args.reports).map_err(Stop::usage)?;
    // A target file may describe only some of the selected providers: the run is about those.
    let mut selection = selection;
    selection
        .providers
        .retain(|p| targets.targets.iter().any(|t| t.provider == *p));
    let embedded = targets.embedded();
    let retry = RetryPolicy { max: args.retries };
    let remote: Vec<_> = targets
        .targets
        .iter()
        .filter(|t| !t.mock_control)
        .map(|t| (t.provider, t.base_url.clone()))
        .collect();
    let reachable = setup::reachable(targets.http.clone(), remote, retry);
    let ctx = world::install(RunContext {
        http: targets.http,
        schemas: contract.schemas,
        targets: targets
            .targets
            .into_iter()
            .map(|t| (t.provider, t))
            .collect(),
        receiver: targets.receiver,
        environment_errors: Mutex::default(),
        shapes: reports::ShapeLog::default(),
        retry,
        transport_retries: Mutex::default(),
    });

    // 3. Select the scenarios: this run's (or shard's) part of the selection.
    let plan = select::Plan::new(&contract.features, selection, args.shard, embedded);
    let shard = plan
        .shard
        .as_ref()
        .map(|(s, keys, all)| (*s, keys.len(), *all));

    // 4. Execute them.
    let executed = execute::scenarios(
        contract.steps,
        contract.features.clone(),
        plan,
        ctx.clone(),
        reachable,
        execute::Options {
            jobs: args.jobs(embedded),
            verbose: args.verbose,
            no_color: args.no_color,
            max_duration: args.max_duration,
            started,
        },
    )
    .await?;

    // 5. Write the reports.
    let label = match shard {
        Some((s, _, _)) => format!("{}, shard {s}", targets.label),
        None => targets.label,
    };
    crate::secret::seal();
    let mut results = executed.results;
    for r in &mut results {
        r.remask();
        r.warnings.extend(targets.warning.clone());
    }
    let record = RunRecord::new(
        &label,
        started.elapsed().as_millis() as u64,
        results,
        ctx.shapes.shapes(),
    );
    if let Some((s, in_shard, selected)) = shard {
        write_shard_manifest(&args.reports, s, in_shard, selected, &label)?;
    }
    reports::write_run(reports::RunReports {
        dir: &args.reports,
        features: &contract.features,
        schemas: ctx.schemas.documents(),
        record: &record,
        label: &label,
        cucumber_json: executed.cucumber_json.as_deref(),
        banner: executed
            .incomplete
            .as_ref()
            .map(interrupt::Incomplete::banner),
        warning: targets.warning.as_deref(),
        baseline: baseline.as_ref().zip(args.baseline.as_deref()),
    })
    .map_err(Stop::usage)?;
    if let Some(path) = &args.stats {
        let served: Vec<_> = targets.mocks.iter().map(|(p, m)| (*p, m)).collect();
        stats::RunStats::collect(ctx.schemas.names().count(), &served)
            .write(path)
            .map_err(|e| Stop::usage(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(exit_code(
        &record.scenarios,
        executed.incomplete.as_ref(),
        ctx.environment_errors.lock().unwrap().len(),
        shard.map(|(_, _, selected)| selected),
    ))
}

/// `shard.json`: which part of the selection this shard ran.
fn write_shard_manifest(
    dir: &Path,
    s: shard::Shard,
    in_shard: usize,
    selected: usize,
    label: &str,
) -> Result<(), Stop> {
    let manifest = shard::Manifest {
        index: s.index,
        total: s.total,
        selected,
        in_shard,
        target: label.to_owned(),
    };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    reports::write_report(dir, shard::MANIFEST, &text).map_err(|e| {
        Stop::usage(format!(
            "cannot write {}/{}: {e}",
            dir.display(),
            shard::MANIFEST
        ))
    })
}

/// 4 interrupted, 3 environment errors, 2 nothing ran, 1 a failed check, else 0; said on stderr.
fn exit_code(
    results: &[ScenarioResult],
    incomplete: Option<&interrupt::Incomplete>,
    environment_errors: usize,
    shard_selected: Option<usize>,
) -> ExitCode {
    if let Some(inc) = incomplete {
        println!("\n{}", inc.banner());
        eprintln!("error: the run did not finish (exit 4); its reports are marked incomplete");
        return ExitCode::Interrupted;
    }
    if environment_errors > 0 {
        eprintln!(
            "error: {environment_errors} environment error(s): a request could not reach the target, or no authorization was obtained (exit 3: environment, not a verdict)"
        );
        return ExitCode::Unreachable;
    }
    // A shard whose part holds only skipped scenarios is a legitimate part of a split run.
    let nothing_may_run = shard_selected.is_none_or(|selected| selected == 0);
    if nothing_may_run && results.iter().all(|r| r.status == Status::Skipped) {
        eprintln!("error: no scenario ran: check --provider, --tags and --features");
        return ExitCode::Usage;
    }
    if results.iter().any(|r| r.status == Status::Failed) {
        ExitCode::Failed
    } else {
        ExitCode::Passed
    }
}
