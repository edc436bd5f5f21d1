//! A recorded failure read back into its parts for the HTML report: the failing step, the
//! check's title, expected, actual, pointer, rule, every detail line and the exchange excerpt.
//!
//! cucumber carries a step's error as the text of its panic, so the collector keeps the
//! (redacted) text that [`Failure`](crate::contract::checks::Failure)'s `Display` writes; this is its
//! inverse. Text that does not follow that layout (a hook's panic) stays whole in `title`.

use serde::Serialize;

use crate::contract::checks::Failure;

/// The parts of one failure, as the HTML report lays them out.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FailureView {
    /// The failing step with its line: `Then the response status is 400 (line 12)`.
    pub step: Option<String>,
    #[serde(flatten)]
    pub failure: Failure,
}

#[derive(Clone, Copy)]
enum Part {
    Title,
    Expected,
    Actual,
    Pointer,
    Rule,
    Detail,
}

impl FailureView {
    /// Reads the text the collector recorded: `STEP (line N)` then the failure's `Display`.
    pub fn parse(text: &str) -> Self {
        let mut view = Self::default();
        let mut lines = text.lines().peekable();
        if let Some(first) = lines.peek()
            && first.ends_with(')')
            && first.contains(" (line ")
        {
            view.step = lines.next().map(str::to_owned);
        }
        let mut part = Part::Title;
        let mut title: Vec<&str> = Vec::new();
        while let Some(line) = lines.next() {
            let body = line.strip_prefix("  ").unwrap_or(line);
            if body.starts_with("request:") {
                let rest: Vec<&str> = std::iter::once(body)
                    .chain(lines.by_ref().map(|l| l.strip_prefix("  ").unwrap_or(l)))
                    .collect();
                view.failure.exchange = Some(rest.join("\n"));
                break;
            }
            let labelled = [
                ("expected:", Part::Expected),
                ("actual:", Part::Actual),
                ("at:", Part::Pointer),
                ("rule:", Part::Rule),
            ]
            .into_iter()
            .find_map(|(label, p)| {
                let value = body.strip_prefix(label)?;
                (line.starts_with("  ") && value.starts_with(' ')).then(|| (p, value.trim()))
            });
            if let Some((p, value)) = labelled {
                part = p;
                *view.field(p) = Some(value.to_owned());
            } else if let Some(detail) = body.strip_prefix("- ").filter(|_| line.starts_with("  "))
            {
                part = Part::Detail;
                view.failure.details.push(detail.to_owned());
            } else {
                match part {
                    Part::Title => title.push(line),
                    Part::Detail => {
                        if let Some(last) = view.failure.details.last_mut() {
                            last.push('\n');
                            last.push_str(line.trim());
                        }
                    }
                    p => {
                        if let Some(v) = view.field(p).as_mut() {
                            v.push('\n');
                            v.push_str(line.trim());
                        }
                    }
                }
            }
        }
        view.failure.title = title.join("\n");
        view
    }

    fn field(&mut self, part: Part) -> &mut Option<String> {
        let f = &mut self.failure;
        match part {
            Part::Expected => &mut f.expected,
            Part::Actual => &mut f.actual,
            Part::Pointer => &mut f.pointer,
            _ => &mut f.rule,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_display_reads_back_into_its_parts() {
        let failure = Failure::new("the body does not match the schema \"p/token\"")
            .expected("a body valid under p/token")
            .actual("2 violations")
            .at("/expires_in")
            .rule("JSON Schema (draft 2020-12)")
            .detail("/expires_in: [type] \"x\" is not of type \"integer\"")
            .detail("(root): [required] \"token_type\" is a required property")
            .with_exchange("request:  POST http://127.0.0.1:1/token\n          a=b\nresponse: HTTP 200\n          {\"expires_in\":\"x\"}");
        let text = format!("And the body matches the schema \"p/token\" (line 19)\n{failure}");
        let view = FailureView::parse(&text);
        assert_eq!(
            view.step.as_deref(),
            Some("And the body matches the schema \"p/token\" (line 19)")
        );
        assert_eq!(view.failure, failure);
    }

    #[test]
    fn text_in_another_layout_stays_whole() {
        let view = FailureView::parse("hook failed: boom\nsecond line");
        assert_eq!(view.step, None);
        assert_eq!(view.failure.title, "hook failed: boom\nsecond line");
        assert_eq!(view.failure.expected, None);
    }
}
