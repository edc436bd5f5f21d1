//! Helpers shared by the integration tests: run the binary, read its results.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
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
    let text = std::fs::read_to_string(reports.join("results.json")).expect("results.json written");
    serde_json::from_str(&text).expect("results.json parses")
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

/// A standalone mock process (`idp-conformance mock`); its stdout stays open (held here) for as
/// long as it runs, and dropping it ends the process.
pub struct Mock(Child, #[allow(dead_code)] BufReader<ChildStdout>);

impl Mock {
    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `idp-conformance mock PROVIDER --port 0 ARGS` with `envs`; returns it and its URL.
pub fn start_mock(provider: &str, args: &[&str], envs: &[(&str, &str)]) -> (Mock, String) {
    let mut cmd = bin();
    cmd.args(["mock", provider, "--port", "0"])
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .last()
        .expect("the mock prints its URL")
        .to_owned();
    (Mock(child, reader), url)
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

/// Writes `text` to `dir/rel`, creating its folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
