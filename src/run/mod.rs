//! The flow of one run: load schemas and features, set up targets (embedded mocks or a target
//! file), check the targets are reachable, run every selected scenario concurrently through
//! cucumber, then write the reports and decide the exit code.

pub mod interrupt;
pub mod needs;
pub mod shard;
pub mod stats;

use std::collections::HashMap;
use std::str::FromStr as _;
use std::sync::{Arc, Mutex};

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::tag::Ext as _;
use cucumber::{WriterExt as _, writer};

use crate::cli::{ExitCode, RunArgs};
use crate::contract::features::{self, Preparsed};
use crate::contract::schema::SchemaSet;
use crate::contract::step_check;
use crate::contract::world::{self, ConformanceWorld, RunContext};
use crate::mocks::{RunningMock, serve};
use crate::providers::{MockClient, Provider};
use crate::reports::{self, Collector, RedactingStdout, ScenarioResult, Status};
use crate::run::stats::RunStats;
use crate::secret;
use crate::targets::authorization::{self, Authorizer};
use crate::targets::http::{self, HttpClient, Limits, Request, Tls};
use crate::targets::receiver::Receiver;
use crate::targets::retry::RetryPolicy;
use crate::targets::{self, AppAccess, Target};
use cucumber::World as _;

/// The tag of scenarios that need the embedded mock's control routes.
pub const MOCK_ONLY: &str = "mock-only";

const MOCK_ONLY_REASON: &str =
    "needs the embedded mock's control routes (@mock-only); runs only against the embedded mocks";

/// A usage or configuration problem (exit 2) or an unreachable target (exit 3).
#[derive(Debug)]
pub struct Stop(pub ExitCode, pub String);

/// Runs the suite; returns the exit code.
pub async fn run(args: RunArgs) -> ExitCode {
    match run_inner(args).await {
        Ok(code) => code,
        Err(Stop(code, message)) => {
            eprintln!("error: {}", secret::redact(&message));
            code
        }
    }
}

fn usage(message: impl Into<String>) -> Stop {
    Stop(ExitCode::Usage, message.into())
}

async fn run_inner(args: RunArgs) -> Result<ExitCode, Stop> {
    let started = std::time::Instant::now();
    let tags_op = match &args.tags {
        Some(expr) => Some(TagOperation::from_str(expr).map_err(|e| {
            usage(format!("--tags \"{expr}\" is not a tag expression ({e}); e.g. \"@losgehts and not @mock-only\""))
        })?),
        None => None,
    };
    let providers: Vec<Provider> = if args.provider.is_empty() {
        Provider::ALL.to_vec()
    } else {
        args.provider
            .iter()
            .map(|n| {
                Provider::parse(n).ok_or_else(|| {
                    usage(format!(
                        "--provider {n}: unknown provider (known: {})",
                        known_providers()
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let schemas = SchemaSet::load(&args.schemas).map_err(|e| usage(e.0))?;
    let all_features = features::load(&args.features).map_err(|e| usage(e.0))?;
    let steps = ConformanceWorld::collection();
    step_check::ensure_defined(&steps, &all_features, |f, r, s| {
        is_selected(
            &features::merged_tags(f, r, s),
            &providers,
            tags_op.as_ref(),
        )
    })
    .map_err(usage)?;
    let doc_features = all_features.clone();
    let baseline = match &args.baseline {
        Some(path) => Some((
            reports::RunRecord::load(path).map_err(usage)?,
            path.display().to_string(),
        )),
        None => None,
    };

    // Targets: a file describing real deployments, or the embedded mocks.
    let mut mocks: Vec<RunningMock> = Vec::new();
    let receiver;
    let (targets, limits, tls, target_label) = match &args.target {
        Some(path) => {
            if !args.mock_defect.is_empty() {
                return Err(usage(
                    "--mock-defect applies to the embedded mocks; drop --target to use it",
                ));
            }
            let config = targets::load_target_file(path).map_err(usage)?;
            let targets: Vec<Target> = config
                .targets
                .into_iter()
                .filter(|t| providers.contains(&t.provider))
                .collect();
            if targets.is_empty() {
                return Err(usage(format!(
                    "{}: names none of the selected providers",
                    path.display()
                )));
            }
            receiver = webhook_receiver(&targets, path).await?;
            (
                targets,
                config.limits,
                config.tls,
                path.display().to_string(),
            )
        }
        None => {
            let defects = parse_mock_defects(&args.mock_defect, &providers)?;
            let r = Receiver::start()
                .await
                .map_err(|e| usage(format!("cannot start the callback receiver: {e}")))?;
            let mut targets = Vec::new();
            for &p in &providers {
                let client = MockClient::for_run(&r);
                let router = p
                    .mock_router(&client, defects.get(&p).map(Vec::as_slice).unwrap_or(&[]))
                    .map_err(usage)?;
                let mock = serve(router, 0)
                    .await
                    .map_err(|e| usage(format!("cannot start the {} mock: {e}", p.name())))?;
                targets.push(Target {
                    provider: p,
                    dialect: p.dialect(),
                    base_url: mock.base_url(),
                    authorize_base_url: mock.base_url(),
                    client_id: client.client_id,
                    client_secret: client.client_secret,
                    redirect_uri: client.redirect_uri,
                    authorization: Authorizer::default(),
                    mock_control: true,
                    test_telephone: p.mock_test_user().0,
                    test_sms_code: p.mock_test_user().1,
                    app: AppAccess {
                        app_id: p.mock_app_id().map(str::to_owned),
                        developer_session: Some(client.developer_session),
                        webhook_listen: Some(r.addr()),
                    },
                });
                mocks.push(mock);
            }
            receiver = Some(r);
            let label = if args.mock_defect.is_empty() {
                "embedded mocks".to_owned()
            } else {
                format!(
                    "embedded mocks with defects {}",
                    args.mock_defect.join(", ")
                )
            };
            (targets, Limits::default(), Tls::default(), label)
        }
    };
    let target_label = announce_transport(&tls, target_label);
    for t in &targets {
        t.authorization
            .prepare()
            .await
            .map_err(|e| usage(format!("{} authorization: {e}", t.provider.name())))?;
    }
    let http = if args.target.is_none() {
        HttpClient::loopback(limits)
    } else {
        HttpClient::new(limits, &tls)
    }
    .map_err(usage)?;
    preflight(&http, &targets, RetryPolicy { max: args.retries }).await?;

    let embedded = args.target.is_none();
    let selected: Vec<Provider> = targets.iter().map(|t| t.provider).collect();
    let target_map: HashMap<Provider, Target> =
        targets.into_iter().map(|t| (t.provider, t)).collect();
    let ctx = world::install(RunContext {
        http,
        schemas,
        targets: target_map,
        receiver,
        environment_errors: Mutex::default(),
        shapes: reports::ShapeLog::default(),
        retry: RetryPolicy { max: args.retries },
        transport_retries: Mutex::default(),
    });

    // Which scenarios run: the selected providers, the tag expression, and against a real
    // target no @mock-only scenario (recorded as skipped, with the reason).
    // With --shard, only this job's part of that selection, before any skip: a skipped scenario
    // is reported by exactly one shard.
    let selected_provider = move |tags: &[String]| -> Option<Provider> {
        let p = Provider::from_tags(tags)?;
        is_selected(tags, &selected, tags_op.as_ref()).then_some(p)
    };
    let (shard_keys, selected_count) = match args.shard {
        Some(shard) => {
            let keys = selected_keys(&all_features, &selected_provider);
            let count = keys.len();
            (Some(shard.pick(keys)), count)
        }
        None => (None, 0),
    };
    // What an interrupted run reports as not finished: this run's (or this shard's) selection.
    let planned = interrupt::planned(&all_features, |f, r, s| {
        selected_provider(&features::merged_tags(f, r, s)).is_some()
            && shard_keys
                .as_ref()
                .is_none_or(|keys| keys.contains(&shard::key(f, s)))
    });
    let skipped: Arc<Mutex<Vec<ScenarioResult>>> = Arc::default();
    let filter = {
        let skipped = skipped.clone();
        let ctx = ctx.clone();
        let shard_keys = shard_keys.clone();
        move |f: &Feature, r: Option<&Rule>, s: &Scenario| {
            let tags = features::merged_tags(f, r, s);
            let Some(p) = selected_provider(&tags) else {
                return false;
            };
            if shard_keys
                .as_ref()
                .is_some_and(|keys| !keys.contains(&shard::key(f, s)))
            {
                return false;
            }
            if !embedded && tags.iter().any(|t| t == MOCK_ONLY) {
                skipped
                    .lock()
                    .unwrap()
                    .push(ScenarioResult::skipped(f, r, s, MOCK_ONLY_REASON));
                return false;
            }
            let unmet = ctx.targets.get(&p).and_then(|t| {
                needs::unmet(t, &tags).or_else(|| t.authorization.skip_reason(&tags))
            });
            if let Some(reason) = unmet {
                let skip = ScenarioResult::skipped(f, r, s, &reason);
                skipped.lock().unwrap().push(skip);
                return false;
            }
            true
        }
    };

    let json = reports::SharedBuffer::default();
    let (collector, outcome) = Collector::new();
    let coloring = if args.no_color {
        writer::Coloring::Never
    } else {
        writer::Coloring::Auto
    };
    let console = writer::Basic::raw(RedactingStdout::new(embedded), coloring, args.verbose);
    let cucumber = cucumber::Cucumber::<ConformanceWorld, _, std::path::PathBuf, _, _>::new()
        .steps(steps)
        .with_parser(Preparsed)
        .with_writer(
            console
                .summarized()
                .tee::<ConformanceWorld, _>(writer::Json::for_tee(json.clone()))
                .normalized()
                // Before normalization: a scenario that finished is recorded at once, even
                // while an earlier one still runs (what an interrupted run reports).
                .tee::<ConformanceWorld, _>(
                    collector
                        .discard_stats_writes()
                        .discard_arbitrary_writes()
                        .assert_normalized(),
                ),
        )
        .fail_on_skipped()
        .max_concurrent_scenarios(args.jobs(embedded))
        .before(|feature, rule, scenario, world| {
            let tags = features::merged_tags(feature, rule, scenario);
            world.provider = Provider::from_tags(&tags);
            world.authorization_by_user = tags.iter().any(|t| t == authorization::NEEDS_REDIRECT);
            world.scenario = Some(shard::key(feature, scenario));
            Box::pin(async {})
        })
        .with_default_cli();
    let interruption = tokio::select! {
        _ = cucumber.filter_run(all_features, filter) => None,
        why = interrupt::requested(args.max_duration) => Some(why),
    };

    let mut results = std::mem::take(&mut outcome.lock().unwrap().scenarios);
    results.extend(skipped.lock().unwrap().drain(..));
    results.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    let retried = ctx.transport_retries.lock().unwrap().clone();
    for r in &mut results {
        r.retries = retried.get(&(r.file.clone(), r.line)).copied().unwrap_or(0);
    }
    let target_label = match args.shard {
        Some(shard) => format!("{target_label}, shard {shard}"),
        None => target_label,
    };

    let incomplete = interruption
        .map(|why| interrupt::mark_unfinished(&mut results, planned, why, started.elapsed()));
    let reports = &args.reports;
    let mut summary = reports::markdown_summary(&results, &target_label);
    let banner = incomplete.as_ref().map(interrupt::Incomplete::banner);
    let junit_xml = reports::junit_from_results(&results, banner.as_deref());
    // cucumber's JSON report, rendered beside index.html; none for an interrupted run (cucumber's
    // writer writes only when every scenario has finished).
    let mut cucumber_json = Some(|| json.contents());
    if let Some(inc) = &incomplete {
        summary = interrupt::mark_summary(&summary, inc);
        cucumber_json = None;
        let _ = std::fs::remove_file(reports.join("cucumber.json"));
    }
    let record = reports::RunRecord::new(
        &target_label,
        started.elapsed().as_millis() as u64,
        results.clone(),
        ctx.shapes.shapes(),
    );
    let diff = baseline
        .as_ref()
        .map(|(b, file)| crate::reports::diff::compare(b, file, &record, "this run"));
    if let (Some(shard), Some(keys)) = (args.shard, &shard_keys) {
        let manifest = shard::Manifest {
            index: shard.index,
            total: shard.total,
            selected: selected_count,
            in_shard: keys.len(),
            target: target_label.clone(),
        };
        let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        reports::write_report(reports, shard::MANIFEST, &text).map_err(|e| {
            usage(format!(
                "cannot write {}/{}: {e}",
                reports.display(),
                shard::MANIFEST
            ))
        })?;
    }
    reports::write_all(
        reports,
        &results,
        &summary,
        &junit_xml,
        cucumber_json,
        &record,
        || reports::html::run_page(&doc_features, &args.schemas, &record, diff.clone()),
    )
    .map_err(usage)?;
    if let Some(diff) = &diff {
        let markdown = crate::reports::diff::markdown(diff).map_err(usage)?;
        reports::write_report(reports, "diff.md", &markdown)
            .map_err(|e| usage(format!("cannot write {}/diff.md: {e}", reports.display())))?;
    }
    print!("{}", secret::redact(&reports::console_summary(&results)));
    println!("reports written to {}", reports.display());
    if let Some(path) = &args.stats {
        let served: Vec<_> = providers.iter().copied().zip(&mocks).collect();
        RunStats::collect(ctx.schemas.names().count(), &served)
            .write(path)
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    }
    drop(mocks);
    if let Some(inc) = &incomplete {
        println!("\n{}", inc.banner());
        eprintln!("error: the run did not finish (exit 4); its reports are marked incomplete");
        return Ok(ExitCode::Interrupted);
    }

    let env_errors = ctx.environment_errors.lock().unwrap().len();
    let failed = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .count();
    if env_errors > 0 {
        eprintln!(
            "error: {env_errors} environment error(s): a request could not reach the target, or no authorization was obtained (exit 3: environment, not a verdict)"
        );
        return Ok(ExitCode::Unreachable);
    }
    // A shard whose part holds only skipped scenarios is a legitimate part of a split run.
    let empty_selection = args.shard.is_some() && selected_count == 0;
    if (args.shard.is_none() || empty_selection)
        && results.iter().all(|r| r.status == Status::Skipped)
    {
        eprintln!("error: no scenario ran: check --provider, --tags and --features");
        return Ok(ExitCode::Usage);
    }
    Ok(if failed > 0 {
        ExitCode::Failed
    } else {
        ExitCode::Passed
    })
}

/// Says on stderr what the run's connections go through when it is not the plain default: a
/// proxy from the environment, an extra CA file, and (loudly) TLS verification switched off.
/// Returns the target label, marked when verification is off so every report says so.
fn announce_transport(tls: &Tls, label: String) -> String {
    if let Some(proxy) = http::proxy_from_env() {
        eprintln!("note: requests go through the proxy of the environment: {proxy}");
    }
    if let Some(ca) = &tls.ca_file {
        eprintln!(
            "note: trusting the CA certificates of {} in addition to the system's roots",
            ca.display()
        );
    }
    if !tls.insecure_skip_verify {
        return label;
    }
    eprintln!(
        "WARNING: TLS certificate verification is OFF for this run (insecure_skip_tls_verify = \
         true in the target file). Any server can impersonate the target; never use this \
         against production. Trust the target's CA with ca_file instead."
    );
    format!("{label} (WARNING: TLS certificate verification OFF)")
}

/// The keys of every scenario of `features` that `is_selected` takes (by its merged tags).
fn selected_keys(
    features: &[Feature],
    is_selected: &dyn Fn(&[String]) -> Option<Provider>,
) -> Vec<shard::Key> {
    let mut keys = Vec::new();
    for f in features {
        for (r, s) in features::scenarios(f) {
            if is_selected(&features::merged_tags(f, r, s)).is_some() {
                keys.push(shard::key(f, s));
            }
        }
    }
    keys
}

/// A scenario the run's options select: one of `providers`, matching the tag expression.
fn is_selected(tags: &[String], providers: &[Provider], op: Option<&TagOperation>) -> bool {
    Provider::from_tags(tags).is_some_and(|p| providers.contains(&p))
        && op.is_none_or(|op| op.eval(tags.iter()))
}

fn known_providers() -> String {
    Provider::ALL
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--mock-defect provider:name`, checked against each provider's defect list.
fn parse_mock_defects(
    specs: &[String],
    providers: &[Provider],
) -> Result<HashMap<Provider, Vec<String>>, Stop> {
    let mut map: HashMap<Provider, Vec<String>> = HashMap::new();
    for spec in specs {
        let (p, name) = spec.split_once(':').ok_or_else(|| {
            usage(format!("--mock-defect {spec}: write PROVIDER:DEFECT, e.g. losgehts:code-reusable (list them with `idp-conformance defects`)"))
        })?;
        let provider = Provider::parse(p).ok_or_else(|| {
            usage(format!(
                "--mock-defect {spec}: unknown provider {p} (known: {})",
                known_providers()
            ))
        })?;
        if !providers.contains(&provider) {
            return Err(usage(format!(
                "--mock-defect {spec}: provider {p} is not selected"
            )));
        }
        if !provider.defects().iter().any(|(n, _)| *n == name) {
            return Err(usage(format!(
                "--mock-defect {spec}: {p} has no defect {name} (list them with `idp-conformance defects {p}`)"
            )));
        }
        map.entry(provider).or_default().push(name.to_owned());
    }
    Ok(map)
}

/// The webhook receiver a target file asks for (`webhook_listen`), started before any scenario.
async fn webhook_receiver(
    targets: &[Target],
    path: &std::path::Path,
) -> Result<Option<Receiver>, Stop> {
    let Some((provider, addr)) = targets
        .iter()
        .find_map(|t| t.app.webhook_listen.map(|a| (t.provider, a)))
    else {
        return Ok(None);
    };
    Receiver::start_on(addr).await.map(Some).map_err(|e| {
        usage(format!(
            "{}: [providers.{}] webhook_listen = \"{addr}\": cannot listen there: {e}",
            path.display(),
            provider.name()
        ))
    })
}

/// Before any scenario: every real target must answer at all. Unreachable is exit 3.
async fn preflight(http: &HttpClient, targets: &[Target], retry: RetryPolicy) -> Result<(), Stop> {
    for t in targets.iter().filter(|t| !t.mock_control) {
        let request = Request::new(reqwest::Method::GET, t.base_url.clone());
        let mut attempt = 0;
        let mut answer = http.send(request.clone()).await;
        while let Err(e) = &answer
            && retry.may_retry(attempt, &request.method, e)
        {
            attempt += 1;
            tokio::time::sleep(retry.pause(attempt)).await;
            answer = http.send(request.clone()).await;
        }
        if let Err(e) = answer {
            return Err(Stop(
                ExitCode::Unreachable,
                format!(
                    "{} target {} cannot be reached: {e}",
                    t.provider.name(),
                    t.base_url
                ),
            ));
        }
    }
    Ok(())
}
