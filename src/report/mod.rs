//! Reports: what a run found, collected from cucumber's events, rendered as `summary.md` and the
//! console summary, and written (with cucumber's own JUnit and JSON writers' output) atomically
//! and redacted.

mod collector;
pub mod failure_view;
mod feature_json;
pub mod html;
mod junit;
pub mod run_record;
pub mod shape;
mod summary;
pub mod templates;

pub use collector::{Collector, ScenarioResult, Status};
pub use feature_json::FeatureJson;
pub use junit::junit_from_results;
pub use run_record::RunRecord;
pub use shape::ShapeLog;
pub use summary::{console_summary, markdown_summary};

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::secret;

/// An in-memory output shared with a cucumber writer, written out after the run.
#[derive(Clone, Debug, Default)]
pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Standard output with every line passed through redaction.
#[derive(Debug, Default)]
pub struct RedactingStdout;

impl std::io::Write for RedactingStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = secret::redact(&String::from_utf8_lossy(buf));
        std::io::stdout().write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

/// Renders and writes every report of a run but the diff and the shard manifest: `junit.xml`,
/// `cucumber.json` (none for an interrupted run), `summary.md`, `results.json`, the run record
/// `run.json`, and `index.html` as `index_html` renders it. The page renders and is
/// written on a second thread meanwhile: it is as much work as all the others together. The
/// error names the report.
pub fn write_all(
    dir: &Path,
    results: &[ScenarioResult],
    summary: &str,
    junit: &str,
    json: Option<&str>,
    record: &RunRecord,
    index_html: impl FnOnce() -> Result<String, String> + Send,
) -> Result<(), String> {
    let write = |name: &str, contents: &str| {
        write_report(dir, name, contents)
            .map_err(|e| format!("cannot write {}/{name}: {e}", dir.display()))
    };
    std::thread::scope(|scope| {
        let page = scope.spawn(|| write("index.html", &index_html()?));
        let results_json = serde_json::to_string_pretty(results).unwrap_or_default();
        let run_json = serde_json::to_string_pretty(record).unwrap_or_default();
        for (name, contents) in [
            ("junit.xml", Some(junit)),
            ("cucumber.json", json),
            ("summary.md", Some(summary)),
            ("results.json", Some(results_json.as_str())),
            (run_record::RUN_FILE, Some(run_json.as_str())),
        ] {
            if let Some(contents) = contents {
                write(name, contents)?;
            }
        }
        page.join()
            .map_err(|_| "rendering index.html failed (a panic)".to_owned())?
    })
}

/// Writes `contents` redacted to `dir/name` through a temporary file and a rename, so a report
/// is never half-written.
pub fn write_report(dir: &Path, name: &str, contents: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, secret::redact(contents))?;
    std::fs::rename(&tmp, dir.join(name))
}
