//! The report subcommands that run no scenario: `docs` (the providers' contracts, features and
//! schemas, as one HTML page to read before any target exists: `index.html` without verdicts)
//! and `diff` (two runs' `run.json` compared, as Markdown and optionally a page).

use std::path::Path;

use crate::cli::{DiffArgs, DocsArgs, ExitCode};
use crate::contract::embedded::Source;
use crate::contract::features;
use crate::contract::schema::SchemaSet;
use crate::reports::diff::{compare, markdown};
use crate::reports::html::{self, Page};
use crate::reports::{RunRecord, write_report};

/// Runs `idp-conformance diff`.
pub fn diff(args: DiffArgs) -> ExitCode {
    let load = |p: &Path| RunRecord::load(p).map(|r| (r, p.display().to_string()));
    let (baseline, candidate) = match (load(&args.baseline), load(&args.candidate)) {
        (Ok(b), Ok(c)) => (b, c),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    let diff = compare(&baseline.0, &baseline.1, &candidate.0, &candidate.1);
    let text = match markdown(&diff) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::Usage;
        }
    };
    print!("{text}");
    if let Some(out) = &args.html {
        let page = html::render_page(&Page::diff_only(diff.clone()));
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let written = page.and_then(|p| {
            let name = out
                .file_name()
                .ok_or("--html names no file")?
                .to_string_lossy();
            write_report(dir, &name, &p).map_err(|e| e.to_string())
        });
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", out.display());
            return ExitCode::Usage;
        }
    }
    if diff.regressions > 0 {
        ExitCode::Failed
    } else {
        ExitCode::Passed
    }
}

/// Renders the documentation page; exit 2 when a feature or schema is malformed.
pub fn docs(args: DocsArgs) -> ExitCode {
    match write(&args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::Passed
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::Usage
        }
    }
}

fn write(args: &DocsArgs) -> Result<String, String> {
    let features = features::load(&Source::from_flag(args.features.as_deref())).map_err(|e| e.0)?;
    // Compiling the schemas proves the page shows schemas a run would accept.
    let schemas = SchemaSet::load(&Source::from_flag(args.schemas.as_deref())).map_err(|e| e.0)?;
    let page = html::render(html::Sources {
        features: &features,
        schemas: schemas.documents().to_vec(),
        results: None,
        run: None,
        diff: None,
    })?;
    let dir = args
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = args
        .out
        .file_name()
        .ok_or_else(|| format!("--out {}: name a file", args.out.display()))?
        .to_string_lossy();
    write_report(dir, &name, &page)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let scenarios: usize = features
        .iter()
        .map(|f| f.scenarios.len() + f.rules.iter().map(|r| r.scenarios.len()).sum::<usize>())
        .sum();
    Ok(format!(
        "documentation of {} features ({scenarios} scenarios) written to {}",
        features.len(),
        args.out.display()
    ))
}
