//! The Hurl side of the comparison: `benches/hurl/losgehts/*.hurl`, one file per losgehts
//! scenario that runs against a target file, each making the exchanges the harness makes for it.
//! The files also give the critical path: the longest file's entries, each one round trip, plus
//! one round trip to set up its connection.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Request lines start with a method at the start of a line.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// One scenario's Hurl file and how many exchanges (entries) it makes.
pub struct Scenario {
    pub path: PathBuf,
    pub exchanges: usize,
}

/// Every `*.hurl` file under `dir`, sorted by name, with its entry count.
pub fn scenarios(dir: &Path) -> Vec<Scenario> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "hurl"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Scenario {
                exchanges: entries(&text),
                path,
            }
        })
        .collect()
}

/// The number of entries (requests) in a Hurl file's text.
pub fn entries(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            l.split_once(' ')
                .is_some_and(|(method, _)| METHODS.contains(&method))
        })
        .count()
}

/// The critical path in round trips: the longest scenario's exchanges, plus its connection's
/// set-up.
pub fn chain(scenarios: &[Scenario]) -> usize {
    scenarios.iter().map(|s| s.exchanges).max().unwrap_or(0) + 1
}

/// `hurl --version`'s first line, e.g. "hurl 8.0.1 (...)".
pub fn version(hurl: &Path) -> String {
    Command::new(hurl)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown version".to_owned())
}

/// The variables the files are templated on.
pub struct Vars<'a> {
    pub base: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_uri: &'a str,
}

/// `hurl --test --parallel --jobs JOBS` over every scenario file, against `vars.base`.
pub fn command(hurl: &Path, scenarios: &[Scenario], jobs: usize, vars: &Vars<'_>) -> Command {
    let mut c = super::process::command(hurl);
    c.args([
        "--test",
        "--parallel",
        "--jobs",
        &jobs.to_string(),
        "--no-color",
    ])
    .arg("--variable")
    .arg(format!("base={}", vars.base))
    .arg("--variable")
    .arg(format!("client_id={}", vars.client_id))
    .arg("--variable")
    .arg(format!("client_secret={}", vars.client_secret))
    .arg("--variable")
    .arg(format!("redirect_uri={}", vars.redirect_uri))
    .args(scenarios.iter().map(|s| &s.path));
    c
}
