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
    let stats_run = timed(&mut suite_run(dir, Some(&stats_file)));
    assert_eq!(stats_run.code, 0, "the suite must pass before it is timed");
    let stats: Value = read_json(&stats_file);
    let exchanges = stats["exchanges"].as_u64().unwrap_or(0);

    // The suite and three floors, interleaved so that a busy moment of the machine hits all of
    // them: the exchanges replayed 32 at once (the suite's concurrency against a target file), 8
    // at once (its concurrency against the mocks, and the fastest replay on 2 cores), and one
    // after another (a plain loop).
    let floor_out = dir.join("floor.json");
    let mut suite = Vec::new();
    const FLOORS: [(&str, &str); 3] = [
        ("32", "32 at once"),
        ("8", "8 at once"),
        ("1", "one by one"),
    ];
    let mut floors: [Vec<(Timed, Duration)>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..runs {
        let s = timed(&mut suite_run(dir, None));
        assert_eq!(s.code, 0, "a timed suite run failed");
        suite.push(s);
        for (runs, (jobs, _)) in floors.iter_mut().zip(FLOORS) {
            let f = timed(
                command(&["bench", "floor", "--jobs", jobs, "--stats"])
                    .arg(&stats_file)
                    .arg("--out")
                    .arg(&floor_out),
            );
            assert_eq!(f.code, 0, "a floor run failed");
            let out = read_json(&floor_out);
            assert_eq!(out["errors"], 0, "the floor lost requests: {out}");
            assert_eq!(out["exchanges"].as_u64(), Some(exchanges), "{out}");
            let in_loop = out["loop_ms"].as_f64().unwrap_or(0.0) / 1000.0;
            runs.push((f, Duration::from_secs_f64(in_loop)));
        }
    }
    let suite_ms = Summary::of(suite.iter().map(|t| t.wall));
    let suite_rss = suite.iter().map(|t| t.max_rss_kib).max().unwrap_or(0);
    println!("whole suite, {exchanges} HTTP exchanges, {runs} runs each (ms: median / min / max)");
    println!(
        "  suite                         process start to exit  {suite_ms}   peak RSS {:.1} MiB",
        mib(suite_rss)
    );
    let mut ratios = Vec::new();
    for (runs, (_, what)) in floors.iter().zip(FLOORS) {
        let process = Summary::of(runs.iter().map(|(t, _)| t.wall));
        let in_loop = Summary::of(runs.iter().map(|(_, l)| *l));
        let rss = runs.iter().map(|(t, _)| t.max_rss_kib).max().unwrap_or(0);
        println!(
            "  floor, exchanges {what:<10}  process start to exit  {process}   peak RSS {:.1} MiB",
            mib(rss)
        );
        println!("  floor, exchanges {what:<10}  the replay loop alone  {in_loop}");
        ratios.push((
            what,
            suite_ms.median / process.median,
            suite_ms.median / in_loop.median,
        ));
    }
    for (what, process, in_loop) in &ratios {
        println!(
            "  suite/floor ({what}): {process:.2} process to process, {in_loop:.2} to the loop alone"
        );
    }
    // Where a run's time goes, phase by phase: more runs, each writing its counters.
    let mut phases: [Vec<f64>; 4] = Default::default();
    let phases_file = dir.join("phases.json");
    for _ in 0..runs {
        let t = timed(&mut suite_run(dir, Some(&phases_file)));
        assert_eq!(t.code, 0, "a suite run failed");
        let p = &read_json(&phases_file)["phases_ms"];
        let at = |k: &str| p[k].as_f64().unwrap_or(0.0);
        let wall = t.wall.as_secs_f64() * 1000.0;
        phases[0].push(at("started"));
        phases[1].push(at("scenarios") - at("started"));
        phases[2].push(at("reports") - at("scenarios"));
        phases[3].push(wall - at("reports"));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "  phases (medians of {runs} more runs): start-up {:.1} ms, scenarios {:.1} ms, \
         reports {:.1} ms, the rest of the process {:.1} ms",
        median(&mut phases[0]),
        median(&mut phases[1]),
        median(&mut phases[2]),
        median(&mut phases[3])
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
    println!(
        "  step matching, a step's first match ({} steps): {}",
        v["steps"],
        per_call(v)
    );
    let v = &pieces["step_lookup"];
    println!(
        "  step matching, each run of a step after ({} steps): {}",
        v["steps"],
        per_call(v)
    );
    let v = &pieces["report_write_all"];
    println!(
        "  report writing (6 reports, the HTML page rendered, {} scenarios, {} bytes): {}",
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

    profile(dir);

    println!("\ntargets");
    target("whole suite under 1 s (median)", suite_ms.median < 1000.0);
    for (what, process, _) in &ratios {
        target(
            &format!("suite/floor ({what}, process to process) under 3"),
            *process < 3.0,
        );
    }
    let worst = ratios.iter().map(|r| r.1).fold(0.0, f64::max);
    target(
        &format!("suite/floor under 3 against the fastest floor ({worst:.2})"),
        worst < 3.0,
    );
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

/// Where the instructions of one suite run go, from valgrind's callgrind (counts instructions,
/// so the figures repeat whatever else the machine is doing): named pieces, inclusive, and the
/// main thread's own hottest functions.
fn profile(dir: &Path) {
    println!("\nwhere the time goes: instructions of one suite run (valgrind --tool=callgrind)");
    let cg = dir.join("callgrind");
    std::fs::create_dir_all(&cg).expect("a folder for callgrind");
    let ran = Command::new("valgrind")
        .args(["--tool=callgrind", "--separate-threads=yes"])
        .arg(format!("--callgrind-out-file={}", cg.join("out").display()))
        .args([BIN, "run", "--no-color", "--reports"])
        .arg(cg.join("r"))
        .current_dir(ROOT)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !ran.is_ok_and(|s| s.success()) {
        println!("  (no profile: valgrind is not installed or failed; apt-get install valgrind)");
        return;
    }
    let mut threads: Vec<PathBuf> = std::fs::read_dir(&cg)
        .expect("callgrind output")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("out-"))
        })
        .collect();
    threads.sort();
    let annotate = |file: &Path, inclusive: bool| -> Vec<(u64, String)> {
        let out = Command::new("callgrind_annotate")
            .arg(format!(
                "--inclusive={}",
                if inclusive { "yes" } else { "no" }
            ))
            .arg("--threshold=100")
            .arg(file)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        out.lines()
            .filter_map(|l| {
                let (count, rest) = l.trim_start().split_once(' ')?;
                let count: u64 = count.replace(',', "").parse().ok()?;
                let function = rest.split_once(")  ")?.1;
                let function = function.rsplit_once(" [").map_or(function, |(f, _)| f);
                let function = function.split_once(':').map_or(function, |(_, f)| f);
                Some((count, function.to_owned()))
            })
            .collect()
    };
    let per_thread: Vec<Vec<(u64, String)>> = threads.iter().map(|t| annotate(t, true)).collect();
    let total_of = |lines: &[(u64, String)]| {
        lines
            .iter()
            .find(|(_, f)| f.ends_with("PROGRAM TOTALS"))
            .map_or(0, |(c, _)| *c)
    };
    let totals: Vec<u64> = per_thread.iter().map(|t| total_of(t)).collect();
    let total: u64 = totals.iter().sum();
    let share = |n: u64| 100.0 * n as f64 / total.max(1) as f64;
    println!("  {:.0} M instructions in all", total as f64 / 1e6);
    for (label, function) in [
        (
            "read the step definitions' patterns, 7 of them compiled (in the step check)",
            "idp_conformance::step_check::Definitions::load",
        ),
        (
            "compile the schemas (SchemaSet::load)",
            "idp_conformance::schema::SchemaSet::load",
        ),
        (
            "parse the features (gherkin)",
            "idp_conformance::features::load",
        ),
        (
            "build the HTTP clients (reqwest)",
            "reqwest::async_impl::client::ClientBuilder::build",
        ),
        (
            "match each step text to its definition, once (step_check, patterns included)",
            "idp_conformance::step_check::ensure_defined",
        ),
        (
            "find each step's definition as it runs (cucumber's catch-all, then our lookup)",
            "cucumber::step::Collection<World>::find",
        ),
        (
            "send the requests (on the runtime's workers: HTTP client, secrets, shape records)",
            "idp_conformance::world::ConformanceWorld::send_once::{{closure}}::{{closure}}",
        ),
        (
            "  of which recording the shape of each answer",
            "idp_conformance::report::shape::ShapeLog::record",
        ),
        (
            "cucumber's writers during the run: console, the JSON report's events kept, results collector",
            "<cucumber::writer::tee::Tee<L,R> as cucumber::writer::Writer<W>>::handle_event::{{closure}}",
        ),
        (
            "the mocks' connections (axum on hyper)",
            "axum::serve::handle_connection::{{closure}}::{{closure}}",
        ),
        (
            "render index.html (beside the other reports' writing)",
            "idp_conformance::report::html::run_page",
        ),
        (
            "write the other reports (serialize, redact, write to a temporary file, rename)",
            "std::thread::scoped::scope",
        ),
        (
            "  of which cucumber.json: cucumber's JSON writers (one per scenario) fed the run's events",
            "<cucumber::writer::json::Json<Out> as cucumber::writer::Writer<W>>::handle_event::{{closure}}",
        ),
        ("redaction, everywhere", "idp_conformance::secret::redact"),
    ] {
        let n: u64 = per_thread
            .iter()
            .map(|t| {
                t.iter()
                    .filter(|(_, f)| f == function)
                    .map(|(c, _)| *c)
                    .max()
                    .unwrap_or(0)
            })
            .sum();
        println!("  {:>5.1}%  {:>6.2} M  {label}", share(n), n as f64 / 1e6);
    }
    let shares: Vec<String> = totals
        .iter()
        .map(|t| format!("{:.0}%", share(*t)))
        .collect();
    println!(
        "  by thread: {} (the first is the main thread: start-up, cucumber's one task for every \
         scenario and writer, the reports)",
        shares.join(", ")
    );
    if let Some(main) = threads.first() {
        println!("  the main thread's hottest functions (exclusive):");
        for (count, function) in annotate(main, false)
            .iter()
            .filter(|(_, f)| !f.ends_with("PROGRAM TOTALS"))
            .take(12)
        {
            let f: String = if function.chars().count() > 100 {
                function.chars().take(100).chain(['…']).collect()
            } else {
                function.clone()
            };
            println!("  {:>5.1}%  {f}", share(*count));
        }
    }
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

/// The whole suite against the embedded mocks, its reports in `dir/r`, its counters (with the
/// phases of the run) written to `stats` when given.
fn suite_run(dir: &Path, stats: Option<&Path>) -> Command {
    let mut c = command(&["run", "--no-color", "--reports"]);
    c.arg(dir.join("r"));
    if let Some(stats) = stats {
        c.arg("--stats").arg(stats);
    }
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
