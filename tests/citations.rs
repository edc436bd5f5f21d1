//! Citations name each provider's document by title, public location and section, never by the
//! file name of someone's local copy ("Seed 000", "003_e902696022d4d1e2"): a reader of a
//! feature, a schema, a report or the README has the document's title, not our copies.

mod common;

use std::path::{Path, PathBuf};

/// Every text file a reader sees: the contract (built into the binary and shown in its
/// reports), the report templates, the target file examples and the documentation.
fn read_by_people() -> Vec<PathBuf> {
    let root = common::root();
    let mut files = vec![
        root.join("README.md"),
        root.join("ARCHITECTURE.md"),
        root.join("BENCHMARKS.md"),
    ];
    for dir in [
        "features",
        "schemas",
        "documents",
        "templates",
        "targets",
        "docs",
    ] {
        walk(&root.join(dir), &mut files);
    }
    files
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// "seed 000", "Seed 003", "seed_001": a copy's name used as a citation.
fn names_a_seed(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.match_indices("seed").any(|(i, _)| {
        let rest = lower[i + 4..].trim_start_matches([' ', '_', '-']);
        rest.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// "003_e902696022d4d1e2": a local copy's file name (three digits, `_`, 16 hex digits).
fn names_a_copy(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.windows(20).any(|w| {
        w[..3].iter().all(u8::is_ascii_digit)
            && w[3] == b'_'
            && w[4..]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    })
}

#[test]
fn no_citation_names_a_local_copy_of_a_document() {
    let mut found = Vec::new();
    for path in read_by_people() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if names_a_seed(line) || names_a_copy(line) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "cite the document by title, location and section instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_detectors_catch_what_they_are_for() {
    assert!(names_a_seed(
        "\"description\": \"Seed 000, Token Exchange\""
    ));
    assert!(names_a_seed("# An SSO v1 deployment (seed 002)."));
    assert!(!names_a_seed("conn_seeded_john"));
    assert!(names_a_copy("(seed 003_e902696022d4d1e2)"));
    assert!(!names_a_copy("2026-12-07T06:36:37.029762Z"));
}
