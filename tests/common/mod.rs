//! Helpers shared by the integration tests: run the binary, read its results.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
