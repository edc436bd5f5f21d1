//! `cargo bench`: what a user of the release binary feels, process start to exit.
//!
//! - The losgehts suite against a standalone mock behind a proxy that adds a fixed round-trip
//!   time (20 ms and 50 ms), at the default 32 jobs and at 8: the median wall time, divided by
//!   the critical path (the longest scenario's exchanges plus its connection's set-up, in round
//!   trips, times the RTT). Beside them, the same runs straight to the mock (no proxy): the fixed
//!   cost of a run.
//! - The same exchanges made by Hurl (`benches/hurl/losgehts/*.hurl`, one file per scenario),
//!   through the same proxy, at the same parallelism: Hurl's time over the harness's. Skipped,
//!   with a notice, when `hurl` is not on PATH.
//! - The whole suite against the embedded mocks: median wall time and peak RSS.
//! - A standalone mock under load (64 connections, `tests/loadgen`).
//!
//! Knobs: `IDP_BENCH_RUNS` (timed runs of each figure, default 10), `IDP_BENCH_LOAD_SECS`
//! (the load's duration, default 10; 0 skips it).

#[path = "bench/hurl.rs"]
mod hurl;
#[path = "../tests/loadgen/mod.rs"]
mod loadgen;
#[path = "bench/process.rs"]
mod process;
#[path = "bench/rtt_proxy.rs"]
mod rtt_proxy;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use process::{Mock, Summary, Timed, ensure_passed, mib, timed};
use rtt_proxy::RttProxy;

const BIN: &str = env!("CARGO_BIN_EXE_idp-conformance");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The round-trip times the suite is measured at; 0: straight to the mock, no proxy (the fixed
/// cost of a run).
const RTTS_MS: [u64; 3] = [0, 20, 50];
/// The harness's default parallelism against a target file (`None`: no `--jobs`; Hurl gets
/// `DEFAULT_JOBS`), and a smaller one.
const JOBS: [Option<usize>; 2] = [None, Some(8)];
const DEFAULT_JOBS: usize = 32;
/// Targets.
const CRITICAL_PATH_RATIO_AT_50: f64 = 1.2;
const HURL_OVER_HARNESS: f64 = 1.3;
const EMBEDDED_MS: f64 = 200.0;
const EMBEDDED_MIB: f64 = 64.0;

fn main() {
    let runs = knob("IDP_BENCH_RUNS", 10).max(1) as usize;
    let load_secs = knob("IDP_BENCH_LOAD_SECS", 10);
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let dir = scratch.path();
    println!("idp-conformance benchmarks: {BIN}");
    println!("machine: {}", process::machine());
    println!("{runs} timed runs per figure (IDP_BENCH_RUNS), medians\n");

    // The exchanges, from the Hurl files: one per scenario that runs against a target file.
    let hurl_dir = Path::new(ROOT).join("benches/hurl/losgehts");
    let scenarios = hurl::scenarios(&hurl_dir);
    let exchanges: usize = scenarios.iter().map(|s| s.exchanges).sum();
    let chain = hurl::chain(&scenarios);
    println!(
        "losgehts against a target file: {} scenarios, {exchanges} exchanges (benches/hurl); \
         critical path {chain} round trips ({} exchanges + 1 connection set-up)",
        scenarios.len(),
        chain - 1
    );

    let hurl = process::on_path("hurl");
    match &hurl {
        Some(h) => println!("Hurl: {} ({})", hurl::version(h), h.display()),
        None => println!("\n*** hurl not found: skipping the Hurl comparison ***\n"),
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut table = Table::default();

    // The proxy itself, on an echo server: a new connection 2 x RTT, a reused one 1 x RTT.
    {
        let rtt = Duration::from_millis(50);
        let echo = rt
            .block_on(rtt_proxy::echo_server())
            .expect("an echo server");
        let proxy = rt.block_on(RttProxy::start(echo, rtt)).expect("the proxy");
        let (first, second) = rt.block_on(rtt_proxy::calibrate(&proxy)).expect("a ping");
        println!(
            "proxy check at RTT 50 ms: an exchange on a new connection {:.1} ms, on the same \
             connection {:.1} ms",
            ms(first),
            ms(second)
        );
        assert!(
            first >= 2 * rtt && second >= rtt,
            "the proxy adds too little"
        );
    }

    // The standalone mock, reached through the proxy as a deployment is reached.
    let mock = Mock::start(Path::new(BIN), "losgehts");
    let target_file = dir.join("target.toml");
    {
        let proxy = rt
            .block_on(RttProxy::start(
                mock.addr,
                Duration::from_millis(RTTS_MS[0]),
            ))
            .expect("the proxy");
        write_target(&target_file, &proxy.url(), &mock);
        // One run that says what it sends: its exchanges are counted from its log.
        let log = dir.join("exchanges.log");
        let t = timed(
            suite_against(&target_file, dir, None).env("RUST_LOG", "idp_conformance=info"),
            &log,
        );
        ensure_passed(&t, "the losgehts suite against the mock", &log);
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let harness = text
            .lines()
            .filter(|l| l.contains("idp_conformance::http") && l.contains("exchange"))
            .count();
        println!(
            "the harness's run: {harness} exchanges (the Hurl files' {exchanges}, and its start-up \
             check of the base URL), {} connections through the proxy",
            proxy.connections()
        );
    }

    for rtt_ms in RTTS_MS {
        let rtt = Duration::from_millis(rtt_ms);
        let proxy = (rtt_ms > 0).then(|| {
            rt.block_on(RttProxy::start(mock.addr, rtt))
                .expect("the proxy")
        });
        let base = proxy
            .as_ref()
            .map_or_else(|| format!("http://{}", mock.addr), RttProxy::url);
        write_target(&target_file, &base, &mock);
        let critical = chain as f64 * rtt_ms as f64;
        let vars = hurl::Vars {
            base: &base,
            client_id: &mock.client_id,
            client_secret: process::SECRET,
            redirect_uri: &mock.redirect_uri,
        };
        // Interleaved, so that a busy moment of the machine hits every figure alike.
        let mut harness: [Vec<Timed>; 2] = Default::default();
        let mut by_hurl: [Vec<Timed>; 2] = Default::default();
        let err = dir.join("stderr");
        for _ in 0..runs {
            for (i, jobs) in JOBS.into_iter().enumerate() {
                let t = timed(&mut suite_against(&target_file, dir, jobs), &err);
                ensure_passed(&t, "the losgehts suite through the proxy", &err);
                harness[i].push(t);
                if let Some(h) = &hurl {
                    let jobs = jobs.unwrap_or(DEFAULT_JOBS);
                    let t = timed(&mut hurl::command(h, &scenarios, jobs, &vars), &err);
                    ensure_passed(&t, "hurl through the proxy", &err);
                    by_hurl[i].push(t);
                }
            }
        }
        for (i, jobs) in JOBS.into_iter().enumerate() {
            let jobs = jobs.map_or(format!("{DEFAULT_JOBS} jobs (default)"), |j| {
                format!("{j} jobs")
            });
            let rtt = if rtt_ms == 0 {
                "no proxy".to_owned()
            } else {
                format!("RTT {rtt_ms} ms")
            };
            // The critical-path target is for the default concurrency, where every scenario
            // can start at once; at 8 jobs the slots, not the longest chain, bound the run.
            let default_jobs = JOBS[i].is_none();
            let s = Summary::of(harness[i].iter().map(|t| t.wall));
            let (note, target) = if rtt_ms == 0 {
                ("the fixed cost: no added round trip".to_owned(), None)
            } else {
                let ratio = s.median / critical;
                let target = (rtt_ms == 50 && default_jobs).then(|| {
                    (
                        format!("<= {CRITICAL_PATH_RATIO_AT_50}x the critical path"),
                        ratio <= CRITICAL_PATH_RATIO_AT_50,
                    )
                });
                (
                    format!("{ratio:.2}x the critical path ({critical:.0} ms)"),
                    target,
                )
            };
            table.row(format!("harness, {rtt}, {jobs}"), s, note, target);
            if hurl.is_some() {
                let h = Summary::of(by_hurl[i].iter().map(|t| t.wall));
                let ratio = h.median / s.median;
                let target = (rtt_ms > 0).then(|| {
                    (
                        format!("harness >= {HURL_OVER_HARNESS}x faster"),
                        ratio >= HURL_OVER_HARNESS,
                    )
                });
                table.row(
                    format!("hurl,    {rtt}, {jobs}"),
                    h,
                    format!("hurl/harness {ratio:.2}x"),
                    target,
                );
            }
        }
    }
    drop(mock);

    // The whole suite against the embedded mocks.
    let err = dir.join("stderr");
    let embedded: Vec<Timed> = (0..runs)
        .map(|_| {
            let t = timed(&mut embedded_suite(dir), &err);
            ensure_passed(&t, "the whole suite against the embedded mocks", &err);
            t
        })
        .collect();
    let wall = Summary::of(embedded.iter().map(|t| t.wall));
    let rss = mib(process::median_u64(embedded.iter().map(|t| t.max_rss_kib)));
    let rss_max = mib(embedded.iter().map(|t| t.max_rss_kib).max().unwrap_or(0) as f64);
    table.row(
        "whole suite, embedded mocks".to_owned(),
        wall,
        format!("peak RSS {rss:.1} MiB (max {rss_max:.1})"),
        Some((
            format!("<= {EMBEDDED_MS:.0} ms, <= {EMBEDDED_MIB:.0} MiB"),
            wall.median <= EMBEDDED_MS && rss <= EMBEDDED_MIB,
        )),
    );

    let load = (load_secs > 0).then(|| mock_under_load(load_secs));

    println!();
    table.print();
    if let Some(line) = load {
        println!("{line}");
    }
    if hurl.is_none() {
        println!("\n*** hurl not found: skipping the Hurl comparison (cargo install hurl) ***");
    }
}

/// The losgehts mock under load: 64 connections running authorize + token exchange.
fn mock_under_load(secs: u64) -> String {
    let mock = loadgen::MockProcess::start(Path::new(BIN), "losgehts");
    let load = loadgen::run(
        mock.addr,
        mock.pid(),
        loadgen::Load {
            connections: 64,
            duration: Duration::from_secs(secs),
            max_exchanges: u64::MAX,
            sample_every: Duration::from_millis(500),
        },
    );
    let rss_end = load.rss_samples.last().map_or(0, |s| s.1);
    let met = load.requests_per_sec() >= 20_000.0 && load.errors == 0;
    format!(
        "mock under load (64 connections, {secs} s, authorize + token): {:.0} requests/s, \
         token p50 {} us / p99 {} us, {} errors{}, mock RSS {:.1} MiB at the end   \
         [{}] >= 20,000 requests/s, no errors",
        load.requests_per_sec(),
        load.token_latency_percentile(50.0),
        load.token_latency_percentile(99.0),
        load.errors,
        load.first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default(),
        mib(rss_end as f64),
        if met { "met" } else { "MISSED" }
    )
}

fn write_target(path: &Path, base_url: &str, mock: &Mock) {
    let text = format!(
        "[providers.losgehts]\nbase_url = \"{base_url}\"\nclient_id = \"{}\"\n\
         client_secret_env = \"{}\"\nredirect_uri = \"{}\"\nauthorization = \"redirect-capture\"\n",
        mock.client_id,
        process::SECRET_ENV,
        mock.redirect_uri
    );
    std::fs::write(path, text).expect("the target file");
}

/// The losgehts suite against the target file (its default jobs when `jobs` is `None`).
fn suite_against(target: &Path, dir: &Path, jobs: Option<usize>) -> Command {
    let mut c = process::command(Path::new(BIN));
    c.current_dir(ROOT)
        .env(process::SECRET_ENV, process::SECRET)
        .args(["run", "--no-color", "--provider", "losgehts", "--target"])
        .arg(target)
        .arg("--reports")
        .arg(reports(dir));
    if let Some(jobs) = jobs {
        c.arg("--jobs").arg(jobs.to_string());
    }
    c
}

/// The whole suite against the embedded mocks.
fn embedded_suite(dir: &Path) -> Command {
    let mut c = process::command(Path::new(BIN));
    c.current_dir(ROOT)
        .args(["run", "--no-color", "--reports"])
        .arg(reports(dir));
    c
}

fn reports(dir: &Path) -> PathBuf {
    dir.join("reports")
}

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The figures, printed together at the end.
#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

/// A figure, a note beside it (a ratio), and its target with whether it was met.
type Row = (String, Summary, String, Option<(String, bool)>);

impl Table {
    fn row(&mut self, what: String, s: Summary, note: String, target: Option<(String, bool)>) {
        self.rows.push((what, s, note, target));
    }

    fn print(&self) {
        println!(
            "{:<40} {:<30} {:<42} target",
            "figure", "median (min .. max)", ""
        );
        for (what, s, note, target) in &self.rows {
            let target = target.as_ref().map_or(String::new(), |(t, met)| {
                format!("[{}] {t}", if *met { "met" } else { "MISSED" })
            });
            println!("{what:<40} {:<30} {note:<42} {target}", s.to_string());
        }
    }
}
