//! `idp-conformance merge-reports`: joins the reports of a run split with `--shard I/N` into the
//! reports of one run. It proves the split first: every shard present once, no scenario in two
//! shards, and as many results as the run selected; anything else is exit 2, naming the problem.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::{ExitCode, MergeArgs};
use crate::reports::{self, ScenarioResult, Status};
use crate::run::shard::{MANIFEST, Manifest};

/// One shard's reports, read.
struct Part {
    dir: PathBuf,
    manifest: Manifest,
    results: Vec<ScenarioResult>,
    junit: String,
    cucumber: Vec<serde_json::Value>,
}

fn read(dir: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(dir.join(name))
        .map_err(|e| format!("{}: cannot read {name}: {e}", dir.display()))
}

fn parse<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T, String> {
    serde_json::from_str(&read(dir, name)?)
        .map_err(|e| format!("{}/{name}: not the harness's format: {e}", dir.display()))
}

fn load(dir: &Path) -> Result<Part, String> {
    if !dir.join(MANIFEST).exists() {
        return Err(format!(
            "{}: no {MANIFEST}; merge the reports folders of `idp-conformance run --shard I/N`",
            dir.display()
        ));
    }
    Ok(Part {
        dir: dir.to_owned(),
        manifest: parse(dir, MANIFEST)?,
        results: parse(dir, "results.json")?,
        junit: read(dir, "junit.xml")?,
        cucumber: parse(dir, "cucumber.json")?,
    })
}

/// Every shard once, nothing in two shards, nothing lost.
fn check(parts: &[Part]) -> Result<(), String> {
    let first = &parts[0].manifest;
    let mut by_index: BTreeMap<usize, &Path> = BTreeMap::new();
    for p in parts {
        let m = &p.manifest;
        if (m.total, m.selected) != (first.total, first.selected) {
            return Err(format!(
                "{} is shard {}/{} of a run that selected {} scenarios, {} of {}/{} of one \
                 that selected {}: these are not the shards of one run",
                p.dir.display(),
                m.index,
                m.total,
                m.selected,
                parts[0].dir.display(),
                first.index,
                first.total,
                first.selected
            ));
        }
        if let Some(other) = by_index.insert(m.index, &p.dir) {
            return Err(format!(
                "shard {}/{} is given twice: {} and {}",
                m.index,
                m.total,
                other.display(),
                p.dir.display()
            ));
        }
        if p.results.len() != m.in_shard {
            return Err(format!(
                "{}: results.json holds {} scenarios, shard.json says {}",
                p.dir.display(),
                p.results.len(),
                m.in_shard
            ));
        }
    }
    let missing: Vec<String> = (1..=first.total)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{}", first.total))
        .collect();
    if !missing.is_empty() {
        return Err(format!("shard(s) {} missing", missing.join(", ")));
    }
    let mut seen: BTreeMap<(&str, usize), &Path> = BTreeMap::new();
    for p in parts {
        for r in &p.results {
            if let Some(other) = seen.insert((&r.file, r.line), &p.dir) {
                return Err(format!(
                    "{}:{} ran in two shards ({} and {})",
                    r.file,
                    r.line,
                    other.display(),
                    p.dir.display()
                ));
            }
        }
    }
    if seen.len() != first.selected {
        return Err(format!(
            "the shards hold {} scenarios, the run selected {}",
            seen.len(),
            first.selected
        ));
    }
    Ok(())
}

/// The `<testsuite>` elements of a run's `junit.xml` (its `<testsuites>` may carry
/// attributes: an interrupted run names why), renumbered from `next_id`.
fn testsuites(junit: &str, next_id: &mut usize) -> String {
    let inner = junit
        .split_once("<testsuites")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let inner = inner.rsplit_once("</testsuites>").map_or(inner, |(i, _)| i);
    let mut out = String::new();
    for (i, chunk) in inner.split("<testsuite id=\"").enumerate() {
        if i == 0 {
            out.push_str(chunk);
            continue;
        }
        let rest = chunk.split_once('"').map_or(chunk, |(_, r)| r);
        out.push_str(&format!("<testsuite id=\"{next_id}\"{rest}"));
        *next_id += 1;
    }
    out
}

pub fn merge_reports(args: MergeArgs) -> ExitCode {
    match merge(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::Usage
        }
    }
}

fn merge(args: &MergeArgs) -> Result<ExitCode, String> {
    let parts = args
        .shards
        .iter()
        .map(|d| load(d))
        .collect::<Result<Vec<_>, _>>()?;
    check(&parts)?;
    let mut results: Vec<ScenarioResult> = parts.iter().flat_map(|p| p.results.clone()).collect();
    results.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    let total = parts[0].manifest.total;
    let target = parts[0].manifest.target.clone();
    let target = target
        .rsplit_once(", shard ")
        .map_or(target.as_str(), |(t, _)| t)
        .to_owned();
    let label = format!("{target} ({total} shards merged)");
    let mut id = 0;
    let suites: String = parts
        .iter()
        .map(|p| testsuites(&p.junit, &mut id))
        .collect();
    let junit =
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites>{suites}</testsuites>");
    let cucumber: Vec<serde_json::Value> = parts.iter().flat_map(|p| p.cucumber.clone()).collect();
    let out = &args.reports;
    for (name, contents) in [
        ("junit.xml", junit),
        (
            "cucumber.json",
            serde_json::to_string_pretty(&cucumber).unwrap_or_default(),
        ),
        ("summary.md", reports::markdown_summary(&results, &label)),
        (
            "results.json",
            serde_json::to_string_pretty(&results).unwrap_or_default(),
        ),
    ] {
        reports::write_report(out, name, &contents)
            .map_err(|e| format!("cannot write {}/{name}: {e}", out.display()))?;
    }
    print!("{}", reports::console_summary(&results));
    println!("merged {total} shards into {}", out.display());
    Ok(if results.iter().any(|r| r.environment_error) {
        ExitCode::Unreachable
    } else if results.iter().any(|r| r.status == Status::Failed) {
        ExitCode::Failed
    } else {
        ExitCode::Passed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn testsuites_are_lifted_out_and_renumbered() {
        let a = "<?xml version=\"1.0\"?><testsuites><testsuite id=\"0\" name=\"a\"></testsuite>\
                 <testsuite id=\"1\" name=\"b\"></testsuite></testsuites>";
        // An interrupted shard's report names why on its <testsuites>.
        let b = "<?xml version=\"1.0\"?><testsuites name=\"incomplete: x\"><testsuite id=\"0\" name=\"c\"></testsuite></testsuites>";
        let mut id = 0;
        let merged = testsuites(a, &mut id) + &testsuites(b, &mut id);
        assert_eq!(
            merged,
            "<testsuite id=\"0\" name=\"a\"></testsuite><testsuite id=\"1\" name=\"b\"></testsuite>\
             <testsuite id=\"2\" name=\"c\"></testsuite>"
        );
        assert_eq!(
            testsuites("<?xml version=\"1.0\"?><testsuites></testsuites>", &mut id),
            ""
        );
    }
}
