//! `run.json`: the machine-readable record of one run that `idp-conformance diff` compares:
//! every scenario's verdict and the response shapes per endpoint. Values never enter it: shapes
//! hold field names and types, failures are redacted like every report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

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
    /// When, with what and against what: every report says it.
    #[serde(flatten)]
    pub run: RunInfo,
    pub scenarios: Vec<ScenarioResult>,
    pub shapes: Vec<EndpointShape>,
}

/// What every report says about the run beside its verdicts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The harness that wrote it (`idp-conformance 0.1.0`).
    pub tool: String,
    /// What was tested: the target file, or the embedded mocks (with their defects).
    pub target: String,
    /// When the run started, RFC 3339 in UTC (`2026-12-07T06:30:00.123Z`).
    #[serde(default)]
    pub started_at: String,
    /// Wall time of the whole run.
    pub duration_ms: u64,
    /// Each provider's base URL, credentials and query removed.
    #[serde(default)]
    pub base_urls: BTreeMap<String, String>,
    /// What the verdicts must be read with (TLS certificate verification was off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// Why the run did not finish (interrupted, `--max-duration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
}

/// The harness's name and version, as every report gives it.
pub const TOOL: &str = concat!("idp-conformance ", env!("CARGO_PKG_VERSION"));

impl RunInfo {
    /// A run against `target` that started at `started` and lasted `duration_ms`.
    pub fn new(target: &str, started: SystemTime, duration_ms: u64) -> Self {
        Self {
            tool: TOOL.to_owned(),
            target: target.to_owned(),
            started_at: rfc3339(started),
            duration_ms,
            ..Self::default()
        }
    }

    /// Records `url` as `provider`'s base URL, without its user name, password, query or
    /// fragment (a URL a team pasted may carry a credential in any of them).
    pub fn add_base_url(&mut self, provider: &str, url: &str) {
        self.base_urls
            .insert(provider.to_owned(), without_credentials(url));
    }

    /// When the run started, parsed back (`None` for a record of an older harness).
    pub fn started(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        chrono::DateTime::parse_from_rfc3339(&self.started_at).ok()
    }

    /// `provider=url` pairs, comma separated.
    pub fn base_urls_line(&self) -> String {
        self.base_urls
            .iter()
            .map(|(p, u)| format!("{p}={u}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `at` as RFC 3339 in UTC with milliseconds.
pub fn rfc3339(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `url` without user name, password, query and fragment; a text that is not a URL is left
/// out whole (it could be anything).
pub fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

impl RunRecord {
    /// A run's record, its scenarios in file order (whatever order they finished in).
    pub fn new(
        run: RunInfo,
        mut scenarios: Vec<ScenarioResult>,
        shapes: Vec<EndpointShape>,
    ) -> Self {
        scenarios.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
        Self {
            format: FORMAT,
            run,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_their_credentials() {
        assert_eq!(
            without_credentials("https://user:pa55@idp.example/api?key=s3cret#x"),
            "https://idp.example/api"
        );
        assert_eq!(without_credentials("not a url"), "(not a URL)");
        let mut info = RunInfo::new("t", std::time::UNIX_EPOCH, 5);
        info.add_base_url("losgehts", "http://127.0.0.1:4000");
        assert_eq!(info.started_at, "1970-01-01T00:00:00.000Z");
        assert_eq!(info.base_urls_line(), "losgehts=http://127.0.0.1:4000/");
        assert!(info.started().is_some());
    }
}
