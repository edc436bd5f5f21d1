//! `run.json`: the machine-readable record of one run that `idp-conformance diff` compares:
//! every scenario's verdict and the response shapes per endpoint. Values never enter it: shapes
//! hold field names and types, failures are redacted like every report.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ScenarioResult;
use super::shape::EndpointShape;

/// The file name under the reports folder.
pub const RUN_FILE: &str = "run.json";

/// The version of this file's layout; `diff` refuses files of another version.
pub const FORMAT: u32 = 1;

/// One run, as `diff` reads it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    pub format: u32,
    /// The harness that wrote it (`idp-conformance 0.1.0`).
    pub tool: String,
    /// What was tested: the target file, or the embedded mocks (with their defects).
    pub target: String,
    /// Wall time of the whole run.
    pub duration_ms: u64,
    pub scenarios: Vec<ScenarioResult>,
    pub shapes: Vec<EndpointShape>,
}

impl RunRecord {
    pub fn new(
        target: &str,
        duration_ms: u64,
        scenarios: Vec<ScenarioResult>,
        shapes: Vec<EndpointShape>,
    ) -> Self {
        Self {
            format: FORMAT,
            tool: concat!("idp-conformance ", env!("CARGO_PKG_VERSION")).to_owned(),
            target: target.to_owned(),
            duration_ms,
            scenarios,
            shapes,
        }
    }

    /// Reads a run record from `path`: a `run.json`, or a reports folder holding one. The error
    /// names the file and, for malformed JSON, the line.
    pub fn load(path: &Path) -> Result<Self, String> {
        let file: PathBuf = if path.is_dir() {
            path.join(RUN_FILE)
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|e| {
            format!(
                "{}: cannot read the run record: {e} (pass a {RUN_FILE} or the reports folder \
                 of a run)",
                file.display()
            )
        })?;
        let record: Self = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a run record: {e}",
                file.display(),
                e.line(),
                e.column()
            )
        })?;
        if record.format != FORMAT {
            return Err(format!(
                "{}: run record format {} (this harness reads format {FORMAT}); rerun the suite \
                 with this version",
                file.display(),
                record.format
            ));
        }
        Ok(record)
    }
}
