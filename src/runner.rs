//! The flow of one run: load schemas and features, set up targets (embedded mocks or a target
//! file), check the targets are reachable, run every selected scenario concurrently through
//! cucumber, then write the reports and decide the exit code.

use std::collections::HashMap;
use std::str::FromStr as _;
use std::sync::{Arc, Mutex};

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::tag::Ext as _;
use cucumber::{World as _, WriterExt as _, writer};

use crate::cli::{ExitCode, RunArgs};
use crate::features::{self, Preparsed};
use crate::http::{HttpClient, Limits, Request};
use crate::mocks::{RunningMock, opaque, serve};
use crate::providers::{MockClient, Provider};
use crate::receiver::Receiver;
use crate::report::{self, Collector, RedactingStdout, ScenarioResult, SharedBuffer, Status};
use crate::schema::SchemaSet;
use crate::secret::{self, Secret};
use crate::stats::RunStats;
use crate::target::{self, AuthorizationStrategy, Target};
use crate::world::{self, ConformanceWorld, RunContext};

/// The tag of scenarios that need the embedded mock's control routes.
pub const MOCK_ONLY: &str = "mock-only";

/// The tag of scenarios that need the SMS code a real test telephone received (SSO v1).
pub const NEEDS_SMS_CODE: &str = "needs-sms-code";

const NEEDS_SMS_CODE_REASON: &str = "needs the SMS code of the test telephone (@needs-sms-code); \
     set test_sms_code_env in the target file to run it";

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
    // Start-up on both cores: the step regexes (each compiled once per process; cucumber's
    // builder below then clones them) and the schemas compile while this thread parses features.
    let steps_compiled = tokio::task::spawn_blocking(|| drop(ConformanceWorld::collection()));
    let schemas = tokio::task::spawn_blocking({
        let dir = args.schemas.clone();
        move || SchemaSet::load(&dir)
    });
    let all_features = features::load(&args.features);
    let schemas = schemas.await.map_err(|e| usage(e.to_string()))?;
    let schemas = schemas.map_err(|e| usage(e.0))?;
    let all_features = all_features.map_err(|e| usage(e.0))?;

    // Targets: a file describing real deployments, or the embedded mocks.
    let mut mocks: Vec<RunningMock> = Vec::new();
    let mut receiver = None;
    let (targets, limits, target_label) = match &args.target {
        Some(path) => {
            if !args.mock_defect.is_empty() {
                return Err(usage(
                    "--mock-defect applies to the embedded mocks; drop --target to use it",
                ));
            }
            let config = target::load_target_file(path).map_err(usage)?;
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
            (targets, config.limits, path.display().to_string())
        }
        None => {
            let defects = parse_mock_defects(&args.mock_defect, &providers)?;
            let r = Receiver::start()
                .await
                .map_err(|e| usage(format!("cannot start the callback receiver: {e}")))?;
            let mut targets = Vec::new();
            for &p in &providers {
                let client = MockClient {
                    client_id: "40".to_owned(),
                    client_secret: Secret::new(opaque("mock-secret-")),
                    redirect_uri: r.callback_url(),
                };
                secret::register_basic(&client.client_id, client.client_secret.expose());
                let router = p
                    .mock_router(&client, defects.get(&p).map(Vec::as_slice).unwrap_or(&[]))
                    .map_err(usage)?;
                let mock = serve(router, 0)
                    .await
                    .map_err(|e| usage(format!("cannot start the {} mock: {e}", p.name())))?;
                targets.push(Target {
                    provider: p,
                    base_url: mock.base_url(),
                    authorize_base_url: mock.base_url(),
                    client_id: client.client_id,
                    client_secret: client.client_secret,
                    redirect_uri: client.redirect_uri,
                    authorization: AuthorizationStrategy::RedirectCapture,
                    mock_control: true,
                    test_telephone: p.mock_test_user().0,
                    test_sms_code: p.mock_test_user().1,
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
            (targets, Limits::default(), label)
        }
    };
    let http = if args.target.is_none() {
        HttpClient::loopback(limits)
    } else {
        HttpClient::new(limits, &[])
    }
    .map_err(usage)?;
    preflight(&http, &targets).await?;

    let embedded = args.target.is_none();
    let selected: Vec<Provider> = targets.iter().map(|t| t.provider).collect();
    let without_sms_code: Vec<Provider> = targets
        .iter()
        .filter(|t| t.test_sms_code.is_none())
        .map(|t| t.provider)
        .collect();
    let target_map: HashMap<Provider, Target> =
        targets.into_iter().map(|t| (t.provider, t)).collect();
    let ctx = world::install(RunContext {
        http,
        schemas,
        targets: target_map,
        receiver,
        environment_errors: Mutex::default(),
    });

    // Which scenarios run: the selected providers, the tag expression, and against a real
    // target no @mock-only scenario (recorded as skipped, with the reason).
    let skipped: Arc<Mutex<Vec<ScenarioResult>>> = Arc::default();
    let filter = {
        let skipped = skipped.clone();
        move |f: &Feature, r: Option<&Rule>, s: &Scenario| {
            let tags = features::merged_tags(f, r, s);
            let Some(p) = Provider::from_tags(&tags) else {
                return false;
            };
            if !selected.contains(&p) || tags_op.as_ref().is_some_and(|op| !op.eval(tags.iter())) {
                return false;
            }
            if !embedded && tags.iter().any(|t| t == MOCK_ONLY) {
                skipped
                    .lock()
                    .unwrap()
                    .push(ScenarioResult::skipped(f, r, s, MOCK_ONLY_REASON));
                return false;
            }
            if without_sms_code.contains(&p) && tags.iter().any(|t| t == NEEDS_SMS_CODE) {
                skipped.lock().unwrap().push(ScenarioResult::skipped(
                    f,
                    r,
                    s,
                    NEEDS_SMS_CODE_REASON,
                ));
                return false;
            }
            true
        }
    };

    let junit = SharedBuffer::default();
    let json = SharedBuffer::default();
    let (collector, outcome) = Collector::new();
    let coloring = if args.no_color {
        writer::Coloring::Never
    } else {
        writer::Coloring::Auto
    };
    let console = writer::Basic::raw(RedactingStdout, coloring, args.verbose);
    let _ = steps_compiled.await;
    let cucumber = ConformanceWorld::cucumber::<std::path::PathBuf>()
        .with_parser(Preparsed)
        .with_writer(
            console
                .summarized()
                .tee::<ConformanceWorld, _>(writer::JUnit::for_tee(junit.clone(), 0))
                .tee::<ConformanceWorld, _>(writer::Json::for_tee(json.clone()))
                .tee::<ConformanceWorld, _>(
                    collector.discard_stats_writes().discard_arbitrary_writes(),
                )
                .normalized(),
        )
        .fail_on_skipped()
        .max_concurrent_scenarios(args.concurrency.max(1))
        .before(|feature, rule, scenario, world| {
            let tags = features::merged_tags(feature, rule, scenario);
            world.provider = Provider::from_tags(&tags);
            Box::pin(async {})
        })
        .with_default_cli();
    cucumber.filter_run(all_features, filter).await;

    let mut results = std::mem::take(&mut outcome.lock().unwrap().scenarios);
    results.extend(skipped.lock().unwrap().drain(..));
    results.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));

    let reports = &args.reports;
    report::write_all(
        reports,
        &target_label,
        &results,
        &junit.contents(),
        &json.contents(),
    )
    .map_err(usage)?;
    print!("{}", secret::redact(&report::console_summary(&results)));
    println!("reports written to {}", reports.display());
    if let Some(path) = &args.stats {
        let served: Vec<_> = providers.iter().copied().zip(&mocks).collect();
        RunStats::collect(ctx.schemas.names().count(), &served)
            .write(path)
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    }
    drop(mocks);

    let env_errors = ctx.environment_errors.lock().unwrap().len();
    let failed = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .count();
    if env_errors > 0 {
        eprintln!(
            "error: {env_errors} request(s) could not reach the target (exit 3: environment, not a verdict)"
        );
        return Ok(ExitCode::Unreachable);
    }
    if results.iter().all(|r| r.status == Status::Skipped) {
        eprintln!("error: no scenario ran: check --provider, --tags and --features");
        return Ok(ExitCode::Usage);
    }
    Ok(if failed > 0 {
        ExitCode::Failed
    } else {
        ExitCode::Passed
    })
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

/// Before any scenario: every real target must answer at all. Unreachable is exit 3.
async fn preflight(http: &HttpClient, targets: &[Target]) -> Result<(), Stop> {
    for t in targets.iter().filter(|t| !t.mock_control) {
        if let Err(e) = http
            .send(Request::new(reqwest::Method::GET, t.base_url.clone()))
            .await
        {
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
