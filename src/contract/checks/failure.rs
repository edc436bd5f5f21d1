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

/// The rendering every console and report shows: each part on its own line, redacted, and
/// with the control characters a provider may have put in a value (escape sequences that clear
/// the screen or set a window title, a carriage return that overwrites the line, NUL) written
/// as `\u{1b}`, so no value can restyle a terminal or forge a line of the verdict.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = printable(&self.title).into_owned();
        let mut field = |label: &str, value: &Option<String>| {
            if let Some(v) = value {
                out.push_str(&format!("\n  {label:<9} {}", printable(v)));
            }
        };
        field("expected:", &self.expected);
        field("actual:", &self.actual);
        field("at:", &self.pointer);
        field("rule:", &self.rule);
        for line in &self.details {
            out.push_str(&format!("\n  - {}", printable(line)));
        }
        if let Some(ex) = &self.exchange {
            for line in ex.lines() {
                out.push_str(&format!("\n  {}", printable(line)));
            }
        }
        f.write_str(&secret::redact(&out))
    }
}

/// `text` with every control character but the tab escaped (`\u{1b}`); a line break inside a
/// value is escaped too (`\u{a}`), so a value stays on its line.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_each_value_stays_on_its_line() {
        let f = Failure::new("bad \u{1b}[2J")
            .actual("x\r\n  expected: forged\u{0}")
            .with_exchange("response: HTTP 400\n          \u{1b}]0;title\u{7}body\tend");
        let text = f.to_string();
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{text:?}"
        );
        assert!(
            text.starts_with("bad \\u{1b}[2J\n  actual:   x\\u{d}\\u{a}  expected: forged\\u{0}"),
            "{text}"
        );
        assert!(text.contains("\\u{1b}]0;title\\u{7}body\tend"), "{text}");
        assert_eq!(text.lines().count(), 4, "{text}");
        assert_eq!(printable("plain\ttext"), "plain\ttext");
    }
}
