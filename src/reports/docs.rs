//! `idp-conformance docs`: the providers' contracts (features and schemas) as one HTML page,
//! for reading before any target exists. Nothing is run; the page is `index.html` without
//! verdicts.

use crate::cli::{DocsArgs, ExitCode};
use crate::contract::features;
use crate::contract::schema::SchemaSet;
use crate::reports::{self, html};

/// Renders the documentation page; exit 2 when a feature or schema is malformed.
pub fn run(args: DocsArgs) -> ExitCode {
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
    let features = features::load(&args.features).map_err(|e| e.0)?;
    // Compiling the schemas proves the page shows schemas a run would accept.
    SchemaSet::load(&args.schemas).map_err(|e| e.0)?;
    let page = html::render(html::Sources {
        features: &features,
        schemas: html::read_schemas(&args.schemas)?,
        results: None,
        target: None,
        duration_ms: None,
        diff: None,
    })?;
    let dir = args
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = args
        .out
        .file_name()
        .ok_or_else(|| format!("--out {}: name a file", args.out.display()))?
        .to_string_lossy();
    reports::write_report(dir, &name, &page)
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
