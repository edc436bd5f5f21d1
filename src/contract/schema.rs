//! JSON Schemas: every file of the built-in `schemas/` (or of `--schemas DIR`) is read,
//! registered and compiled once per run, with `$ref` between files resolved offline from the
//! same set and `format` asserted, not annotated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::contract::checks::Failure;
use crate::contract::embedded::{self, Source};
use crate::secret;

/// The base every schema's `$id` is derived from, so relative `$ref`s resolve between files.
const BASE: &str = "https://schemas.idp-conformance.invalid/";

/// Why the schema folder cannot be used: names the file and, where known, the line.
#[derive(Debug)]
pub struct SchemaError(pub String);

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One violation of a schema rule, as a person reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// JSON pointer into the instance.
    pub pointer: String,
    /// The failing keyword (`required`, `format`, `enum`, ...).
    pub keyword: String,
    /// The rule's message, with secret values masked and long lists shortened.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{at}: [{}] {}", self.keyword, self.message)
    }
}

/// Every compiled schema of a run, by name (`losgehts/userinfo` for `losgehts/userinfo.json`).
pub struct SchemaSet {
    /// The folder as messages name it (`schemas` for the built-in copy).
    dir: PathBuf,
    validators: BTreeMap<String, jsonschema::Validator>,
    /// Every schema as written, by name and sorted by path: what the HTML pages show.
    raw: Vec<(String, Value)>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSet")
            .field("dir", &self.dir)
            .field("count", &self.len())
            .finish()
    }
}

impl SchemaSet {
    /// Reads, registers and compiles every `*.json` of `source`: the built-in copy, or a folder
    /// and everything below it.
    pub fn load(source: &Source) -> Result<Self, SchemaError> {
        // (the path messages name, the schema's name, its text)
        let (dir, files): (PathBuf, Vec<(PathBuf, String, String)>) = match source {
            Source::Folder(dir) => {
                let mut files = Vec::new();
                for path in Source::folder_files(dir, "json", "--schemas").map_err(SchemaError)? {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        SchemaError(format!("{}: cannot read: {e}", path.display()))
                    })?;
                    files.push((path.clone(), schema_name(dir, &path), text));
                }
                (dir.clone(), files)
            }
            Source::Embedded => {
                let dir = PathBuf::from("schemas");
                let files = embedded::schema_files()
                    .into_iter()
                    .map(|f| (schema_name(&dir, &f.path), f))
                    .map(|(name, f)| (f.path, name, f.text))
                    .collect();
                (dir, files)
            }
        };
        let mut documents = Vec::new();
        let mut raw = Vec::new();
        for (path, name, text) in files {
            let mut doc: Value = serde_json::from_str(&text).map_err(|e| {
                SchemaError(format!(
                    "{}:{}:{}: not valid JSON: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                ))
            })?;
            raw.push((name.clone(), doc.clone()));
            let id = format!("{BASE}{name}.json");
            if let Value::Object(map) = &mut doc {
                map.entry("$id")
                    .or_insert_with(|| Value::String(id.clone()));
            } else {
                return Err(SchemaError(format!(
                    "{}: a schema must be a JSON object",
                    path.display()
                )));
            }
            documents.push((path, name, id, doc));
        }
        let dir = dir.as_path();
        ensure_refs_exist(dir, &documents)?;
        let mut builder = jsonschema::Registry::new();
        for (path, _, id, doc) in &documents {
            builder = builder
                .add(id.as_str(), doc.clone())
                .map_err(|e| SchemaError(format!("{}: cannot register: {e}", path.display())))?;
        }
        let registry = builder.prepare().map_err(|e| {
            SchemaError(format!(
                "{}: cannot resolve the schemas: {e}",
                dir.display()
            ))
        })?;
        let mut validators = BTreeMap::new();
        for (path, name, _, doc) in &documents {
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .with_registry(&registry)
                .build(doc)
                .map_err(|e| SchemaError(format!("{}: invalid schema: {e}", path.display())))?;
            COMPILED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            validators.insert(name.clone(), validator);
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            validators,
            raw,
        })
    }

    fn len(&self) -> usize {
        self.validators.len()
    }

    /// Every schema as written (no `$id` added), by name, sorted by path.
    pub fn documents(&self) -> &[(String, Value)] {
        &self.raw
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.validators.keys().map(String::as_str)
    }

    /// Every violation of schema `name` by `instance` (empty when it conforms).
    pub fn violations(&self, name: &str, instance: &Value) -> Result<Vec<Violation>, String> {
        let validator = self.validators.get(name).ok_or_else(|| {
            format!(
                "no schema named \"{name}\" in {} (known: {})",
                self.dir.display(),
                self.known()
            )
        })?;
        Ok(validator
            .iter_errors(instance)
            .map(|e| {
                let pointer = e.instance_path().to_string();
                let last = pointer.rsplit('/').next().unwrap_or_default().to_owned();
                let mut message = e.to_string();
                if secret::is_secret_key(&last) {
                    message = format!("the value at {pointer} ({}) breaks the rule", secret::MASK);
                }
                if message.len() > 160 {
                    let mut cut = 160;
                    while !message.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    message.truncate(cut);
                    message.push_str(" …");
                }
                Violation {
                    pointer,
                    keyword: e.kind().keyword().to_owned(),
                    message: secret::redact(&message),
                }
            })
            .collect())
    }

    /// Check: `instance` conforms to schema `name`; a failure lists every violation.
    pub fn ensure_conforms(&self, name: &str, instance: &Value) -> Result<(), Failure> {
        let violations = self.violations(name, instance).map_err(Failure::new)?;
        if violations.is_empty() {
            return Ok(());
        }
        let first = &violations[0];
        let mut failure = Failure::new(format!(
            "the body does not match the schema \"{name}\" ({} violation{})",
            violations.len(),
            if violations.len() == 1 { "" } else { "s" }
        ))
        .at(if first.pointer.is_empty() {
            "(root)".to_owned()
        } else {
            first.pointer.clone()
        })
        .rule(format!("schemas/{name}.json: {}", first.keyword));
        for v in &violations {
            failure = failure.detail(v.to_string());
        }
        Err(failure)
    }

    fn known(&self) -> String {
        self.names().collect::<Vec<_>>().join(", ")
    }
}

/// Every `$ref` to another file names a schema file of the folder. Checked before compiling,
/// because the compiler's error names only the missing resource, not the schema referring to it.
fn ensure_refs_exist(
    dir: &Path,
    documents: &[(PathBuf, String, String, Value)],
) -> Result<(), SchemaError> {
    let ids: Vec<&str> = documents.iter().map(|(_, _, id, _)| id.as_str()).collect();
    for (path, _, id, doc) in documents {
        let own_id = doc.get("$id").and_then(Value::as_str).unwrap_or(id);
        let Ok(base) = url::Url::parse(own_id) else {
            continue;
        };
        let mut refs = Vec::new();
        collect_refs(doc, String::new(), &mut refs);
        for (pointer, reference) in refs {
            if reference.starts_with('#') {
                continue;
            }
            let target = base.join(&reference).map(|mut u| {
                u.set_fragment(None);
                u.to_string()
            });
            if target.as_deref().is_ok_and(|t| ids.contains(&t)) {
                continue;
            }
            let names = match target.as_deref().map(|t| t.strip_prefix(BASE)) {
                Ok(Some(rel)) => format!("names {}, which does not exist", dir.join(rel).display()),
                _ => "names no schema file of the folder (references resolve offline, between \
                      files only)"
                    .to_owned(),
            };
            return Err(SchemaError(format!(
                "{}: the $ref \"{reference}\" at {} {names}; fix the reference (it is relative \
                 to this file) or add the schema file",
                path.display(),
                if pointer.is_empty() { "/" } else { &pointer }
            )));
        }
    }
    Ok(())
}

/// Every `$ref` string in `value` with the JSON pointer of the object holding it; the values of
/// keywords holding data (`const`, `enum`, `default`, `examples`) are not schemas.
fn collect_refs(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push((pointer.clone(), r.clone()));
            }
            for (key, v) in map {
                if !matches!(key.as_str(), "const" | "enum" | "default" | "examples") {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    collect_refs(v, format!("{pointer}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A schema's name: its path below the folder without `.json` (`losgehts/userinfo`).
pub fn schema_name(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path).with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Schema validators built in this process, for `run --stats` (each schema once per run).
static COMPILED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn compiled() -> usize {
    COMPILED.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn refs_resolve_between_files_and_formats_are_asserted() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "common/date.json",
            r#"{"type":"string","format":"date"}"#,
        );
        write(
            dir.path(),
            "p/thing.json",
            r#"{"type":"object","required":["d","n"],"properties":{"d":{"$ref":"../common/date.json"},"n":{"type":"integer"}}}"#,
        );
        let set = SchemaSet::load(&Source::Folder(dir.path().to_owned())).unwrap();
        assert!(
            set.ensure_conforms("p/thing", &json!({"d": "1990-12-31", "n": 1}))
                .is_ok()
        );
        let v = set
            .violations("p/thing", &json!({"d": "31.12.1990", "n": "x"}))
            .unwrap();
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(
            v.iter().any(|v| v.pointer == "/d" && v.keyword == "format"),
            "{v:?}"
        );
        assert!(
            v.iter().any(|v| v.pointer == "/n" && v.keyword == "type"),
            "{v:?}"
        );
    }

    #[test]
    fn invalid_json_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "bad.json",
            "{\n  \"type\": \"object\",\n  oops\n}",
        );
        let e = SchemaSet::load(&Source::Folder(dir.path().to_owned()))
            .unwrap_err()
            .0;
        assert!(e.contains("bad.json:3:"), "{e}");
    }

    #[test]
    fn missing_ref_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.json", r#"{"$ref":"missing.json"}"#);
        let e = SchemaSet::load(&Source::Folder(dir.path().to_owned()))
            .unwrap_err()
            .0;
        assert!(
            e.contains("a.json") && e.contains("\"missing.json\" at /"),
            "{e}"
        );
        write(
            dir.path(),
            "a.json",
            r#"{"$ref":"https://example.com/s.json"}"#,
        );
        let e = SchemaSet::load(&Source::Folder(dir.path().to_owned()))
            .unwrap_err()
            .0;
        assert!(e.contains("names no schema file"), "{e}");
        write(
            dir.path(),
            "a.json",
            r##"{"$defs":{"x":{}},"$ref":"#/$defs/x"}"##,
        );
        assert!(SchemaSet::load(&Source::Folder(dir.path().to_owned())).is_ok());
    }
}
