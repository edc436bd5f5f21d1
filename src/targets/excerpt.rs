//! A JSON body as a failure shows it: masked, pretty-printed, and cut to a window of lines
//! centred on the JSON pointer the failure names, so that a failing field late in a large record
//! (a KYC answer) stays in view instead of being cut away with the end of the body.

use serde_json::Value;

use crate::secret;

/// Lines of a body a failure shows at most.
pub const WINDOW_LINES: usize = 30;
/// Characters of one line shown at most (a base64 image is one line).
pub const LINE_CHARS: usize = 160;

/// Stands for the pointed value while its line is looked for.
const MARK: &str = "__idp_conformance_pointer_7d1e__";

/// `body` (already masked by field name) pretty-printed and masked again with every secret the
/// run has learned, then cut: at most [`WINDOW_LINES`] lines around the value at `pointer` (or
/// its deepest part that exists; the start of the body without one), each at most
/// [`LINE_CHARS`] characters. Cut lines are said to be cut (`… 12 lines above`).
pub fn json_window(body: &Value, pointer: Option<&str>) -> Vec<String> {
    // Masked before anything is cut: no secret can keep its first characters across a cut.
    let text = secret::redact(&serde_json::to_string_pretty(body).unwrap_or_default());
    let lines: Vec<&str> = text.lines().collect();
    let target = pointer.map_or(0, |p| line_of(body, p));
    let (start, end) = if lines.len() <= WINDOW_LINES {
        (0, lines.len())
    } else {
        let start = target
            .saturating_sub(WINDOW_LINES / 2)
            .min(lines.len() - WINDOW_LINES);
        (start, start + WINDOW_LINES)
    };
    let mut out = Vec::with_capacity(WINDOW_LINES + 2);
    if start > 0 {
        out.push(format!("… {start} lines above"));
    }
    out.extend(lines[start..end].iter().map(|l| cut(l)));
    if end < lines.len() {
        out.push(format!("… {} lines below", lines.len() - end));
    }
    out
}

/// The line of the pretty-printed `body` where the value at `pointer` starts: the deepest part
/// of the pointer that exists is replaced by a mark, and the mark's line found. The lines
/// before it are the same whatever the value.
fn line_of(body: &Value, pointer: &str) -> usize {
    let mut found = String::new();
    for token in pointer.split('/').skip(1) {
        let next = format!("{found}/{token}");
        if body.pointer(&next).is_none() {
            break;
        }
        found = next;
    }
    if found.is_empty() {
        return 0;
    }
    let mut marked = body.clone();
    if let Some(v) = marked.pointer_mut(&found) {
        *v = Value::String(MARK.to_owned());
    }
    serde_json::to_string_pretty(&marked)
        .unwrap_or_default()
        .lines()
        .position(|l| l.contains(MARK))
        .unwrap_or(0)
}

fn cut(line: &str) -> String {
    match line.char_indices().nth(LINE_CHARS) {
        Some((at, _)) => format!("{} …", &line[..at]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(fields: usize) -> Value {
        let mut map = serde_json::Map::new();
        for i in 0..fields {
            map.insert(format!("field_{i:03}"), Value::from(i));
        }
        // Sorted by key: the document's fields, the residence, then the scans.
        serde_json::json!({ "kyc": {
            "document": map.clone(),
            "residence": { "country": "at" },
            "scans": map,
        } })
    }

    #[test]
    fn a_field_late_in_a_big_record_stays_in_view() {
        let lines = json_window(&record(200), Some("/kyc/residence/country"));
        assert!(lines.len() <= WINDOW_LINES + 2, "{lines:#?}");
        assert!(lines[0].starts_with("… ") && lines[0].ends_with("lines above"));
        let at = lines
            .iter()
            .position(|l| l.contains("\"country\": \"at\""))
            .expect("the pointed field is shown");
        assert!((8..=22).contains(&at), "centred: line {at} of {lines:#?}");
    }

    #[test]
    fn a_missing_field_shows_its_parent_and_a_small_body_is_whole() {
        let lines = json_window(&record(200), Some("/kyc/residence/city"));
        assert!(
            lines.iter().any(|l| l.contains("\"residence\"")),
            "{lines:#?}"
        );
        let small = json_window(&serde_json::json!({"a": 1}), Some("/nope"));
        assert_eq!(small, ["{", "  \"a\": 1", "}"]);
    }

    #[test]
    fn a_long_line_is_cut_after_masking() {
        let secret = format!("{}tail-secret-value", "x".repeat(LINE_CHARS - 20));
        crate::secret::register(&secret);
        let lines = json_window(&serde_json::json!({ "blob": secret }), None);
        assert!(
            lines.iter().all(|l| !l.contains("xxxxxxxxxx")),
            "{lines:#?}"
        );
        let long = json_window(&serde_json::json!({ "blob": "y".repeat(1000) }), None);
        assert!(long[1].ends_with(" …") && long[1].chars().count() <= LINE_CHARS + 2);
    }

    proptest! {
        /// Whatever the record and the pointer, the window is bounded and shows the line the
        /// pointer's deepest existing part starts on.
        #[test]
        fn the_window_is_bounded_and_holds_the_pointed_line(
            fields in 0usize..120,
            pick in 0usize..130,
        ) {
            let body = record(fields);
            let pointer = format!("/kyc/document/field_{pick:03}");
            let lines = json_window(&body, Some(&pointer));
            prop_assert!(lines.len() <= WINDOW_LINES + 2);
            if pick < fields {
                let shown = format!("\"field_{pick:03}\": {pick}");
                prop_assert!(lines.iter().any(|l| l.contains(&shown)), "{:#?}", lines);
            }
        }
    }
}
