//! `idp-conformance merge-reports`: joins the reports of a run split with `--shard I/N` into the
//! reports of one run: the same set an unsharded run writes (`junit.xml`, `cucumber.json`,
//! `summary.md`, `results.json`, `run.json`, `index.html`), built by the same writers from the
//! shards' run records. It proves the split first: every shard present once, no scenario in two
//! shards, and as many results as the run selected; anything else is exit 2, naming the problem.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::{ExitCode, MergeArgs};
use crate::contract::embedded::Source;
use crate::contract::features;
use crate::contract::schema::SchemaSet;
use crate::reports::{self, RunInfo, RunRecord, Status, cucumber_json, shape};
use crate::run::shard::{MANIFEST, Manifest};

/// One shard's reports, read.
struct Part {
    dir: PathBuf,
    manifest: Manifest,
    record: RunRecord,
    /// None for an interrupted shard (cucumber's writer wrote nothing).
    cucumber: Option<Vec<serde_json::Value>>,
}

fn parse<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T, String> {
    let text = std::fs::read_to_string(dir.join(name))
        .map_err(|e| format!("{}: cannot read {name}: {e}", dir.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}/{name}: not the harness's format: {e}", dir.display()))
}

fn load(dir: &Path) -> Result<Part, String> {
    if !dir.join(MANIFEST).exists() {
        return Err(format!(
            "{}: no {MANIFEST}; merge the reports folders of `idp-conformance run --shard I/N`",
            dir.display()
        ));
    }
    let cucumber = if dir.join("cucumber.json").exists() {
        Some(parse(dir, "cucumber.json")?)
    } else {
        None
    };
    Ok(Part {
        dir: dir.to_owned(),
        manifest: parse(dir, MANIFEST)?,
        record: RunRecord::load(dir)?,
        cucumber,
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
        if p.record.scenarios.len() != m.in_shard {
            return Err(format!(
                "{}: results.json holds {} scenarios, shard.json says {}",
                p.dir.display(),
                p.record.scenarios.len(),
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
        for r in &p.record.scenarios {
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
    let features = features::load(&Source::from_flag(args.features.as_deref())).map_err(|e| e.0)?;
    let schemas = SchemaSet::load(&Source::from_flag(args.schemas.as_deref())).map_err(|e| e.0)?;
    let total = parts[0].manifest.total;
    let record = joined(&parts);
    // cucumber's writer writes nothing for an interrupted shard: then neither is a merged
    // report written (it would miss that shard's scenarios).
    let cucumber: Option<Vec<_>> = parts.iter().map(|p| p.cucumber.clone()).collect();
    let cucumber =
        cucumber.map(|c| serde_json::to_string(&cucumber_json::merge(c)).unwrap_or_default());
    reports::write_run(reports::RunReports {
        paths: reports::ReportPaths::in_folder(&args.reports),
        features: &features,
        schemas: schemas.documents(),
        record: &record,
        cucumber_json: cucumber.map(reports::CucumberJson::Ready),
        baseline: None,
    })?;
    let results = &record.scenarios;
    print!(
        "{}",
        crate::secret::redact(&reports::console_summary(results))
    );
    println!("merged {total} shards into {}", args.reports.display());
    Ok(if results.iter().any(|r| r.environment_error) {
        ExitCode::Unreachable
    } else if results.iter().any(|r| r.status == Status::Failed) {
        ExitCode::Failed
    } else {
        ExitCode::Passed
    })
}

/// The shards' run records as the record of one run: every scenario in file order, every
/// shape, the run from the first shard's start to the last shard's end.
fn joined(parts: &[Part]) -> RunRecord {
    let first = &parts[0].record.run;
    let target = first
        .target
        .rsplit_once(", shard ")
        .map_or(first.target.as_str(), |(t, _)| t);
    let starts: Vec<_> = parts
        .iter()
        .filter_map(|p| p.record.run.started())
        .collect();
    let start = starts.iter().min().copied();
    let end = parts
        .iter()
        .filter_map(|p| {
            let run = &p.record.run;
            Some(run.started()? + chrono::Duration::milliseconds(run.duration_ms as i64))
        })
        .max();
    let mut run = RunInfo {
        tool: first.tool.clone(),
        target: format!("{target} ({} shards merged)", parts.len()),
        started_at: first.started_at.clone(),
        duration_ms: parts
            .iter()
            .map(|p| p.record.run.duration_ms)
            .max()
            .unwrap_or(0),
        base_urls: BTreeMap::new(),
        warning: parts.iter().find_map(|p| p.record.run.warning.clone()),
        incomplete: parts.iter().find_map(|p| {
            let i = p.record.run.incomplete.as_ref()?;
            Some(format!("{} ({i})", p.dir.display()))
        }),
    };
    if let (Some(start), Some(end)) = (start, end) {
        run.started_at = reports::run_record::rfc3339(start.into());
        run.duration_ms = (end - start).num_milliseconds().max(0) as u64;
    }
    for p in parts {
        run.base_urls.extend(p.record.run.base_urls.clone());
    }
    let mut scenarios: Vec<_> = parts
        .iter()
        .flat_map(|p| p.record.scenarios.clone())
        .collect();
    scenarios.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    let shapes = shape::merge(parts.iter().flat_map(|p| p.record.shapes.clone()));
    RunRecord::new(run, scenarios, shapes)
}
