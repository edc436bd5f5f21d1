//! How a step definition's pattern is matched against a step's text, without compiling
//! cucumber's regex of it. cucumber's macros compile each definition's regex (the regex crate
//! builds several engines per pattern: 31 M instructions for the 123 definitions, most of them
//! plain text); a run needs only to match each step text once (`step_check`). So:
//!
//! - the patterns come from a table `build.rs` writes from the attributes in `src/steps/`;
//! - a plain-text step is compared as text;
//! - a pattern made of text and the suite's own parameter groups (`"([^"]*)"`, `"([^"]+)"`,
//!   `(-?[0-9]+)`), each followed by text that starts with a character the group cannot hold,
//!   is matched left to right: such a pattern can match a text in one way only;
//! - any other pattern (7 of the 123) is compiled by the regex crate, as cucumber compiles it,
//!   and tried only on a text holding each literal run every match holds.
//!
//! `step_check`'s test compares the definition and parameters of every step of the suite with
//! what cucumber's own `Collection::find` gives, and this module's tests compare the table
//! with cucumber's regexes.

use std::borrow::Cow;

use cucumber::codegen::LazyRegex;
use cucumber::step::Location;

/// A step definition's pattern, read from its attribute in `src/steps/` by `build.rs`: at
/// `path:line` (as cucumber's `Location` of it reads), a regex or plain text.
struct StepPattern {
    path: &'static str,
    line: u32,
    regex: bool,
    text: &'static str,
}

static STEP_PATTERNS: &[StepPattern] = include!(concat!(env!("OUT_DIR"), "/step_patterns.rs"));

/// The regex of the definition at `location`, as cucumber's regex of it reads: from the table
/// `build.rs` wrote, else (a definition outside `src/steps/`) from cucumber's compiled regex.
pub fn pattern_at(location: Location, regex: LazyRegex) -> Cow<'static, str> {
    match STEP_PATTERNS
        .iter()
        .find(|p| p.line == location.line && p.path == location.path)
    {
        Some(p) if p.regex => p.text.into(),
        Some(p) => format!("^{}$", regex::escape(p.text)).into(),
        None => regex().as_str().to_owned().into(),
    }
}

/// One definition's pattern, ready to match step texts.
pub struct Matcher {
    /// The literal text every match starts with: a cheap test before any other.
    prefix: String,
    kind: Kind,
}

enum Kind {
    /// A plain-text step: a step matches exactly when its text is the prefix.
    Text,
    /// Text and parameter groups, matched left to right; the last match's group spans.
    Pieces(Vec<Piece>, Vec<(usize, usize)>),
    /// Any other pattern, and its last match's group spans; tried only on a text holding each
    /// of the pattern's required literals.
    Regex {
        regex: regex::Regex,
        captures: regex::CaptureLocations,
        required: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(String),
    /// `([^"]*)` (`nonempty`: `([^"]+)`): everything up to the next `"`.
    Quoted {
        nonempty: bool,
    },
    /// `(-?[0-9]+)`.
    Integer,
}

impl Matcher {
    /// Reads an anchored pattern; the error says why a pattern does not compile.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let prefix = literal_prefix(pattern);
        if let Some(text) = literal_text(pattern) {
            return Ok(Self {
                prefix: text,
                kind: Kind::Text,
            });
        }
        if let Some(pieces) = pieces(pattern) {
            return Ok(Self {
                prefix,
                kind: Kind::Pieces(pieces, Vec::new()),
            });
        }
        let regex = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
        Ok(Self {
            prefix,
            kind: Kind::Regex {
                captures: regex.capture_locations(),
                required: required_literals(pattern),
                regex,
            },
        })
    }

    /// Whether the whole of `text` matches; the groups are kept for [`Matcher::parameters`].
    pub fn matches(&mut self, text: &str) -> bool {
        if !text.starts_with(&self.prefix) {
            return false;
        }
        match &mut self.kind {
            Kind::Text => text.len() == self.prefix.len(),
            Kind::Pieces(pieces, spans) => match_pieces(pieces, text, spans),
            Kind::Regex {
                regex,
                captures,
                required,
            } => {
                required.iter().all(|r| text.contains(r.as_str()))
                    && regex.captures_read(captures, text).is_some()
            }
        }
    }

    /// The parameters of the last text [`Matcher::matches`] matched, as cucumber's
    /// `Collection::find` builds them: the whole match first, then each group's text ("" for a
    /// group that took no part), each with the group's name (none here is named).
    pub fn parameters(&self, text: &str) -> Vec<(Option<String>, String)> {
        let whole = std::iter::once((None, text.to_owned()));
        match &self.kind {
            Kind::Text => whole.collect(),
            Kind::Pieces(_, spans) => whole
                .chain(spans.iter().map(|&(s, e)| (None, text[s..e].to_owned())))
                .collect(),
            Kind::Regex {
                regex, captures, ..
            } => regex
                .capture_names()
                .enumerate()
                .map(|(group, name)| {
                    let value = captures.get(group).map_or("", |(s, e)| &text[s..e]);
                    (name.map(str::to_owned), value.to_owned())
                })
                .collect(),
        }
    }
}

/// The groups `pieces` reads, as they are written in a pattern.
const GROUPS: [(&str, Piece); 3] = [
    (r#"([^"]*)"#, Piece::Quoted { nonempty: false }),
    (r#"([^"]+)"#, Piece::Quoted { nonempty: true }),
    ("(-?[0-9]+)", Piece::Integer),
];

/// An anchored pattern as text and parameter groups, when it is only that and each group is
/// followed by the end or by text starting with a character the group cannot hold (so a match
/// is found left to right, with no choice to undo); `None` for any other pattern.
fn pieces(pattern: &str) -> Option<Vec<Piece>> {
    let mut rest = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let mut pieces: Vec<Piece> = Vec::new();
    while let Some(c) = rest.chars().next() {
        if let Some((group, piece)) = GROUPS.iter().find(|(g, _)| rest.starts_with(g)) {
            pieces.push(piece.clone());
            rest = &rest[group.len()..];
            continue;
        }
        if "\\.+*?()|[]{}^$".contains(c) {
            return None;
        }
        match pieces.last_mut() {
            Some(Piece::Text(text)) => text.push(c),
            _ => pieces.push(Piece::Text(c.to_string())),
        }
        rest = &rest[c.len_utf8()..];
    }
    let deterministic = pieces.windows(2).all(|pair| match pair {
        [Piece::Text(_), _] => true,
        [Piece::Quoted { .. }, Piece::Text(t)] => t.starts_with('"'),
        [Piece::Integer, Piece::Text(t)] => !t.starts_with(|c: char| c.is_ascii_digit()),
        _ => false,
    });
    deterministic.then_some(pieces)
}

/// Whether the whole of `text` matches `pieces`; `spans` gets each group's byte range.
fn match_pieces(pieces: &[Piece], text: &str, spans: &mut Vec<(usize, usize)>) -> bool {
    spans.clear();
    let bytes = text.as_bytes();
    let mut at = 0;
    for piece in pieces {
        let end = match piece {
            Piece::Text(t) => {
                if !text[at..].starts_with(t.as_str()) {
                    return false;
                }
                at += t.len();
                continue;
            }
            Piece::Quoted { nonempty } => {
                let end = text[at..].find('"').map_or(text.len(), |i| at + i);
                if *nonempty && end == at {
                    return false;
                }
                end
            }
            Piece::Integer => {
                let sign = usize::from(bytes.get(at) == Some(&b'-'));
                let digits = bytes[at + sign..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if digits == 0 {
                    return false;
                }
                at + sign + digits
            }
        };
        spans.push((at, end));
        at = end;
    }
    at == text.len()
}

/// The literal text every match of an anchored `pattern` starts with (possibly empty): its
/// leading characters up to the first operator, without a character a quantifier makes
/// optional, and nothing when the pattern has an alternation outside every group.
fn literal_prefix(pattern: &str) -> String {
    let Some(body) = pattern.strip_prefix('^') else {
        return String::new();
    };
    let mut prefix = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if !e.is_ascii_alphanumeric() => prefix.push(e),
                _ => break,
            },
            '*' | '+' | '?' | '{' => {
                prefix.pop();
                break;
            }
            '.' | '(' | ')' | '|' | '[' | ']' | '^' | '$' => break,
            c => prefix.push(c),
        }
    }
    if has_top_level_alternation(body) {
        return String::new();
    }
    prefix
}

/// The runs of literal text of `pattern` outside every group and character class, without a
/// character a quantifier makes optional: every match holds each of them. None when the
/// pattern has an alternation outside every group or sets a flag (`(?i)`: the case of its
/// text would no longer be required).
fn required_literals(pattern: &str) -> Vec<String> {
    if has_top_level_alternation(pattern) || pattern.contains("(?") && !sets_no_flag(pattern) {
        return Vec::new();
    }
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut depth = 0usize;
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let literal = if in_class {
            match c {
                '\\' => {
                    chars.next();
                }
                ']' => in_class = false,
                _ => {}
            }
            None
        } else {
            match c {
                '\\' => chars.next().filter(|e| !e.is_ascii_alphanumeric()),
                '[' => {
                    in_class = true;
                    None
                }
                '(' => {
                    depth += 1;
                    None
                }
                ')' => {
                    depth = depth.saturating_sub(1);
                    None
                }
                '{' => {
                    chars.by_ref().find(|&c| c == '}');
                    None
                }
                '*' | '+' | '?' | '.' | '|' | '^' | '$' => None,
                c => Some(c),
            }
        };
        match literal {
            // A character a quantifier follows is not required.
            Some(c) if depth == 0 && !matches!(chars.peek(), Some('*' | '+' | '?' | '{')) => {
                run.push(c);
            }
            _ if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            _ => {}
        }
    }
    runs.extend((!run.is_empty()).then_some(run));
    runs
}

/// Whether every `(?` of `pattern` opens a group that sets no flag (`(?:`).
fn sets_no_flag(pattern: &str) -> bool {
    pattern
        .match_indices("(?")
        .all(|(at, _)| pattern[at + 2..].starts_with(':'))
}

/// The text a pattern matches when it matches only that: `^text$` where every character is
/// plain or escaped (what cucumber makes of a plain-text step); `None` for any operator.
fn literal_text(pattern: &str) -> Option<String> {
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let mut text = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if !e.is_ascii_alphanumeric() => text.push(e),
                _ => return None,
            },
            '*' | '+' | '?' | '{' | '}' | '.' | '(' | ')' | '|' | '[' | ']' | '^' | '$' => {
                return None;
            }
            c => text.push(c),
        }
    }
    Some(text)
}

/// Whether `pattern` has a `|` outside every group and character class.
fn has_top_level_alternation(pattern: &str) -> bool {
    let mut depth = 0usize;
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth = depth.saturating_sub(1),
            '|' if !in_class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pattern_of_plain_text_is_literal() {
        assert_eq!(
            literal_text(r"^the Allow header, if sent\.$").as_deref(),
            Some("the Allow header, if sent.")
        );
        assert_eq!(
            literal_text(&format!("^{}$", regex::escape("a (b) c-d? $5"))).as_deref(),
            Some("a (b) c-d? $5")
        );
        assert_eq!(literal_text(r#"^the value at "([^"]*)"$"#), None);
        assert_eq!(literal_text(r"^codes? expire$"), None);
        assert_eq!(literal_text(r"^\d seconds$"), None);
        assert_eq!(literal_text(r"^unanchored"), None);
        assert_eq!(literal_text(r"unanchored$"), None);
    }

    #[test]
    fn a_prefix_is_only_text_every_match_starts_with() {
        assert_eq!(
            literal_prefix(r#"^the value at (?:"(?P<__0_0>[^"]*)") is$"#),
            "the value at "
        );
        assert_eq!(
            literal_prefix(r"^the Allow header, if sent\.$"),
            "the Allow header, if sent."
        );
        assert_eq!(literal_prefix(r"^codes? expire$"), "code");
        assert_eq!(literal_prefix(r"^a{2} b$"), "");
        assert_eq!(literal_prefix(r"^\d+ seconds$"), "");
        assert_eq!(literal_prefix(r"^one thing|another thing$"), "");
        assert_eq!(literal_prefix(r"^one (?:a|b) thing$"), "one ");
        assert_eq!(literal_prefix(r"unanchored"), "");
    }

    #[test]
    fn required_literals_are_the_text_outside_groups_classes_and_quantifiers() {
        assert_eq!(
            required_literals(
                r#"^the client sends "([^"]+)" with the "([^"]+)" field as an? (number|string)$"#
            ),
            [
                "the client sends \"",
                "\" with the \"",
                "\" field as a",
                " "
            ]
        );
        assert_eq!(
            required_literals(r"^codes? expire\.$"),
            ["code", " expire."]
        );
        assert_eq!(required_literals(r"^a{2,3}b [^x]c\d$"), ["b ", "c"]);
        assert_eq!(required_literals(r#"^x [^\]"]+ y(?:a|b)$"#), ["x ", " y"]);
        assert_eq!(required_literals(r"^one|two$"), Vec::<String>::new());
        assert_eq!(required_literals(r"^(?i)Case$"), Vec::<String>::new());
    }

    fn matched(pattern: &str, text: &str) -> Option<Vec<String>> {
        let mut m = Matcher::new(pattern).expect("a pattern that compiles");
        m.matches(text)
            .then(|| m.parameters(text).into_iter().map(|(_, v)| v).collect())
    }

    #[test]
    fn the_suites_groups_are_read_as_pieces_and_anything_else_is_a_regex() {
        use Piece::*;
        assert_eq!(
            pieces(r#"^the value at "([^"]*)" is "([^"]+)"$"#),
            Some(vec![
                Text("the value at \"".into()),
                Quoted { nonempty: false },
                Text("\" is \"".into()),
                Quoted { nonempty: true },
                Text("\"".into()),
            ])
        );
        assert_eq!(
            pieces(r"^(-?[0-9]+) seconds pass$"),
            Some(vec![Integer, Text(" seconds pass".into())])
        );
        // A group followed by a character it can hold, by another group, or any operator.
        assert_eq!(pieces(r#"^a ([^"]*)b"$"#), None);
        assert_eq!(pieces(r"^(-?[0-9]+)1 seconds$"), None);
        assert_eq!(pieces(r"^(-?[0-9]+)(-?[0-9]+)$"), None);
        assert_eq!(pieces(r"^the (grant type|code)$"), None);
        assert_eq!(pieces(r"^codes? expire$"), None);
        assert_eq!(pieces(r"^with (.+)$"), None);
        assert_eq!(pieces("unanchored"), None);
    }

    #[test]
    fn pieces_match_as_the_regex_crate_does() {
        let cases = [
            (
                r#"^the value at "([^"]*)" is "([^"]*)"$"#,
                r#"the value at "/a" is "b c""#,
            ),
            (
                r#"^the value at "([^"]*)" is "([^"]*)"$"#,
                r#"the value at "" is """#,
            ),
            (
                r#"^the value at "([^"]*)" is "([^"]*)"$"#,
                r#"the value at "/a" is "b"c""#,
            ),
            (
                r#"^the value at "([^"]*)" is "([^"]*)"$"#,
                r#"the value at "/a" is "b" "#,
            ),
            (
                r#"^the value at "([^"]*)" is "([^"]*)"$"#,
                r#"the value at "Müller" is "ß""#,
            ),
            (r#"^sends "([^"]+)" now$"#, r#"sends "" now"#),
            (r#"^sends "([^"]+)" now$"#, r#"sends "x" now"#),
            (r#"^ends with "([^"]*)$"#, r#"ends with "abc"#),
            (r#"^ends with "([^"]*)$"#, r#"ends with "ab"c"#),
            (r"^(-?[0-9]+) seconds pass$", "-15 seconds pass"),
            (r"^(-?[0-9]+) seconds pass$", "900 seconds pass"),
            (r"^(-?[0-9]+) seconds pass$", "- seconds pass"),
            (r"^(-?[0-9]+) seconds pass$", "--1 seconds pass"),
            (r"^(-?[0-9]+) seconds pass$", "1.5 seconds pass"),
            (r"^(-?[0-9]+) seconds pass$", "12 seconds pass!"),
            (r"^wait (-?[0-9]+)$", "wait 12"),
            (r"^wait (-?[0-9]+)$", "wait 12a"),
            (r"^the (grant type|code) is missing$", "the code is missing"),
            (
                r"^the (grant type|code) is missing$",
                "the state is missing",
            ),
            (r"^with (\{.*\})$", r#"with {"a": 1}"#),
        ];
        for (pattern, text) in cases {
            let regex = regex::Regex::new(pattern).unwrap();
            let expected = regex.captures(text).map(|c| {
                c.iter()
                    .map(|g| g.map_or("", |g| g.as_str()).to_owned())
                    .collect::<Vec<_>>()
            });
            assert_eq!(matched(pattern, text), expected, "{pattern} against {text}");
        }
    }

    #[test]
    fn the_table_reads_every_definition_as_cucumber_compiles_it() {
        use cucumber::codegen::{StepConstructor, WorldInventory, inventory};
        type W = crate::world::ConformanceWorld;
        fn of<S: StepConstructor<W> + 'static>(
            steps: impl Iterator<Item = &'static S>,
        ) -> Vec<(Location, LazyRegex)> {
            steps
                .map(|s| {
                    let (location, regex, _) = s.inner();
                    (location, regex)
                })
                .collect()
        }
        let all = [
            of(inventory::iter::<<W as WorldInventory>::Given>.into_iter()),
            of(inventory::iter::<<W as WorldInventory>::When>.into_iter()),
            of(inventory::iter::<<W as WorldInventory>::Then>.into_iter()),
        ]
        .concat();
        let definitions = all.len();
        for (location, regex) in all {
            let in_table = STEP_PATTERNS
                .iter()
                .any(|p| p.line == location.line && p.path == location.path);
            assert!(
                in_table,
                "{}:{} is not in the table",
                location.path, location.line
            );
            let ours = pattern_at(location, || unreachable!("read from the table"));
            assert_eq!(
                ours,
                regex().as_str(),
                "{}:{}: the table's pattern differs from cucumber's",
                location.path,
                location.line
            );
            Matcher::new(&ours)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", location.path, location.line));
        }
        // Each definition has its row (above), and no row is left over.
        assert_eq!(
            definitions,
            STEP_PATTERNS.len(),
            "one table row per definition"
        );
    }
}
