//! Helpers shared by the integration tests: run the binary, read its results.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idp-conformance"));
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
