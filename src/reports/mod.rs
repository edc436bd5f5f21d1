//! Reports: what a run found, collected from cucumber's events, rendered as `summary.md` and the
//! console summary, `junit.xml`, `index.html`, and written (with cucumber's own JSON writer's
//! output) atomically and redacted. Also what reads reports back: `diff` (two runs compared),
//! `merge` (a sharded run joined) and `docs` (the contract as a page, no run).

mod collector;
pub mod commands;
pub mod console;
pub mod coverage;
pub mod cucumber_json;
pub mod diff;
pub mod failure_view;
pub mod html;
pub mod junit;
pub mod merge;
pub mod run_record;
pub mod shape;
mod summary;
pub mod templates;

pub use collector::{Collector, ScenarioResult, Status};
pub use run_record::{RunInfo, RunRecord};
pub use shape::ShapeLog;
#[cfg(test)]
pub use summary::with_banner;
pub use summary::{console_summary, markdown_summary};

use std::io::Write as _;
use std::path::{Path, PathBuf};
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
/// secret split across two writes is still masked.
///
/// On a terminal each line is written as soon as it is whole. Otherwise (a CI log, a file) the
/// console is written when the run ends, redacted with every secret the run learned: a secret one
/// scenario is handed (an SSO authCode) can be echoed by another provider's page before the
/// harness has seen it, and a log, like a report, must not keep it.
#[derive(Debug)]
pub struct RedactingStdout {
    pending: Vec<u8>,
    live: bool,
}

impl Default for RedactingStdout {
    fn default() -> Self {
        use std::io::IsTerminal as _;
        Self {
            pending: Vec::new(),
            live: std::io::stdout().is_terminal(),
        }
    }
}

impl RedactingStdout {
    /// Writes `pending[..end]`, redacted.
    fn emit(&mut self, end: usize) -> std::io::Result<()> {
        let text = secret::redact(&String::from_utf8_lossy(&self.pending[..end]));
        self.pending.drain(..end);
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }
}

impl std::io::Write for RedactingStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.live
            && let Some(last) = buf.iter().rposition(|&b| b == b'\n')
        {
            let end = self.pending.len() - buf.len() + last + 1;
            self.emit(end)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.live && !self.pending.is_empty() {
            self.emit(self.pending.len())?;
        }
        Ok(())
    }
}

impl Drop for RedactingStdout {
    /// The run is over (or was stopped): what waits is written.
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.emit(self.pending.len());
        }
    }
}

/// Every report a run writes (and `shard.json`): what a new run removes before it starts.
const RUN_REPORTS: [&str; 8] = [
    "junit.xml",
    "cucumber.json",
    "summary.md",
    "results.json",
    run_record::RUN_FILE,
    "index.html",
    "diff.md",
    "shard.json",
];

/// A reports folder this run writes to, and no other run at the same time: its `.lock` file is
/// locked for as long as this lives (the operating system releases it when the process ends,
/// however it ends).
#[derive(Debug)]
pub struct Folder {
    _lock: std::fs::File,
}

impl Folder {
    /// Takes `dir` for this run: refuses when another run writes there, then removes the
    /// previous run's reports, so that a run that ends early (killed, a full disk, an
    /// unreachable target) leaves this run's reports or none, never an earlier run's verdict
    /// as if it were this one's.
    pub fn claim(dir: &Path, paths: &ReportPaths) -> Result<Self, String> {
        let shown = dir.display();
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {shown}: {e}"))?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(".lock"))
            .map_err(|e| format!("cannot write in {shown}: {e}"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "{shown}: another run is writing its reports there; give this one its own \
                     folder (--reports DIR)"
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!("cannot lock {shown}/.lock: {e}"));
            }
        }
        for name in RUN_REPORTS {
            match std::fs::remove_file(dir.join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot remove the previous {shown}/{name}: {e}")),
            }
        }
        // A report given its own path (`--report-junit PATH`) is this run's too.
        for path in paths.all() {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(format!(
                        "cannot remove the previous {}: {e}",
                        path.display()
                    ));
                }
            }
        }
        Ok(Self { _lock: lock })
    }
}

/// Where each report of a run goes: by default `DIR/junit.xml`, `DIR/cucumber.json`, ...;
/// `--report-junit`, `--report-cucumber`, `--report-html` and `--report-json` (results.json)
/// put one elsewhere (a CI tool that reads `junit.xml` from a fixed place).
#[derive(Clone, Debug)]
pub struct ReportPaths {
    pub junit: PathBuf,
    pub cucumber: PathBuf,
    pub summary: PathBuf,
    pub results: PathBuf,
    pub run: PathBuf,
    pub html: PathBuf,
    pub diff: PathBuf,
}

impl ReportPaths {
    /// Every report in `dir`, under its usual name.
    pub fn in_folder(dir: &Path) -> Self {
        Self {
            junit: dir.join("junit.xml"),
            cucumber: dir.join("cucumber.json"),
            summary: dir.join("summary.md"),
            results: dir.join("results.json"),
            run: dir.join(run_record::RUN_FILE),
            html: dir.join("index.html"),
            diff: dir.join("diff.md"),
        }
    }

    /// `[junit, cucumber, html, json]` as given on the command line, the rest in `dir`.
    pub fn new(dir: &Path, [junit, cucumber, html, json]: [&Option<PathBuf>; 4]) -> Self {
        let mut paths = Self::in_folder(dir);
        for (path, given) in [
            (&mut paths.junit, junit),
            (&mut paths.cucumber, cucumber),
            (&mut paths.html, html),
            (&mut paths.results, json),
        ] {
            if let Some(given) = given {
                *path = given.clone();
            }
        }
        paths
    }

    /// The reports a run may write outside its folder.
    fn all(&self) -> [&Path; 4] {
        [&self.junit, &self.cucumber, &self.html, &self.results]
    }
}

/// The source of `cucumber.json`.
pub enum CucumberJson<'a> {
    /// As cucumber's JSON writer wrote it: restructured and masked here
    /// ([`cucumber_json::report`]).
    FromCucumber(&'a str),
    /// Already in its final form (the shards' reports, merged).
    Ready(String),
}

/// What the report stage of a run needs.
pub struct RunReports<'a> {
    /// Where each report goes.
    pub paths: ReportPaths,
    /// Every feature (the page documents them all, run or not).
    pub features: &'a [cucumber::gherkin::Feature],
    pub schemas: &'a [(String, serde_json::Value)],
    /// The run: its verdicts, shapes, and when, with what, against what (`record.run`: an
    /// interruption and the TLS warning too, which every report shows).
    pub record: &'a RunRecord,
    /// cucumber's JSON report; none for an interrupted run (cucumber's writer writes only when
    /// every scenario has finished), whose old `cucumber.json` is removed.
    pub cucumber_json: Option<CucumberJson<'a>>,
    /// `--baseline`: the earlier run and where it was read from; `diff.md` and the page's
    /// section say what changed since.
    pub baseline: Option<(&'a RunRecord, &'a Path)>,
}

/// Writes every report of a run: `junit.xml`, `cucumber.json`, `summary.md`, `results.json`,
/// the run record `run.json`, `index.html`, and with a baseline `diff.md`. Each is written
/// redacted and atomically; the error names the report.
pub fn write_run(r: RunReports<'_>) -> Result<(), String> {
    let record = r.record;
    let write = |path: &Path, contents: &str| {
        write_file(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let diff = r
        .baseline
        .map(|(b, path)| diff::compare(b, &path.display().to_string(), record, "this run"));
    write(&r.paths.junit, &junit::junit(record))?;
    let cucumber = r.cucumber_json.and_then(|j| match j {
        CucumberJson::FromCucumber(raw) => cucumber_json::report(raw, record, r.features),
        CucumberJson::Ready(json) => Some(json),
    });
    match cucumber {
        Some(json) => write(&r.paths.cucumber, &json)?,
        None => {
            let _ = std::fs::remove_file(&r.paths.cucumber);
        }
    }
    write(&r.paths.summary, &markdown_summary(record))?;
    write(&r.paths.results, &results_json(record))?;
    write(
        &r.paths.run,
        &serde_json::to_string_pretty(record).unwrap_or_default(),
    )?;
    let page = html::run_page(r.features, r.schemas, record, diff.clone())?;
    write(&r.paths.html, &page)?;
    if let Some(diff) = &diff {
        write(&r.paths.diff, &diff::markdown(diff)?)?;
    }
    Ok(())
}

/// `results.json`: the run (`run`: when, with what, against what) and every scenario's result
/// (`scenarios`).
pub fn results_json(record: &RunRecord) -> String {
    #[derive(serde::Serialize)]
    struct Results<'a> {
        run: &'a RunInfo,
        scenarios: &'a [ScenarioResult],
    }
    serde_json::to_string_pretty(&Results {
        run: &record.run,
        scenarios: &record.scenarios,
    })
    .unwrap_or_default()
}

/// Writes `contents` to `dir/name` through a temporary file and a rename, so a report is never
/// half-written (see [`write_file`]).
pub fn write_report(dir: &Path, name: &str, contents: &str) -> std::io::Result<()> {
    write_file(&dir.join(name), contents)
}

/// Writes `contents` to `path` through a temporary file beside it and a rename, so a report is
/// never half-written. The contents are written as they come: a report is built from values
/// masked before it was serialized (`ScenarioResult::remask`, [`mask_strings`]); masking the
/// serialized text would mask the report's own syntax wherever a server made a word of it a
/// secret (`"passed"`, `false`, `testcase`).
pub fn write_file(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_owned());
    std::fs::create_dir_all(dir)?;
    // This process's own temporary name: two writers never share one.
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        // A full disk leaves no half-written temporary file behind.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Masks every string value of `value` (keys and the other values are the report's own).
pub fn mask_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            let masked = secret::redact(s);
            if masked != *s {
                *s = masked;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(mask_strings),
        _ => {}
    }
}
