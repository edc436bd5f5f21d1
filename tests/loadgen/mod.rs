//! A loopback load generator for the embedded mocks, shared by `tests/mock_load.rs` (bounded, in
//! CI) and `benches/suite.rs` (the figures in BENCHMARKS.md). Each connection is one plain
//! HTTP/1.1 keep-alive socket running the losgehts authorization-code flow in a loop: GET the
//! authorize URL (302 with a fresh code), then exchange the code at the token endpoint (200 with
//! an access token). Every answer is checked, so a lost or wrong answer is an error, not a
//! faster figure.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// The client secret the load's mock is started with (a test value, not a real credential).
pub const SECRET: &str = "load-test-client-secret";

/// A standalone mock provider process (`idp-conformance mock PROVIDER --port 0`), killed on drop.
pub struct MockProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl MockProcess {
    pub fn start(bin: &Path, provider: &str) -> Self {
        use std::io::BufRead as _;
        let mut child = Command::new(bin)
            .args(["mock", provider, "--port", "0"])
            .env("MOCK_CLIENT_SECRET", SECRET)
            // No line per request: the load is what is measured.
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the mock starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut first = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut first)
            .expect("the mock prints where it listens");
        let addr = first
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in the mock's first line: {first:?}"));
        Self { child, addr }
    }

    /// The mock's resident memory now, in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.child.id())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// How hard and how long to load the mock.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub connections: usize,
    pub duration: Duration,
    /// Stop after this many token exchanges in all, even before `duration`.
    pub max_exchanges: u64,
    /// Sample the mock's RSS this often (by pid) while the load runs.
    pub sample_every: Duration,
}

/// What a load run measured.
#[derive(Debug, Default)]
pub struct Report {
    /// HTTP requests sent and answered as expected (authorize and token).
    pub requests: u64,
    pub token_exchanges: u64,
    /// Requests that got no answer or an unexpected one.
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Token exchange latencies, sorted, in microseconds.
    pub token_latency_us: Vec<u32>,
    /// (seconds since the start, mock RSS in KiB).
    pub rss_samples: Vec<(f64, u64)>,
}

impl Report {
    pub fn requests_per_sec(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn token_exchanges_per_sec(&self) -> f64 {
        self.token_exchanges as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p`-th percentile (0..=100) token exchange latency in microseconds.
    pub fn token_latency_percentile(&self, p: f64) -> u32 {
        let v = &self.token_latency_us;
        if v.is_empty() {
            return 0;
        }
        let rank = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        v[rank.min(v.len() - 1)]
    }
}

/// Runs the load against a losgehts mock at `addr` started with [`SECRET`] and client id 40.
pub fn run(addr: SocketAddr, mock_pid: u32, load: Load) -> Report {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async move {
        let started = Instant::now();
        let deadline = started + load.duration;
        let budget = Arc::new(AtomicU64::new(load.max_exchanges));
        let done = Arc::new(AtomicBool::new(false));
        let sampler = {
            let done = done.clone();
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    samples.push((started.elapsed().as_secs_f64(), rss_kib(mock_pid)));
                    tokio::time::sleep(load.sample_every).await;
                }
                samples
            })
        };
        let workers: Vec<_> = (0..load.connections)
            .map(|n| tokio::spawn(connection(addr, n, deadline, budget.clone())))
            .collect();
        let mut report = Report::default();
        for w in workers {
            let r = w.await.expect("a load connection panicked");
            report.requests += r.requests;
            report.token_exchanges += r.token_exchanges;
            report.errors += r.errors;
            report.first_error = report.first_error.or(r.first_error);
            report.token_latency_us.extend(r.token_latency_us);
        }
        report.elapsed = started.elapsed();
        done.store(true, Ordering::Relaxed);
        report.rss_samples = sampler.await.unwrap_or_default();
        report
            .rss_samples
            .push((report.elapsed.as_secs_f64(), rss_kib(mock_pid)));
        report.token_latency_us.sort_unstable();
        report
    })
}

async fn connection(
    addr: SocketAddr,
    n: usize,
    deadline: Instant,
    budget: Arc<AtomicU64>,
) -> Report {
    let mut r = Report::default();
    let mut stream = match TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => {
            fail(&mut r, format!("connect: {e}"));
            return r;
        }
    };
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    let mut i = 0u64;
    while Instant::now() < deadline
        && budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
            .is_ok()
    {
        i += 1;
        let state = format!("load-{n}-{i}");
        let authorize = format!(
            "GET /oauth/authorize?client_id=40&state={state}&scope=signup HTTP/1.1\r\nhost: {addr}\r\n\r\n"
        );
        let answer = match exchange(&mut stream, authorize.as_bytes(), &mut buf).await {
            Ok(a) => a,
            Err(e) => {
                fail(&mut r, format!("authorize: {e}"));
                return r;
            }
        };
        let code = answer
            .location
            .as_deref()
            .and_then(|l| l.split(['?', '&']).find_map(|p| p.strip_prefix("code=")))
            .map(str::to_owned);
        let Some(code) = code.filter(|_| answer.status == 302) else {
            fail(
                &mut r,
                format!("authorize answered {} without a code", answer.status),
            );
            continue;
        };
        r.requests += 1;
        let body = format!(
            r#"{{"grant_type":"authorization_code","code":"{code}","client_id":"40","client_secret":"{SECRET}","state":"{state}"}}"#
        );
        let token = format!(
            "POST /oauth/token HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let sent = Instant::now();
        let answer = match exchange(&mut stream, token.as_bytes(), &mut buf).await {
            Ok(a) => a,
            Err(e) => {
                fail(&mut r, format!("token: {e}"));
                return r;
            }
        };
        let latency = sent.elapsed();
        if answer.status == 200 && answer.body.contains("\"access_token\"") {
            r.requests += 1;
            r.token_exchanges += 1;
            r.token_latency_us
                .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        } else {
            fail(
                &mut r,
                format!("token answered {}: {}", answer.status, answer.body),
            );
        }
    }
    r
}

fn fail(r: &mut Report, e: String) {
    r.errors += 1;
    r.first_error.get_or_insert(e);
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

/// Writes one request and reads one whole answer (headers, then `content-length` bytes).
async fn exchange(
    stream: &mut TcpStream,
    request: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Answer, String> {
    stream.write_all(request).await.map_err(|e| e.to_string())?;
    buf.clear();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        read_more(stream, buf).await?;
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|e| e.to_string())?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .ok_or("the answer has no content-length")?
        .parse()
        .map_err(|_| "a bad content-length")?;
    let location = header("location");
    while buf.len() < head_end + length {
        read_more(stream, buf).await?;
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
    Ok(Answer {
        status,
        location,
        body,
    })
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) => Err("the mock closed the connection".to_owned()),
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}
