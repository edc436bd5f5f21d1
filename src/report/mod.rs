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

use std::io::Write as _;
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

/// Standard output with every line passed through redaction. cucumber's console writer writes a
/// line in pieces (keyword, text, styling); the pieces wait here until the line is whole, so a
/// secret split across two writes is still masked, and a line is redacted and written once.
#[derive(Debug, Default)]
pub struct RedactingStdout {
    pending: Vec<u8>,
}

impl RedactingStdout {
    /// Redacts and writes `pending[..end]`.
    fn emit(&mut self, end: usize) -> std::io::Result<()> {
        let text = secret::redact(&String::from_utf8_lossy(&self.pending[..end]));
        self.pending.drain(..end);
        std::io::stdout().lock().write_all(text.as_bytes())
    }
}

impl std::io::Write for RedactingStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = buf.iter().rposition(|&b| b == b'\n') {
            let end = self.pending.len() - buf.len() + last + 1;
            self.emit(end)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.emit(self.pending.len())?;
        }
        std::io::stdout().flush()
    }
}

impl Drop for RedactingStdout {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// Renders and writes every report of a run but the diff and the shard manifest: `junit.xml`,
/// `cucumber.json` (none for an interrupted run), `summary.md`, `results.json`, the run record
/// `run.json`, and `index.html` as `index_html` renders it (through [`templates::render`], so
/// already redacted: it is written as it comes, not redacted a second time). The page renders
/// and is written on a second thread meanwhile: it is as much work as all the others together.
/// The error names the report.
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
        let page = scope.spawn(|| {
            let page = index_html()?;
            write_atomically(dir, "index.html", page.as_bytes())
                .map_err(|e| format!("cannot write {}/index.html: {e}", dir.display()))
        });
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
    write_atomically(dir, name, secret::redact(contents).as_bytes())
}

fn write_atomically(dir: &Path, name: &str, contents: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, dir.join(name))
}
