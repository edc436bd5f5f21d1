//! The contract built into the binary: `features/` and `schemas/` as they were when it was
//! compiled (rust-embed; `build.rs` rebuilds the binary when a file is added), beside the
//! documents' lists the provider table includes. An installed binary runs from any folder;
//! `--features DIR` / `--schemas DIR` replace the built-in copy with a team's own folders.

use std::path::{Path, PathBuf};

use sha2::Digest as _;

use crate::providers::Provider;

#[derive(rust_embed::Embed)]
#[folder = "features/"]
struct Features;

#[derive(rust_embed::Embed)]
#[folder = "schemas/"]
struct Schemas;

/// Where a run reads its features or its schemas from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The copy built into the binary.
    Embedded,
    /// A folder given on the command line.
    Folder(PathBuf),
}

impl Source {
    /// `--features DIR` / `--schemas DIR` if given, else the built-in copy.
    pub fn from_flag(dir: Option<&Path>) -> Self {
        dir.map_or(Source::Embedded, |d| Source::Folder(d.to_owned()))
    }

    /// The folder's files with extension `ext`, sorted by path. The error names the folder as
    /// given and as resolved, the flag that named it, and what to do.
    pub fn folder_files(dir: &Path, ext: &str, flag: &str) -> Result<Vec<PathBuf>, String> {
        let files = crate::contract::files::with_extension(dir, ext).map_err(|e| {
            format!(
                "{flag} {}: cannot read the folder {}: {e}; name a readable folder of *.{ext} \
                 files, or leave {flag} out to use the contract built into this binary",
                dir.display(),
                resolved(dir).display()
            )
        })?;
        if files.is_empty() {
            return Err(format!(
                "{flag} {}: the folder {} holds no *.{ext} files; name a folder of *.{ext} \
                 files, or leave {flag} out to use the contract built into this binary",
                dir.display(),
                resolved(dir).display()
            ));
        }
        Ok(files)
    }
}

/// `dir` made absolute against the working folder (the path a reader can look for).
fn resolved(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned())
}

/// One embedded file: the path messages and reports name (`features/losgehts/x.feature`, as in
/// the repository) and its text.
pub struct File {
    pub path: PathBuf,
    pub text: String,
}

/// Every embedded file of `E` whose name ends in `.ext`, sorted by path, under `folder/`.
fn files<E: rust_embed::RustEmbed>(folder: &str, ext: &str) -> Vec<File> {
    let mut names: Vec<_> = E::iter()
        .filter(|n| Path::new(n.as_ref()).extension().is_some_and(|e| e == ext))
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let file = E::get(&name)?;
            // The repository's files are UTF-8 (a unit test reads every one).
            let text = String::from_utf8_lossy(&file.data).into_owned();
            Some(File {
                path: Path::new(folder).join(name.as_ref()),
                text,
            })
        })
        .collect()
}

/// The built-in `features/**/*.feature`.
pub fn feature_files() -> Vec<File> {
    files::<Features>("features", "feature")
}

/// The built-in `schemas/**/*.json`.
pub fn schema_files() -> Vec<File> {
    files::<Schemas>("schemas", "json")
}

/// The built-in documents' lists (`documents/<name>.toml`, included by the provider table).
fn document_files() -> Vec<File> {
    Provider::all()
        .into_iter()
        .filter_map(|p| {
            Some(File {
                path: PathBuf::from(format!("documents/{}.toml", p.name())),
                text: p.document()?.to_owned(),
            })
        })
        .collect()
}

/// A short SHA-256 digest of every built-in contract file (features, schemas, documents' lists),
/// each with its path: two binaries with the same digest check the same contract.
pub fn digest() -> String {
    let mut all: Vec<File> = feature_files();
    all.extend(schema_files());
    all.extend(document_files());
    all.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hash = sha2::Sha256::new();
    for f in &all {
        let path = f.path.to_string_lossy();
        for part in [path.as_bytes(), f.text.as_bytes()] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    hash.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `--version` prints: the crate's version, then the contract built in: its digest, and per
/// provider its feature files and scenarios (outlines expanded, as a run counts them), schemas,
/// and the document they read.
pub fn version_text() -> String {
    let features = crate::contract::features::load(&Source::Embedded).unwrap_or_default();
    let schemas = schema_files();
    let scenarios =
        |f: &&cucumber::gherkin::Feature| crate::contract::features::scenarios(f).count();
    let mut out = format!(
        "idp-conformance {}\ncontract built in (sha256 {}): {}, {}, {}, the endpoint lists of {}\n",
        env!("CARGO_PKG_VERSION"),
        digest(),
        counted(features.len(), "feature file"),
        counted(features.iter().map(|f| scenarios(&f)).sum(), "scenario"),
        counted(schemas.len(), "schema"),
        counted(document_files().len(), "document"),
    );
    for p in Provider::all() {
        let under = |dir: &str, path: &Path| path.starts_with(Path::new(dir).join(p.name()));
        let own: Vec<_> = features
            .iter()
            .filter(|f| {
                f.path
                    .as_deref()
                    .is_some_and(|path| under("features", path))
            })
            .collect();
        out.push_str(&format!(
            "  {:<10} {:<17} {:<14} {:<11} {}\n",
            p.name(),
            counted(own.len(), "feature file"),
            counted(own.iter().map(scenarios).sum(), "scenario"),
            counted(
                schemas.iter().filter(|s| under("schemas", &s.path)).count(),
                "schema"
            ),
            p.citation(),
        ));
    }
    out
}

/// "1 schema", "29 schemas".
fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in copy is the repository's: every file, byte for byte, and nothing else.
    #[test]
    fn the_embedded_contract_is_the_repositorys() {
        for (folder, ext, embedded) in [
            ("features", "feature", feature_files()),
            ("schemas", "json", schema_files()),
        ] {
            let on_disk = crate::contract::files::with_extension(Path::new(folder), ext).unwrap();
            let paths: Vec<&Path> = embedded.iter().map(|f| f.path.as_path()).collect();
            assert_eq!(
                paths,
                on_disk.iter().map(PathBuf::as_path).collect::<Vec<_>>()
            );
            for f in &embedded {
                assert_eq!(
                    f.text,
                    std::fs::read_to_string(&f.path).unwrap(),
                    "{f:?}",
                    f = f.path
                );
            }
        }
    }

    #[test]
    fn the_embedded_contract_loads_and_is_named_like_the_repository() {
        let features = crate::contract::features::load(&Source::Embedded).unwrap();
        let from_folder =
            crate::contract::features::load(&Source::Folder(PathBuf::from("features"))).unwrap();
        assert_eq!(features, from_folder, "same features, same paths and lines");
        crate::contract::schema::SchemaSet::load(&Source::Embedded).unwrap();
    }

    #[test]
    fn the_version_names_every_provider_and_the_digest() {
        let text = version_text();
        assert!(text.starts_with(concat!("idp-conformance ", env!("CARGO_PKG_VERSION"), "\n")));
        assert!(text.contains(&format!("sha256 {}", digest())), "{text}");
        assert_eq!(digest().len(), 12);
        for p in Provider::all() {
            assert!(text.contains(&format!("  {:<10}", p.name())), "{text}");
        }
    }

    #[test]
    fn an_unreadable_folder_is_named_as_given_and_as_resolved() {
        let e = Source::folder_files(Path::new("no/such/dir"), "json", "--schemas").unwrap_err();
        assert!(
            e.starts_with("--schemas no/such/dir: cannot read the folder /"),
            "{e}"
        );
        assert!(e.contains("no/such/dir: "), "{e}");
    }
}
