//! Reads the pattern of every step definition (`#[given]`, `#[when]`, `#[then]` in `src/steps/`)
//! into a table keyed by file and line, so that a run matches step texts without compiling
//! cucumber's regex of each definition (`step_check.rs`: 31 M instructions per run went to
//! compiling them). A test checks the table against cucumber's own regexes.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src/steps");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files: Vec<_> = std::fs::read_dir("src/steps")
        .expect("src/steps is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        let text = std::fs::read_to_string(path).expect("a step module is readable");
        for (line, keyword, arg) in attributes(&text) {
            let (regex, pattern) = argument(&arg).unwrap_or_else(|why| {
                panic!("{}:{line}: #[{keyword}(...)]: {why}", path.display())
            });
            let file = Path::new("src/steps").join(path.file_name().expect("a file name"));
            let _ = writeln!(
                out,
                "    StepPattern {{ path: {:?}, line: {line}, regex: {regex}, text: {pattern:?} }},",
                file.display().to_string()
            );
        }
    }
    out.push_str("]\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("step_patterns.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// Each step attribute: the line it starts on (as `line!()` reads it in the attribute's
/// expansion), its keyword, and the text between its parentheses.
fn attributes(text: &str) -> Vec<(usize, &'static str, String)> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        let Some(keyword) = ["given", "when", "then"]
            .into_iter()
            .find(|k| trimmed.starts_with(&format!("#[{k}(")))
        else {
            continue;
        };
        let mut arg = trimmed[keyword.len() + 3..].to_owned();
        while !arg.trim_end().ends_with(")]") {
            let (_, next) = lines
                .next()
                .unwrap_or_else(|| panic!("line {}: #[{keyword}( is not closed", i + 1));
            arg.push('\n');
            arg.push_str(next);
        }
        let arg = arg.trim_end().strip_suffix(")]").expect("checked above");
        found.push((i + 1, keyword, arg.trim().to_owned()));
    }
    found
}

/// `"text"` (a plain-text step) or `regex = "..."`; the string literal decoded.
fn argument(arg: &str) -> Result<(bool, String), String> {
    let (regex, literal) = match arg.strip_prefix("regex") {
        Some(rest) => (
            true,
            rest.trim_start()
                .strip_prefix('=')
                .ok_or("expected `regex = \"...\"`")?
                .trim(),
        ),
        None if arg.starts_with("expr") => {
            return Err(
                "cucumber expressions are not used here: write an ASCII regex \
                        (`regex = r#\"^...\"([^\"]*)\"...$\"#`)"
                    .into(),
            );
        }
        None => (false, arg),
    };
    Ok((regex, string_literal(literal)?))
}

fn string_literal(lit: &str) -> Result<String, String> {
    if let Some(raw) = lit.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let fence = "#".repeat(hashes);
        return raw[hashes..]
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix(&format!("\"{fence}")))
            .map(str::to_owned)
            .ok_or_else(|| format!("not a raw string literal: {lit}"));
    }
    let body = lit
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(|| format!("not a string literal: {lit}"))?;
    let mut text = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => text.push('"'),
            Some('\\') => text.push('\\'),
            Some('\'') => text.push('\''),
            Some('n') => text.push('\n'),
            Some('t') => text.push('\t'),
            Some('\n') => {
                // A line continuation: the newline and the next line's leading blanks go.
                let rest: String = chars.clone().collect();
                let skipped = rest.len() - rest.trim_start().len();
                for _ in 0..rest[..skipped].chars().count() {
                    chars.next();
                }
            }
            other => return Err(format!("escape \\{other:?} is not read here: {lit}")),
        }
    }
    Ok(text)
}
