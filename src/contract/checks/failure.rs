//! The one failure shape every check returns and every report renders.

use std::fmt;

use crate::secret;

/// A failed check: one plain sentence plus labelled evidence.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Failure {
    /// What went wrong, as a sentence.
    pub title: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// JSON pointer into the response body, where the evidence is.
    pub pointer: Option<String>,
    /// The rule broken, e.g. a JSON Schema keyword or a document section.
    pub rule: Option<String>,
    /// Further evidence lines (e.g. every schema violation).
    pub details: Vec<String>,
    /// The redacted request/response excerpt.
    pub exchange: Option<String>,
}

impl Failure {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    pub fn expected(mut self, v: impl Into<String>) -> Self {
        self.expected = Some(v.into());
        self
    }

    pub fn actual(mut self, v: impl Into<String>) -> Self {
        self.actual = Some(v.into());
        self
    }

    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    pub fn with_exchange(mut self, excerpt: impl Into<String>) -> Self {
        self.exchange = Some(excerpt.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.title.clone();
        let mut field = |label: &str, value: &Option<String>| {
            if let Some(v) = value {
                out.push_str(&format!("\n  {label:<9} {v}"));
            }
        };
        field("expected:", &self.expected);
        field("actual:", &self.actual);
        field("at:", &self.pointer);
        field("rule:", &self.rule);
        for line in &self.details {
            out.push_str(&format!("\n  - {line}"));
        }
        if let Some(ex) = &self.exchange {
            for line in ex.lines() {
                out.push_str(&format!("\n  {line}"));
            }
        }
        f.write_str(&secret::redact(&out))
    }
}

impl std::error::Error for Failure {}
