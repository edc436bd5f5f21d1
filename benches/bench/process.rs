//! Child processes timed from spawn to exit (wall time and peak RSS through `wait4`), a
//! standalone mock, and the summaries the bench prints.

use std::fs::File;
use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Proxy variables a child must not see: every exchange goes to the loopback, through our proxy.
const PROXY_VARS: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// `program` with a clean environment for timing: no RUST_LOG, no proxy.
pub fn command(program: &Path) -> Command {
    let mut c = Command::new(program);
    c.env_remove("RUST_LOG");
    for v in PROXY_VARS {
        c.env_remove(v);
    }
    c
}

pub struct Timed {
    pub wall: Duration,
    pub max_rss_kib: u64,
    pub code: i32,
}

/// Runs `cmd` to its exit, its stdout discarded and its stderr written to `stderr`: wall time
/// from spawn to reaping, and the child's peak RSS (wait4's rusage, the child alone).
#[allow(
    clippy::zombie_processes,
    reason = "reaped by wait4, which also reports the peak RSS"
)]
pub fn timed(cmd: &mut Command, stderr: &Path) -> Timed {
    let err = File::create(stderr).expect("a file for the child's stderr");
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?} does not start: {e}"));
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

/// Panics with the end of the child's stderr when it did not exit 0.
pub fn ensure_passed(t: &Timed, what: &str, stderr: &Path) {
    if t.code != 0 {
        let text = std::fs::read_to_string(stderr).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!("{what} exited {}:\n{}", t.code, tail.join("\n"));
    }
}

/// A standalone mock (`idp-conformance mock PROVIDER --port 0`) for the bench's client, its
/// secret passed in an environment variable of ours; killed on drop.
pub struct Mock {
    child: Child,
    pub addr: SocketAddr,
    pub client_id: String,
    pub redirect_uri: String,
}

pub const SECRET_ENV: &str = "IDP_BENCH_CLIENT_SECRET";
/// A test value, not a credential.
pub const SECRET: &str = "bench-client-secret";
pub const CLIENT_ID: &str = "40";
pub const REDIRECT_URI: &str = "http://127.0.0.1:9999/callback";

impl Mock {
    pub fn start(bin: &Path, provider: &str) -> Self {
        let mut child = command(bin)
            .args(["mock", provider, "--port", "0"])
            .args(["--client-secret-env", SECRET_ENV])
            .args(["--client-id", CLIENT_ID, "--redirect-uri", REDIRECT_URI])
            .env(SECRET_ENV, SECRET)
            // No line per request: the run against it is what is timed.
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the mock starts");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut next = || lines.next().and_then(Result::ok).unwrap_or_default();
        let first = next();
        let addr = first
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in the mock's first line: {first:?}"));
        Self {
            addr,
            client_id: CLIENT_ID.to_owned(),
            redirect_uri: REDIRECT_URI.to_owned(),
            child,
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Median, fastest and slowest of a series of times, in milliseconds.
#[derive(Clone, Copy)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(times: impl Iterator<Item = Duration>) -> Self {
        let mut ms: Vec<f64> = times.map(|d| d.as_secs_f64() * 1000.0).collect();
        assert!(!ms.is_empty(), "no runs to summarize");
        ms.sort_by(f64::total_cmp);
        Self {
            median: median_sorted(&ms),
            min: ms[0],
            max: ms[ms.len() - 1],
        }
    }
}

fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The median of `values` (KiB, counts...).
pub fn median_u64(values: impl Iterator<Item = u64>) -> f64 {
    let mut v: Vec<f64> = values.map(|x| x as f64).collect();
    v.sort_by(f64::total_cmp);
    median_sorted(&v)
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:7.1} ms  ({:.1} .. {:.1})",
            self.median, self.min, self.max
        )
    }
}

pub fn mib(kib: f64) -> f64 {
    kib / 1024.0
}

/// An executable named `name` on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

pub fn machine() -> String {
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
