//! Reports: what a run found, collected from cucumber's events, rendered as `summary.md` and the
//! console summary, `junit.xml`, `index.html`, and written (with cucumber's own JSON writer's
//! output) atomically and redacted. Also what reads reports back: `diff` (two runs compared),
//! `merge` (a sharded run joined) and `docs` (the contract as a page, no run).

mod collector;
pub mod diff;
pub mod docs;
pub mod failure_view;
pub mod html;
mod junit;
pub mod merge;
pub mod run_record;
pub mod shape;
mod summary;
pub mod templates;

pub use collector::{Collector, ScenarioResult, Status};
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
        text_of(&self.0.lock().unwrap()).into_owned()
    }
}

/// `bytes` as text, each invalid sequence replaced: the standard library's validation first
/// (word-at-a-time over ASCII), `from_utf8_lossy`'s byte-at-a-time walk only for invalid bytes
/// (it was 9.7 M instructions of a run over text that is always valid).
fn text_of(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
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
/// secret split across two writes is still masked, and a line is redacted once.
///
/// A line is written as soon as it is whole, except in a run against the embedded mocks with
/// stdout on a pipe or a file (a CI log): such a run lasts well under a second, and its lines
/// are written together, once [`BATCH_BYTES`] wait or the next line comes [`BATCH_DELAY`] after
/// the first waiting one (it made 1,690 `write` calls, one per line, each waking the reader).
/// Against a target file a step can wait minutes for an answer, and the log shows every line
/// before it.
#[derive(Debug)]
pub struct RedactingStdout {
    pending: Vec<u8>,
    redacted: Vec<u8>,
    live: bool,
    since: Option<std::time::Instant>,
}

/// How long redacted lines may wait before they are written to a pipe or a file.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(100);
/// How many bytes of redacted lines may wait.
const BATCH_BYTES: usize = 16 * 1024;

impl RedactingStdout {
    /// Standard output; `batched`: lines may wait as described above (a run against the
    /// embedded mocks), unless stdout is a terminal.
    pub fn new(batched: bool) -> Self {
        use std::io::IsTerminal as _;
        Self {
            pending: Vec::new(),
            redacted: Vec::new(),
            live: !batched || std::io::stdout().is_terminal(),
            since: None,
        }
    }

    /// Moves `pending[..end]`, redacted, to what waits to be written.
    fn redact_pending(&mut self, end: usize) {
        let text = secret::redact(&text_of(&self.pending[..end]));
        self.pending.drain(..end);
        self.redacted.extend_from_slice(text.as_bytes());
    }

    /// Redacts `pending[..end]`; writes what waits when it may not wait longer.
    fn emit(&mut self, end: usize) -> std::io::Result<()> {
        self.redact_pending(end);
        let since = *self.since.get_or_insert_with(std::time::Instant::now);
        if self.live || self.redacted.len() >= BATCH_BYTES || since.elapsed() >= BATCH_DELAY {
            self.write_waiting()?;
        }
        Ok(())
    }

    fn write_waiting(&mut self) -> std::io::Result<()> {
        self.since = None;
        if self.redacted.is_empty() {
            return Ok(());
        }
        let result = std::io::stdout().lock().write_all(&self.redacted);
        self.redacted.clear();
        result
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
            self.redact_pending(self.pending.len());
        }
        self.write_waiting()?;
        std::io::stdout().flush()
    }
}

impl Drop for RedactingStdout {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// Renders and writes every report of a run but the diff and the shard manifest: `junit.xml`,
/// `cucumber.json` as `json` renders it (none for an interrupted run), `summary.md`,
/// `results.json`, the run record `run.json`, and `index.html` as `index_html` renders it
/// (through [`templates::render`], so already redacted: it is written as it comes, not redacted
/// a second time). The page renders and is written on a second thread meanwhile: it is as much
/// work as all the others together.
/// The error names the report.
pub fn write_all(
    dir: &Path,
    results: &[ScenarioResult],
    summary: &str,
    junit: &str,
    json: Option<impl FnOnce() -> String>,
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
        // cucumber's JSON report is rendered here, while the page renders on the other core.
        let json = json.map(|render| render());
        let results_json = serde_json::to_string_pretty(results).unwrap_or_default();
        let run_json = serde_json::to_string_pretty(record).unwrap_or_default();
        for (name, contents) in [
            ("junit.xml", Some(junit)),
            ("cucumber.json", json.as_deref()),
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
