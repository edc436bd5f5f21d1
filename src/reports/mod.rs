//! Reports: what a run found, collected from cucumber's events, rendered as `summary.md` and the
//! console summary, `junit.xml`, `index.html`, and written (with cucumber's own JSON writer's
//! output) atomically and redacted. Also what reads reports back: `diff` (two runs compared),
//! `merge` (a sharded run joined) and `docs` (the contract as a page, no run).

mod collector;
pub mod commands;
pub mod diff;
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
pub use summary::{console_summary, markdown_summary, with_banner};

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
    pub fn claim(dir: &Path) -> Result<Self, String> {
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
        Ok(Self { _lock: lock })
    }
}

/// What the report stage of a run needs.
pub struct RunReports<'a> {
    pub dir: &'a Path,
    /// Every feature (the page documents them all, run or not).
    pub features: &'a [cucumber::gherkin::Feature],
    pub schemas: &'a Path,
    pub record: &'a RunRecord,
    pub label: &'a str,
    /// cucumber's JSON report; none for an interrupted run (cucumber's writer writes only when
    /// every scenario has finished), whose old `cucumber.json` is removed.
    pub cucumber_json: Option<&'a str>,
    /// An interrupted run's banner, on `junit.xml` and `summary.md`.
    pub banner: Option<String>,
    /// What every report says beside the verdicts (TLS verification off): a property of each
    /// `junit.xml` suite, the head of each `cucumber.json` feature's description (the others
    /// carry it in the target label and in each result).
    pub warning: Option<&'a str>,
    /// `--baseline`: the earlier run and where it was read from; `diff.md` and the page's
    /// section say what changed since.
    pub baseline: Option<(&'a RunRecord, &'a Path)>,
}

/// Writes every report of a run: `junit.xml`, `cucumber.json`, `summary.md`, `results.json`,
/// the run record `run.json`, `index.html`, and with a baseline `diff.md`; then prints the
/// console summary. Each is written redacted and atomically; the error names the report.
pub fn write_run(r: RunReports<'_>) -> Result<(), String> {
    let results = &r.record.scenarios;
    let write = |name: &str, contents: &str| {
        write_report(r.dir, name, contents)
            .map_err(|e| format!("cannot write {}/{name}: {e}", r.dir.display()))
    };
    let diff = r
        .baseline
        .map(|(b, path)| diff::compare(b, &path.display().to_string(), r.record, "this run"));
    let mut summary = markdown_summary(results, r.label);
    if let Some(banner) = &r.banner {
        summary = with_banner(&summary, banner);
    }
    write(
        "junit.xml",
        &junit_from_results(results, r.banner.as_deref(), r.warning),
    )?;
    match r
        .cucumber_json
        .and_then(|j| masked_cucumber_json(j, r.warning))
    {
        Some(json) => write("cucumber.json", &json)?,
        None => {
            let _ = std::fs::remove_file(r.dir.join("cucumber.json"));
        }
    }
    write("summary.md", &summary)?;
    write(
        "results.json",
        &serde_json::to_string_pretty(results).unwrap_or_default(),
    )?;
    write(
        run_record::RUN_FILE,
        &serde_json::to_string_pretty(r.record).unwrap_or_default(),
    )?;
    let page = html::run_page(r.features, r.schemas, r.record, diff.clone())?;
    write("index.html", &page)?;
    if let Some(diff) = &diff {
        write("diff.md", &diff::markdown(diff)?)?;
    }
    print!("{}", secret::redact(&console_summary(results)));
    println!("reports written to {}", r.dir.display());
    Ok(())
}

/// Writes `contents` to `dir/name` through a temporary file and a rename, so a report is never
/// half-written. The contents are written as they come: a report is built from values masked
/// before it was serialized (`ScenarioResult::remask`, [`mask_strings`]); masking the
/// serialized text would mask the report's own syntax wherever a server made a word of it a
/// secret (`"passed"`, `false`, `testcase`).
pub fn write_report(dir: &Path, name: &str, contents: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // This process's own temporary name: two writers never share one.
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written =
        std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, dir.join(name)));
    if written.is_err() {
        // A full disk leaves no half-written temporary file behind.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// cucumber's JSON report with the strings a provider can have put text in masked (its structure
/// untouched), each feature's description opening with `warning`: cucumber's writer serialized
/// it, so it is parsed back and those strings masked again. A text that is not JSON is not
/// written at all.
pub fn masked_cucumber_json(text: &str, warning: Option<&str>) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    mask_provided(&mut value);
    if let (Some(warning), Some(features)) = (warning, value.as_array_mut()) {
        for feature in features.iter_mut().filter_map(|f| f.as_object_mut()) {
            let description = feature
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or_default();
            let description = format!("{warning}\n\n{description}");
            feature.insert("description".into(), description.into());
        }
    }
    serde_json::to_string(&value).ok()
}

/// Masks the strings of cucumber's JSON a provider can have put text in: step errors and
/// logs (the names, keywords and descriptions come from the feature files).
fn mask_provided(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_provided),
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if matches!(key.as_str(), "error_message" | "output" | "data") {
                    mask_strings(v);
                } else {
                    mask_provided(v);
                }
            }
        }
        _ => {}
    }
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
