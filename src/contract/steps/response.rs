//! Generic checks of the last response: status, headers, values by JSON pointer, JSON Schemas.

use cucumber::then;
use serde_json::Value;

use super::parse_statuses;
use crate::contract::checks::{self, Failure};
use crate::contract::world::ConformanceWorld;

#[then(regex = r"^the response status is ([0-9]{3}(?:(?:, | or )[0-9]{3})*)$")]
async fn status_is(w: &mut ConformanceWorld, statuses: String) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &parse_statuses(&statuses),
        "the scenario's expected status",
    ))
}

#[then(regex = r#"^the body matches the schema "([^"]*)"$"#)]
async fn body_matches(w: &mut ConformanceWorld, schema: String) -> Result<(), Failure> {
    let body = w.last_json()?;
    w.evidence(w.ctx.schemas.ensure_conforms(&schema, &body))
}

#[then(regex = r#"^the value at "([^"]*)" matches the schema "([^"]*)"$"#)]
async fn value_matches(
    w: &mut ConformanceWorld,
    pointer: String,
    schema: String,
) -> Result<(), Failure> {
    let body = w.last_json()?;
    let value = w.evidence(checks::lookup(&body, &pointer))?;
    w.evidence(conforms_at(w, &schema, &pointer, value))
}

/// The value at `pointer` must conform to `schema`; the failure names the pointer.
fn conforms_at(
    w: &ConformanceWorld,
    schema: &str,
    pointer: &str,
    value: &Value,
) -> Result<(), Failure> {
    w.ctx.schemas.ensure_conforms(schema, value).map_err(|f| {
        let title = f
            .title
            .replacen("the body", &format!("the value at {pointer}"), 1);
        Failure {
            title,
            pointer: Some(pointer.to_owned()),
            ..f
        }
    })
}

#[then(regex = r#"^the value at "([^"]*)" is "([^"]*)"$"#)]
async fn value_is(
    w: &mut ConformanceWorld,
    pointer: String,
    expected: String,
) -> Result<(), Failure> {
    let body = w.last_json()?;
    w.evidence(checks::ensure_pointer_equals(
        &body,
        &pointer,
        &Value::String(expected),
        "the provider's document",
    ))
}

#[then(regex = r#"^the value at "([^"]*)" is a positive integer$"#)]
async fn positive_integer(w: &mut ConformanceWorld, pointer: String) -> Result<(), Failure> {
    let body = w.last_json()?;
    let value = w.evidence(checks::lookup(&body, &pointer))?;
    if value.as_u64().is_some_and(|n| n > 0) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(format!(
        "the value at {pointer} is not a positive integer"
    ))
    .expected("an integer > 0")
    .actual(value.to_string())
    .at(pointer)))
}

#[then(regex = r#"^the response header "([^"]*)" includes "([^"]*)"$"#)]
async fn header_includes(
    w: &mut ConformanceWorld,
    name: String,
    token: String,
) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_header_has_token(
        &ex.response,
        &name,
        &token,
        "RFC 6749 §5.1: Cache-Control: no-store",
    ))
}

#[then(regex = r#"^every "([^"]*)" in the body matches the schema "([^"]*)"$"#)]
async fn every_named_value_matches(
    w: &mut ConformanceWorld,
    name: String,
    schema: String,
) -> Result<(), Failure> {
    let body = w.last_json()?;
    for (pointer, value) in checks::values_named(&body, &name) {
        w.evidence(conforms_at(w, &schema, &pointer, value))?;
    }
    Ok(())
}

#[then(regex = r#"^the response challenges for "([^"]*)" authentication$"#)]
async fn challenges(w: &mut ConformanceWorld, scheme: String) -> Result<(), Failure> {
    let ex = w.last()?;
    let rule = match scheme.to_ascii_lowercase().as_str() {
        "bearer" => "RFC 6750 §3: a refused Bearer request answers WWW-Authenticate: Bearer",
        "basic" => {
            "RFC 6749 §5.2: a failed Basic client authentication answers 401 with WWW-Authenticate"
        }
        _ => "RFC 9110 §11.6.1: a 401 carries WWW-Authenticate",
    };
    w.evidence(checks::ensure_challenge(&ex.response, &scheme, rule))
}
