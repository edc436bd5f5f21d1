//! The templates of the rendered reports, compiled into the binary (`templates/`), and the one
//! place they are rendered: every output passes redaction.

use std::sync::LazyLock;

use serde::Serialize;

static ENV: LazyLock<minijinja::Environment<'static>> = LazyLock::new(|| {
    let mut env = minijinja::Environment::new();
    // `.html` templates escape HTML; `.md` ones escape nothing, so table cells use `cell`.
    for (name, source) in [
        ("report.html", include_str!("../../templates/report.html")),
        (
            "scenario.html",
            include_str!("../../templates/scenario.html"),
        ),
        ("step.html", include_str!("../../templates/step.html")),
        (
            "coverage.html",
            include_str!("../../templates/coverage.html"),
        ),
        ("diff.md", include_str!("../../templates/diff.md")),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("templates/{name} compiles: {e:#}"));
    }
    env.add_filter("cell", markdown_cell);
    env.add_filter("code", markdown_code);
    env
});

/// Text that can stand in one Markdown table cell or heading: pipes escaped, line breaks and
/// other control characters as spaces.
fn markdown_cell(text: String) -> String {
    text.replace('|', "\\|")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Text as an inline code span that stays one table cell whatever it holds: a cell, between
/// more backticks than its longest run (padded when it starts or ends with one).
fn markdown_code(text: String) -> String {
    let text = markdown_cell(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Renders template `name` with `context`, whose values are masked already (the rendered page
/// is not: masking it would reach into its markup).
pub fn render(name: &str, context: &impl Serialize) -> Result<String, String> {
    ENV.get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(context)))
        .map_err(|e| format!("cannot render {name}: {e:#}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        assert!(super::ENV.templates().count() >= 2);
    }

    #[test]
    fn cells_escape_pipes_and_join_lines() {
        assert_eq!(super::markdown_cell("a|b\nc".into()), "a\\|b c");
    }
}
