//! One run, as a pipeline of named stages: load the contract, set up the targets, select the
//! scenarios, execute them, write the reports. Each stage takes only what it needs; any stage
//! can stop the run with a [`Stop`] (exit 2 for bad input, 3 for an unreachable target).

mod execute;
pub mod interrupt;
pub mod needs;
pub mod resources;
pub mod select;
mod setup;
pub mod shard;
pub mod stats;

use std::path::Path;
use std::sync::Mutex;

use crate::cli::{ExitCode, ListArgs, RunArgs, SelectArgs};
use crate::contract::Contract;
use crate::contract::embedded::Source;
use crate::contract::features;
use crate::contract::world::{self, RunContext};
use crate::reports::console::{self, Detail, Palette};
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
    let started_at = std::time::SystemTime::now();
    let baseline = match &args.baseline {
        Some(path) => Some(RunRecord::load(path).map_err(Stop::usage)?),
        None => None,
    };
    let (selection, contract, targets) = prepare(&args.select).await?;
    let paths = reports::ReportPaths::new(
        &args.reports,
        [
            &args.report_junit,
            &args.report_cucumber,
            &args.report_html,
            &args.report_json,
        ],
    );
    // The reports folder is this run's from here on (a baseline read from it was read first):
    // a run that ends before its reports leaves none of an earlier run's.
    let _folder = reports::Folder::claim(&args.reports, &paths).map_err(Stop::usage)?;
    let embedded = targets.embedded();
    let retry = RetryPolicy { max: args.retries };
    let remote: Vec<_> = targets
        .targets
        .iter()
        .filter(|t| !t.mock_control)
        .map(|t| (t.provider, t.base_url.clone()))
        .collect();
    let reachable = setup::reachable(targets.http.clone(), remote, retry);
    let base_urls: Vec<_> = targets
        .targets
        .iter()
        .map(|t| (t.provider.name(), t.base_url.clone()))
        .collect();
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
    let plan = select::Plan::new(
        &contract.features,
        selection,
        args.select.shard,
        embedded,
        args.select.lifetimes,
    );
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
            detail: Detail::new(args.quiet, args.verbose),
            palette: Palette::for_stdout(args.no_color),
            fail_fast: args.fail_fast,
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
    let mut run = reports::RunInfo::new(&label, started_at, started.elapsed().as_millis() as u64);
    for (provider, url) in &base_urls {
        run.add_base_url(provider, url);
    }
    run.warning = targets.warning.clone();
    run.incomplete = executed
        .incomplete
        .as_ref()
        .map(interrupt::Incomplete::banner);
    let record = RunRecord::new(run, results, ctx.shapes.shapes());
    if let Some((s, in_shard, selected)) = shard {
        write_shard_manifest(&args.reports, s, in_shard, selected, &label)?;
    }
    reports::write_run(reports::RunReports {
        paths,
        features: &contract.features,
        schemas: ctx.schemas.documents(),
        record: &record,
        cucumber_json: executed
            .cucumber_json
            .as_deref()
            .map(reports::CucumberJson::FromCucumber),
        baseline: baseline.as_ref().zip(args.baseline.as_deref()),
    })
    .map_err(Stop::usage)?;
    let detail = Detail::new(args.quiet, args.verbose);
    let summary = console::summary(
        &record.scenarios,
        detail,
        Palette::for_stdout(args.no_color),
    );
    say(&format!(
        "{summary}ran in {:.1} s; reports written to {}\n",
        started.elapsed().as_secs_f64(),
        args.reports.display()
    ));
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

/// Stages 1 and 2, shared by `run` and `list`: the contract loaded (every selected step matched
/// to a definition) and the targets set up, at once; the selection checked against the features
/// and narrowed to the providers the targets describe. A contract error is reported first; no
/// request has been sent by then.
async fn prepare(args: &SelectArgs) -> Result<(select::Selection, Contract, setup::Targets), Stop> {
    let selection = select::Selection::parse(&args.provider, args.tags.as_deref())?
        .narrowed(args.name.clone(), args.locations.clone());
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
    selection.check_locations(&contract.features)?;
    let targets = targets?;
    // A target file may describe only some of the selected providers: the run is about those.
    let mut selection = selection;
    selection
        .providers
        .retain(|p| targets.targets.iter().any(|t| t.provider == *p));
    Ok((selection, contract, targets))
}

/// `list`: the scenarios a run with the same selection would run, and those it would skip with
/// the reason, in file order; nothing is sent to a target. Exit 2 when nothing is selected.
pub async fn list(args: ListArgs) -> ExitCode {
    match list_plan(args).await {
        Ok(code) => code,
        Err(Stop(code, message)) => {
            eprintln!("error: {}", secret::redact(&message));
            code
        }
    }
}

async fn list_plan(args: ListArgs) -> Result<ExitCode, Stop> {
    let (selection, contract, targets) = prepare(&args.select).await?;
    let embedded = targets.embedded();
    let plan = select::Plan::new(
        &contract.features,
        selection,
        args.select.shard,
        embedded,
        args.select.lifetimes,
    );
    let by_provider = targets
        .targets
        .into_iter()
        .map(|t| (t.provider, t))
        .collect();
    let (mut runs, mut skips) = (0, 0);
    let mut out = String::new();
    for f in &contract.features {
        for (r, s) in features::scenarios(f) {
            let Some(provider) = plan.planned(f, r, s) else {
                continue;
            };
            let place = format!(
                "{}:{}",
                f.path.as_deref().unwrap_or(Path::new("")).display(),
                s.position.line
            );
            let name = crate::contract::checks::printable(&s.name).into_owned();
            match plan.skip_reason(&by_provider, f, r, s) {
                None => {
                    runs += 1;
                    out.push_str(&format!("run   {place}  {} › {name}\n", provider.name()));
                }
                Some(reason) => {
                    skips += 1;
                    out.push_str(&format!(
                        "skip  {place}  {} › {name}\n        {reason}\n",
                        provider.name()
                    ));
                }
            }
        }
    }
    out.push_str(&format!(
        "{runs} to run, {skips} to skip, against {}\n",
        targets.label
    ));
    say(&out);
    if runs + skips == 0 {
        eprintln!("error: no scenario selected: check --provider, --tags, --name and FILE[:LINE]");
        return Ok(ExitCode::Usage);
    }
    Ok(ExitCode::Passed)
}

/// Writes `text` to standard output, masked; a reader that went away (`| head`) is no error.
fn say(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(secret::redact(text).as_bytes());
    let _ = out.flush();
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
        eprintln!(
            "error: no scenario ran: check --provider, --tags, --name, FILE[:LINE] and --features"
        );
        return ExitCode::Usage;
    }
    if results.iter().any(|r| r.status == Status::Failed) {
        ExitCode::Failed
    } else {
        ExitCode::Passed
    }
}
