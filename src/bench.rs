//! The hidden `bench` command behind `cargo bench` (benches/suite.rs): the floor (a run's exact
//! exchange mix replayed by a bare reqwest loop against the same embedded mocks) and the per-call
//! cost of the hot pieces, timed inside this binary so every step definition is linked and
//! registered as in a real run (see ARCHITECTURE.md, "Decisions").

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser as _, Subcommand};
use cucumber::gherkin::{Feature, Step};
use serde_json::json;

use crate::cli::{Cli, Command, ExitCode};
use crate::mocks::{RunningMock, serve};
use crate::providers::{MockClient, Provider};
use crate::receiver::Receiver;
use crate::report::{self, ScenarioResult};
use crate::schema::SchemaSet;
use crate::stats::{self, RunStats};
use crate::{features, runner, step_check};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchCommand,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Runs the whole suite in-process, then times schema validation of the largest response it
    /// validated, step matching over every step of every feature, and writing the reports.
    Pieces {
        #[arg(long, default_value = "features")]
        features: PathBuf,
        #[arg(long, default_value = "schemas")]
        schemas: PathBuf,
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
        /// Calls per timed batch (five batches; the fastest and the median are reported).
        #[arg(long, default_value_t = 2000)]
        iterations: u32,
        /// Where the JSON result goes.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replays the exchange mix a `run --stats FILE` recorded (same method, route and mock, same
    /// count) with a bare reqwest client against freshly started embedded mocks.
    Floor {
        #[arg(long)]
        stats: PathBuf,
        /// Requests in flight at once (the run's default --jobs).
        #[arg(long, default_value_t = 32)]
        jobs: usize,
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn bench(args: BenchArgs) -> ExitCode {
    let result = match args.what {
        BenchCommand::Pieces {
            features,
            schemas,
            reports,
            iterations,
            out,
        } => pieces(&features, &schemas, &reports, iterations.max(1))
            .await
            .and_then(|v| write_json(&out, &v)),
        BenchCommand::Floor { stats, jobs, out } => floor(&stats, jobs.max(1))
            .await
            .and_then(|v| write_json(&out, &v)),
    };
    match result {
        Ok(()) => ExitCode::Passed,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::Usage
        }
    }
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Per-call time of `f`: five batches of `iterations` calls after a warm-up; (fastest, median)
/// batch mean in nanoseconds.
fn per_call(iterations: u32, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..iterations.div_ceil(10) {
        f();
    }
    let mut means: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iterations {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(iterations)
        })
        .collect();
    means.sort_by(f64::total_cmp);
    (means[0], means[2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn pieces(
    features_dir: &Path,
    schemas_dir: &Path,
    reports: &Path,
    iterations: u32,
) -> Result<serde_json::Value, String> {
    // The whole suite, as `run` does it, remembering the largest instance it validated.
    stats::capture_largest_validated();
    let argv = [
        "idp-conformance".as_ref(),
        "run".as_ref(),
        "--features".as_ref(),
        features_dir.as_os_str(),
        "--schemas".as_ref(),
        schemas_dir.as_os_str(),
        "--reports".as_ref(),
        reports.as_os_str(),
        "--no-color".as_ref(),
    ];
    let Command::Run(run_args) = Cli::try_parse_from(argv)
        .map_err(|e| e.to_string())?
        .command
    else {
        unreachable!("the argument list names `run`")
    };
    let started = Instant::now();
    let code = runner::run(run_args).await;
    let suite_in_process = started.elapsed();
    if code != ExitCode::Passed {
        return Err(format!(
            "the suite did not pass ({code:?}); fix it before timing it"
        ));
    }

    // Schema validation of the largest response the suite validated.
    let started = Instant::now();
    let set = SchemaSet::load(schemas_dir).map_err(|e| e.0)?;
    let compile_all = started.elapsed();
    let (bytes, schema, instance) =
        stats::largest_validated().ok_or("the suite validated no response against a schema")?;
    set.ensure_conforms(&schema, &instance)
        .map_err(|f| format!("the largest response no longer conforms: {}", f.title))?;
    let validate = per_call(iterations, || {
        black_box(set.ensure_conforms(&schema, black_box(&instance)).is_ok());
    });

    // Step matching: every step of every feature, first against every step definition (once
    // per text in a run), then as a scenario running it looks its match up.
    let started = Instant::now();
    let all_features = features::load(features_dir).map_err(|e| e.0)?;
    let parse_features = started.elapsed();
    let steps = all_steps(&all_features);
    let mut matching = step_check::Matching::new();
    let unmatched = steps.iter().filter(|s| !matching.first(s)).count();
    if unmatched > 0 {
        return Err(format!("{unmatched} steps match no single step definition"));
    }
    let batch = u32::try_from(steps.len()).unwrap_or(u32::MAX).max(1);
    let step_rounds = iterations.div_ceil(batch).max(1);
    let per_step =
        |(fastest, median): (f64, f64)| (fastest / f64::from(batch), median / f64::from(batch));
    let first = per_step(per_call(step_rounds, || {
        for s in &steps {
            black_box(matching.first(black_box(s)));
        }
    }));
    let again = per_step(per_call(step_rounds, || {
        for s in &steps {
            black_box(step_check::Matching::again(black_box(s)));
        }
    }));

    // Report writing: the six reports of this run (the HTML page and junit.xml rendered each
    // time), as the runner writes them, but for cucumber.json, which the run renders from its
    // events.
    let read = |name: &str| {
        std::fs::read_to_string(reports.join(name))
            .map_err(|e| format!("cannot read {}/{name}: {e}", reports.display()))
    };
    let results: Vec<ScenarioResult> =
        serde_json::from_str(&read("results.json")?).map_err(|e| e.to_string())?;
    let cucumber_json = read("cucumber.json")?;
    let record = report::RunRecord::load(reports)?;
    let scratch = reports.join("bench-write");
    let mut write_error = None;
    let write = per_call(iterations.div_ceil(40).max(1), || {
        let summary = report::markdown_summary(&results, &record.target);
        let junit = report::junit_from_results(&results, None);
        let written = report::write_all(
            &scratch,
            &results,
            &summary,
            &junit,
            // As the run wrote it: rendering it from the run's events is not repeated here.
            Some(|| cucumber_json.clone()),
            &record,
            || report::html::run_page(&all_features, schemas_dir, &record, None),
        );
        if let Err(e) = written {
            write_error = Some(e);
        }
    });
    let written: u64 = std::fs::read_dir(&scratch)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let _ = std::fs::remove_dir_all(&scratch);
    if let Some(e) = write_error {
        return Err(e);
    }

    Ok(json!({
        "suite_in_process_ms": ms(suite_in_process),
        "schema_compile_all": {"schemas": set.names().count(), "ms": ms(compile_all)},
        "features_parse_all": {"features": all_features.len(), "ms": ms(parse_features)},
        "schema_validate_largest": {
            "schema": schema, "bytes": bytes,
            "ns_per_call_fastest": validate.0, "ns_per_call_median": validate.1,
        },
        "step_match": {
            "steps": steps.len(), "ns_per_call_fastest": first.0, "ns_per_call_median": first.1,
        },
        "step_lookup": {
            "steps": steps.len(), "ns_per_call_fastest": again.0, "ns_per_call_median": again.1,
        },
        "report_write_all": {
            "scenarios": results.len(), "bytes": written,
            "ns_per_call_fastest": write.0, "ns_per_call_median": write.1,
        },
    }))
}

/// Every step of every feature: backgrounds, scenarios, and those inside rules.
fn all_steps(features: &[Feature]) -> Vec<Step> {
    let mut steps = Vec::new();
    for f in features {
        steps.extend(f.background.iter().flat_map(|b| b.steps.iter().cloned()));
        steps.extend(f.scenarios.iter().flat_map(|s| s.steps.iter().cloned()));
        for r in &f.rules {
            steps.extend(r.background.iter().flat_map(|b| b.steps.iter().cloned()));
            steps.extend(r.scenarios.iter().flat_map(|s| s.steps.iter().cloned()));
        }
    }
    steps
}

async fn floor(stats_file: &Path, jobs: usize) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(stats_file)
        .map_err(|e| format!("cannot read {}: {e}", stats_file.display()))?;
    let recorded: RunStats = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a `run --stats` file: {e}", stats_file.display()))?;

    // The same mocks the run starts: one per provider, registered to a callback receiver.
    let receiver = Receiver::start().await.map_err(|e| e.to_string())?;
    let mut mocks: Vec<RunningMock> = Vec::new();
    let mut per_mock: Vec<Vec<(reqwest::Method, String)>> = Vec::new();
    for m in &recorded.mocks {
        let provider = Provider::parse(&m.provider)
            .ok_or_else(|| format!("unknown provider {} in the stats file", m.provider))?;
        let client = MockClient::for_run(&receiver);
        let mock = serve(provider.mock_router(&client, &[])?, 0)
            .await
            .map_err(|e| e.to_string())?;
        let mut requests = Vec::new();
        for r in &m.routes {
            let method = reqwest::Method::from_bytes(r.method.as_bytes())
                .map_err(|e| format!("{}: {e}", r.method))?;
            let url = format!("{}{}", mock.base_url(), r.path);
            requests.extend(std::iter::repeat_n((method, url), r.count));
        }
        per_mock.push(requests);
        mocks.push(mock);
    }
    // Interleaved across mocks, as concurrent scenarios of every provider interleave.
    let longest = per_mock.iter().map(Vec::len).max().unwrap_or(0);
    let mut requests = Vec::new();
    for i in 0..longest {
        requests.extend(per_mock.iter().filter_map(|r| r.get(i).cloned()));
    }
    let requests = Arc::new(requests);

    crate::http::install_crypto_provider();
    let started = Instant::now();
    // As lean as reqwest gets: no redirects followed, no root certificates loaded (plain HTTP).
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_only([])
        .build()
        .map_err(|e| e.to_string())?;
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..jobs)
        .map(|_| {
            let (client, requests, next, errors) = (
                client.clone(),
                requests.clone(),
                next.clone(),
                errors.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((method, url)) = requests.get(i) else {
                        break;
                    };
                    let answered = match client.request(method.clone(), url).send().await {
                        Ok(resp) => resp.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if !answered {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed();
    Ok(json!({
        "exchanges": requests.len(),
        "recorded_exchanges": recorded.exchanges,
        "errors": errors.load(Ordering::Relaxed),
        "jobs": jobs,
        "loop_ms": ms(elapsed),
        "connections": mocks.iter().map(|m| m.stats.connections()).sum::<usize>(),
    }))
}
