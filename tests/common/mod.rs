//! Helpers shared by the integration tests: run the binary, read its results.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

/// The binary under test. `IDP_CONFORMANCE_BIN` overrides it: worktrees sharing one
/// CARGO_TARGET_DIR overwrite each other's `target/debug/idp-conformance`, so a run that must
/// test its own build copies it aside and points here.
pub fn bin() -> Command {
    let path = std::env::var_os("IDP_CONFORMANCE_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_idp-conformance").into());
    let mut cmd = Command::new(path);
    cmd.current_dir(root()).env_remove("RUST_LOG");
    cmd
}

/// Every report an unsharded run writes into its reports folder.
pub const REPORTS: [&str; 6] = [
    "junit.xml",
    "cucumber.json",
    "summary.md",
    "results.json",
    "run.json",
    "index.html",
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `idp-conformance run ARGS --reports DIR --no-color`.
pub fn run(args: &[&str], reports: &Path) -> Output {
    bin()
        .arg("run")
        .args(args)
        .arg("--reports")
        .arg(reports)
        .arg("--no-color")
        .output()
        .expect("the binary runs")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct ScenarioResult {
    pub provider: String,
    pub file: String,
    pub scenario: String,
    pub status: String,
    pub failure: Option<String>,
    #[serde(default)]
    pub environment_error: bool,
    #[serde(default)]
    pub skip_reason: Option<String>,
}

impl ScenarioResult {
    /// `file stem: scenario name`, the key used by tests/defect_matrix.toml.
    pub fn key(&self) -> String {
        let stem = Path::new(&self.file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        format!("{stem}: {}", self.scenario)
    }
}

pub fn results(reports: &Path) -> Vec<ScenarioResult> {
    serde_json::from_value(serde_json::Value::Array(raw_results(reports)))
        .expect("results.json holds results")
}

/// The scenarios of `results.json` (`{"run": {...}, "scenarios": [...]}`) as JSON values.
pub fn raw_results(reports: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(reports.join("results.json")).expect("results.json written");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("results.json parses");
    match value["scenarios"].take() {
        serde_json::Value::Array(items) => items,
        other => panic!("results.json has no scenarios list: {other}"),
    }
}

/// The defects one provider's mock can be started with (`idp-conformance defects PROVIDER`).
pub fn defects_of(provider: &str) -> Vec<String> {
    let out = bin().args(["defects", provider]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// Every provider the binary knows, with its defects (`idp-conformance defects`).
pub fn providers() -> Vec<(String, Vec<String>)> {
    let out = bin().arg("defects").output().expect("the binary runs");
    let mut providers: Vec<(String, Vec<String>)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(name) = line.strip_suffix(':') {
            providers.push((name.to_owned(), Vec::new()));
        } else if let (Some(last), Some(defect)) =
            (providers.last_mut(), line.split_whitespace().next())
        {
            last.1.push(defect.to_owned());
        }
    }
    assert!(!providers.is_empty(), "{}", text(&out));
    providers
}

/// `idp-conformance mock PROVIDER --port 0 ARGS` as a separate process, the way a real
/// deployment is reached: over HTTP, through a target file. Killed when dropped.
pub struct MockProcess {
    child: Child,
    /// Held open for as long as the mock runs (it writes status lines to it).
    _stdout: BufReader<ChildStdout>,
    /// `http://127.0.0.1:PORT`, as the mock printed it.
    pub url: String,
}

impl MockProcess {
    pub fn start(provider: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = bin();
        // Its request lines (one per request, on the test's stderr) only when a test asks.
        cmd.args(["mock", provider, "--port", "0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the mock starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .last()
            .expect("the mock prints its URL")
            .to_owned();
        Self {
            child,
            _stdout: stdout,
            url,
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// `host:port` of the mock.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago (for a listener whose URL must be known in advance).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET that follows no redirect: the status and the Location header. The test
/// client that plays the person in a browser.
pub fn http_get(url: &str) -> (u16, Option<String>) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = std::net::TcpStream::connect(host).expect("the server listens");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let location = answer.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location")
            .then(|| v.trim().to_owned())
    });
    (status, location)
}

/// Writes a target file into `dir` and returns its path.
pub fn target_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("target.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts `idp-conformance mock PROVIDER --port 0 ARGS` with `envs`; returns it and its URL.
pub fn start_mock(provider: &str, args: &[&str], envs: &[(&str, &str)]) -> (MockProcess, String) {
    let mock = MockProcess::start(provider, args, envs);
    let url = mock.url.clone();
    (mock, url)
}

/// Serves `router` on a loopback port from a thread of its own (a test's hostile or leaky
/// provider); the root path `/`, the harness's reachability preflight, answers 200. Returns the
/// base URL.
pub fn serve(router: axum::Router) -> String {
    let router = axum::Router::new()
        .route("/", axum::routing::get(|| async { "ok" }))
        .merge(router);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    format!("http://{addr}")
}

/// A fake provider's authorization answer: a redirect to `redirect_uri` with `code` and the
/// `state` of the request (`uri`), as an auto-approving sandbox gives it.
pub fn authorize_redirect(
    uri: &axum::http::Uri,
    redirect_uri: &str,
    code: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let state = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut location = url::Url::parse(redirect_uri).unwrap();
    location
        .query_pairs_mut()
        .append_pair("code", code)
        .append_pair("state", &state);
    (
        axum::http::StatusCode::FOUND,
        [(axum::http::header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// Writes `text` to `dir/rel`, creating its folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
