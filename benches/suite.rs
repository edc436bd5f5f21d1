//! `cargo bench`: every figure of BENCHMARKS.md in one run, on the release binary.
//!
//! - the whole suite against the embedded mocks, process start to exit: wall time, peak RSS;
//! - the floor: the run's exact exchange mix (counted by `run --stats`) replayed by a bare
//!   reqwest loop against the same embedded mocks (`bench floor`), process start to exit and the
//!   loop alone; the suite/floor ratio;
//! - the hot pieces per call (`bench pieces`): schema validation of the largest response the
//!   suite validates, step matching, report writing;
//! - the counters behind the invariants: schemas compiled, connections per mock;
//! - a mock under load: 64 connections running the token exchange flow (`tests/loadgen`).
//!
//! Knobs: `IDP_BENCH_RUNS` (timed runs of the suite and of the floor, default 20),
//! `IDP_BENCH_LOAD_SECS` (default 10).

#[path = "../tests/loadgen/mod.rs"]
mod loadgen;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_idp-conformance");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn main() {
    let runs = knob("IDP_BENCH_RUNS", 20);
    let load_secs = knob("IDP_BENCH_LOAD_SECS", 10);
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let dir = scratch.path();
    println!("idp-conformance benchmarks: {BIN}");
    println!("machine: {}\n", machine());

    // The counters of one run: exchanges, schemas compiled, each mock's connections and routes.
    let stats_file = dir.join("stats.json");
    let stats_run = timed(
        command(&["run", "--no-color", "--reports"])
            .arg(dir.join("r"))
            .arg("--stats")
            .arg(&stats_file),
    );
    assert_eq!(stats_run.code, 0, "the suite must pass before it is timed");
    let stats: Value = read_json(&stats_file);
    let exchanges = stats["exchanges"].as_u64().unwrap_or(0);

    // The suite and the floor, interleaved so that a busy moment of the machine hits both.
    let floor_out = dir.join("floor.json");
    let (mut suite, mut floor, mut floor_loop) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let s = timed(command(&["run", "--no-color", "--reports"]).arg(dir.join("r")));
        assert_eq!(s.code, 0, "a timed suite run failed");
        suite.push(s);
        let f = timed(
            command(&["bench", "floor", "--stats"])
                .arg(&stats_file)
                .arg("--out")
                .arg(&floor_out),
        );
        assert_eq!(f.code, 0, "a floor run failed");
        let out = read_json(&floor_out);
        assert_eq!(out["errors"], 0, "the floor lost requests: {out}");
        assert_eq!(out["exchanges"].as_u64(), Some(exchanges), "{out}");
        floor_loop.push(Duration::from_secs_f64(
            out["loop_ms"].as_f64().unwrap_or(0.0) / 1000.0,
        ));
        floor.push(f);
    }
    let suite_ms = Summary::of(suite.iter().map(|t| t.wall));
    let floor_ms = Summary::of(floor.iter().map(|t| t.wall));
    let loop_ms = Summary::of(floor_loop.iter().copied());
    let suite_rss = suite.iter().map(|t| t.max_rss_kib).max().unwrap_or(0);
    let floor_rss = floor.iter().map(|t| t.max_rss_kib).max().unwrap_or(0);
    let ratio = suite_ms.median / floor_ms.median;

    println!("whole suite, {exchanges} HTTP exchanges, {runs} runs each (ms: median / min / max)");
    println!(
        "  suite  process start to exit   {suite_ms}   peak RSS {:.1} MiB",
        mib(suite_rss)
    );
    println!(
        "  floor  process start to exit   {floor_ms}   peak RSS {:.1} MiB",
        mib(floor_rss)
    );
    println!("  floor  the replay loop alone   {loop_ms}");
    println!("  suite/floor (process)          {ratio:.2}");
    println!(
        "  suite/floor loop alone         {:.2}",
        suite_ms.median / loop_ms.median
    );
    println!(
        "  schemas compiled {} for {} schema files",
        stats["schemas_compiled"], stats["schema_files"]
    );
    for m in stats["mocks"].as_array().into_iter().flatten() {
        println!(
            "  mock {:<10} {:>4} requests over {:>3} connections",
            m["provider"].as_str().unwrap_or("?"),
            m["requests"],
            m["connections"]
        );
    }

    // The hot pieces, timed inside the binary.
    let pieces_out = dir.join("pieces.json");
    let p = timed(
        command(&["bench", "pieces", "--reports"])
            .arg(dir.join("p"))
            .arg("--out")
            .arg(&pieces_out),
    );
    assert_eq!(p.code, 0, "bench pieces failed");
    let pieces = read_json(&pieces_out);
    let per_call = |v: &Value| {
        format!(
            "{} fastest, {} median",
            nanos(v["ns_per_call_fastest"].as_f64().unwrap_or(0.0)),
            nanos(v["ns_per_call_median"].as_f64().unwrap_or(0.0))
        )
    };
    let v = &pieces["schema_validate_largest"];
    println!("\nhot pieces, per call");
    println!(
        "  schema validation of the largest response ({}, {} bytes): {}",
        v["schema"].as_str().unwrap_or("?"),
        v["bytes"],
        per_call(v)
    );
    let v = &pieces["step_match"];
    println!("  step matching ({} steps): {}", v["steps"], per_call(v));
    let v = &pieces["report_write_all"];
    println!(
        "  report writing (4 reports, {} scenarios, {} bytes): {}",
        v["scenarios"],
        v["bytes"],
        per_call(v)
    );
    println!(
        "  once per run: compile {} schemas {:.1} ms, parse {} features {:.1} ms",
        pieces["schema_compile_all"]["schemas"],
        pieces["schema_compile_all"]["ms"].as_f64().unwrap_or(0.0),
        pieces["features_parse_all"]["features"],
        pieces["features_parse_all"]["ms"].as_f64().unwrap_or(0.0)
    );

    // A mock under load: the token exchange flow on 64 connections.
    let mock = loadgen::MockProcess::start(Path::new(BIN), "losgehts");
    let load = loadgen::run(
        mock.addr,
        mock.pid(),
        loadgen::Load {
            connections: 64,
            duration: Duration::from_secs(load_secs),
            max_exchanges: u64::MAX,
            sample_every: Duration::from_millis(500),
        },
    );
    let rss_after_1s = load
        .rss_samples
        .iter()
        .find(|(t, _)| *t >= 1.0)
        .map_or(0, |s| s.1);
    let rss_end = load.rss_samples.last().map_or(0, |s| s.1);
    println!(
        "\nlosgehts mock under load: 64 connections, {load_secs} s, authorize + token exchange"
    );
    println!(
        "  {:.0} requests/s ({:.0} token exchanges/s), {} errors{}",
        load.requests_per_sec(),
        load.token_exchanges_per_sec(),
        load.errors,
        load.first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "  token exchange latency: p50 {} us, p99 {} us, max {} us",
        load.token_latency_percentile(50.0),
        load.token_latency_percentile(99.0),
        load.token_latency_percentile(100.0)
    );
    println!(
        "  mock RSS: {:.1} MiB after 1 s, {:.1} MiB at the end",
        mib(rss_after_1s),
        mib(rss_end)
    );

    println!("\ntargets");
    target("whole suite under 1 s (median)", suite_ms.median < 1000.0);
    target("suite/floor under 3", ratio < 3.0);
    target("peak RSS under 64 MiB", suite_rss < 64 * 1024);
    target(
        "each schema compiled once",
        stats["schemas_compiled"] == stats["schema_files"],
    );
    target(
        "connections reused per target (fewer connections than requests)",
        stats["mocks"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|m| m["connections"].as_u64() < m["requests"].as_u64()),
    );
    target(
        "mock load: at least 20,000 requests/s, no errors",
        load.requests_per_sec() >= 20_000.0 && load.errors == 0,
    );
}

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .max(1)
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(ROOT).env_remove("RUST_LOG");
    c
}

fn read_json(path: &PathBuf) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

struct Timed {
    wall: Duration,
    max_rss_kib: u64,
    code: i32,
}

/// Runs `cmd` to its exit: wall time from spawn to reaping, and the child's peak RSS (wait4).
#[allow(
    clippy::zombie_processes,
    reason = "reaped by wait4, which also reports the peak RSS"
)]
fn timed(cmd: &mut Command) -> Timed {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet reaped; both pointers are valid for the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Timed {
        wall,
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        code,
    }
}

/// Median, fastest and slowest of a series of times, in milliseconds.
struct Summary {
    median: f64,
    min: f64,
    max: f64,
}

impl Summary {
    fn of(times: impl Iterator<Item = Duration>) -> Self {
        let mut ms: Vec<f64> = times.map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        Self {
            median: ms[ms.len() / 2],
            min: ms[0],
            max: ms[ms.len() - 1],
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:7.1} / {:7.1} / {:7.1}",
            self.median, self.min, self.max
        )
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn nanos(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.1} us", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn target(what: &str, met: bool) {
    println!("  [{}] {what}", if met { "met" } else { "MISSED" });
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    format!(
        "{cpus} CPUs ({model}), {:.1} GiB memory, {} {}",
        mem_kib as f64 / 1024.0 / 1024.0,
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
