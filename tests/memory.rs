//! Bounded memory whatever a server sends: the whole suite against a provider answering 4 MB
//! bodies (every answer as large as the body limit lets through) stays under 256 MiB resident,
//! and the webhook receiver stays flat under a flood of deliveries. The peak is the harness
//! process's own high-water mark (`VmHWM` of /proc/PID/status), read while it runs; each test
//! prints its figures (`cargo test --test memory -- --nocapture`).

mod common;

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::header;
use axum::response::IntoResponse as _;

/// The body limit of a target file by default (`max_body_bytes`): 4 MiB. The answers below stay
/// just under it, so the harness reads, parses and checks each one whole.
const BODY_BYTES: usize = 4 * 1024 * 1024 - 4096;
/// The bound the run's peak resident memory must stay under.
const PEAK_BOUND_MB: u64 = 256;
const SECRET: &str = "memory-client-secret-4711";
const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// A resident-memory reading of a process, from /proc/PID/status (`VmHWM` or `VmRSS`), in KiB.
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Starts `idp-conformance run` on the target file `text` (in `dir`), output piped.
fn start_run(dir: &Path, text: &str, extra: &[&str]) -> Child {
    let target = common::target_file(dir, text);
    common::bin()
        .args(["run", "--no-color", "--target"])
        .arg(&target)
        .arg("--reports")
        .arg(dir.join("reports"))
        .args(extra)
        .env("IDPC_MEMORY_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

/// Waits for `child` (at most `bound`), reading its output; returns it and the process's peak
/// resident memory in MiB (its last `VmHWM` before it exited).
fn watch(mut child: Child, bound: Duration) -> (Output, u64) {
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let mut peak_kb = 0;
    let status = loop {
        if let Some(kb) = status_kb(pid, "VmHWM") {
            peak_kb = kb;
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > bound {
            let _ = child.kill();
            panic!("the run hangs: killed after {:?}", started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, peak_kb / 1024)
}

/// A target file naming every provider at `base_url`, with the default body limit.
fn every_provider_at(base_url: &str) -> String {
    let mut text = String::from("[settings]\ntimeout_secs = 30\n");
    for (p, _) in common::providers() {
        text.push_str(&format!(
            "\n[providers.{p}]\nbase_url = \"{base_url}\"\nclient_id = \"40\"\n\
             client_secret_env = \"IDPC_MEMORY_SECRET\"\nredirect_uri = \"{REDIRECT_URI}\"\n"
        ));
        if p == "sso_v1" {
            text.push_str("test_telephone = \"+4915100000001\"\n");
        }
    }
    text
}

/// Answers served, to show the run met the large bodies.
static ANSWERS: AtomicUsize = AtomicUsize::new(0);

/// How a 4 MB answer is made up.
#[derive(Clone, Copy)]
enum Large {
    /// A token answer (so the flows go on to the endpoints behind it) padded with one long
    /// string.
    PaddedToken,
    /// An object of about 250,000 small fields whose names differ from answer to answer: the
    /// most a parse and the shape recorder can be made to hold per byte.
    ManyFields,
}

fn large_body(kind: Large, answer: usize) -> String {
    let mut body = String::with_capacity(BODY_BYTES);
    match kind {
        Large::PaddedToken => {
            body.push_str(&format!(
                "{{\"access_token\":\"tok-{answer}\",\"token_type\":\"Bearer\",\
                 \"expires_in\":3600,\"padding\":\""
            ));
            body.extend(std::iter::repeat_n('x', BODY_BYTES - body.len() - 2));
            body.push_str("\"}");
        }
        Large::ManyFields => {
            body.push('{');
            let mut i = 0;
            while body.len() < BODY_BYTES - 32 {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&format!("\"a{answer}f{i}\":{i}"));
                i += 1;
            }
            body.push('}');
        }
    }
    body
}

/// Answers made once, served in turn (a server making each anew would be the bottleneck).
const VARIANTS: usize = 16;

/// A provider that authorizes at once and answers every other request with a 4 MB JSON body.
fn large_answers(kind: Large) -> String {
    let bodies: &'static [axum::body::Bytes] = (0..VARIANTS)
        .map(|v| axum::body::Bytes::from(large_body(kind, v)))
        .collect::<Vec<_>>()
        .leak();
    common::serve(Router::new().fallback(move |req: Request| async move {
        if req.uri().path().contains("authorize") {
            return common::authorize_redirect(req.uri(), REDIRECT_URI, "large-code");
        }
        let answer = ANSWERS.fetch_add(1, Ordering::SeqCst);
        let body = bodies[answer % VARIANTS].clone();
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    }))
}

/// One measured run at a time: two at once would share the machine and the answer count.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs the suite against `kind` of answers: the run ends with verdicts and reports, and its
/// peak resident memory stays under the bound.
fn assert_suite_bounded(kind: Large, name: &str) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let url = large_answers(kind);
    let dir = tempfile::tempdir().unwrap();
    let before = ANSWERS.load(Ordering::SeqCst);
    let child = start_run(dir.path(), &every_provider_at(&url), &[]);
    let (out, peak_mb) = watch(child, Duration::from_secs(400));
    let answers = ANSWERS.load(Ordering::SeqCst) - before;
    let text = common::text(&out);
    assert!(
        [1, 3].contains(&common::code(&out)),
        "a verdict of failed checks or environment errors:\n{text}"
    );
    assert!(!text.contains("panicked at"), "{text}");
    let results = common::results(&dir.path().join("reports"));
    let environment_errors = results.iter().filter(|r| r.environment_error).count();
    eprintln!(
        "{name}: {} scenarios ({environment_errors} environment errors), {answers} answers of \
         {} KiB, peak RSS {peak_mb} MiB",
        results.len(),
        BODY_BYTES / 1024
    );
    assert!(answers >= 100, "only {answers} large answers:\n{text}");
    assert!(
        peak_mb < PEAK_BOUND_MB,
        "{name}: peak RSS {peak_mb} MiB (bound {PEAK_BOUND_MB} MiB)"
    );
}

#[test]
fn the_suite_against_4_mb_token_answers_stays_under_256_mib() {
    // Almost every verdict is a check's; on a busy machine an answer that waited for room
    // longer than the timeout is an environment error (the figures print the count).
    assert_suite_bounded(Large::PaddedToken, "4 MB token answers");
}

#[test]
fn the_suite_against_4_mb_answers_of_many_fields_stays_under_256_mib() {
    // Parsing and walking 250,000 fields an answer is slow in a debug build on a busy machine:
    // many answers wait for room longer than the timeout (environment errors); the point of
    // this case is the memory.
    assert_suite_bounded(Large::ManyFields, "4 MB answers of many fields");
}

/// A provider that answers nothing but the reachability check: every scenario waits on it, so
/// the run (and its webhook receiver) stays up until it is stopped.
fn silent_provider() -> String {
    common::serve(Router::new().fallback(|| async {
        futures::future::pending::<()>().await;
        "never"
    }))
}

/// Posts `count` deliveries of `bytes` each to `url`, 8 at a time.
fn flood(url: &str, count: usize, bytes: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        let body = axum::body::Bytes::from(vec![b'w'; bytes]);
        let posts = (0..count).map(|_| {
            let request = client.post(url).body(body.clone()).send();
            async move { request.await.map(|r| r.status().as_u16()) }
        });
        let statuses: Vec<_> = futures::StreamExt::collect(futures::StreamExt::buffer_unordered(
            futures::stream::iter(posts),
            8,
        ))
        .await;
        let delivered = statuses.iter().filter(|s| matches!(s, Ok(200))).count();
        assert_eq!(
            delivered,
            count,
            "{:?}",
            statuses.iter().find(|s| !matches!(s, Ok(200)))
        );
    });
}

/// The receiver keeps the latest 512 deliveries of at most 64 KiB: a provider posting webhooks
/// without end (here 1 GiB, 16,384 posts of 64 KiB) leaves the run's memory flat once that many
/// are kept.
#[test]
fn a_flood_of_webhooks_leaves_the_run_s_memory_flat() {
    let url = silent_provider();
    let port = common::free_port();
    let text = format!(
        "[settings]\ntimeout_secs = 120\n\n[providers.loginsign]\nbase_url = \"{url}\"\n\
         client_id = \"40\"\nclient_secret_env = \"IDPC_MEMORY_SECRET\"\n\
         redirect_uri = \"{REDIRECT_URI}\"\napp_id = \"memory-app\"\n\
         webhook_listen = \"127.0.0.1:{port}\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_run(dir.path(), &text, &[]);
    let pid = child.id();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its receiver listened"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no receiver");
        std::thread::sleep(Duration::from_millis(20));
    }
    let webhooks = format!("http://127.0.0.1:{port}/webhooks");
    let rss_mb = || status_kb(pid, "VmRSS").unwrap_or(0) / 1024;
    // Warm: the receiver holds the 512 it keeps; the next ones replace the oldest.
    flood(&webhooks, 1024, 64 * 1024);
    let warm = rss_mb();
    let flooded_at = Instant::now();
    flood(&webhooks, 16 * 1024, 64 * 1024);
    let took = flooded_at.elapsed();
    let flooded = rss_mb();
    let peak = status_kb(pid, "VmHWM").unwrap_or(0) / 1024;
    let ended = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ended.success());
    let (out, _) = watch(child, Duration::from_secs(60));
    eprintln!(
        "webhook flood: RSS {warm} MiB after 1,024 posts of 64 KiB, {flooded} MiB after 16,384 \
         more ({took:.1?}), peak {peak} MiB"
    );
    assert_eq!(common::code(&out), 4, "{}", common::text(&out));
    assert!(
        flooded <= warm + 16,
        "RSS grew from {warm} MiB to {flooded} MiB under the flood"
    );
    assert!(peak < PEAK_BOUND_MB, "peak RSS {peak} MiB");
}

/// The example target files listen for webhooks on loopback only: `0.0.0.0` would let anyone
/// who reaches the port post to the run.
#[test]
fn no_example_target_file_listens_beyond_loopback() {
    let mut seen = 0;
    for entry in std::fs::read_dir(common::root().join("targets")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let file: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let providers = file.get("providers").and_then(toml::Value::as_table);
        for (name, provider) in providers.into_iter().flatten() {
            if let Some(listen) = provider.get("webhook_listen").and_then(toml::Value::as_str) {
                let addr: std::net::SocketAddr = listen.parse().unwrap();
                assert!(
                    addr.ip().is_loopback(),
                    "{}: [providers.{name}] webhook_listen = {listen:?}",
                    path.display()
                );
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no example target file sets webhook_listen");
}
