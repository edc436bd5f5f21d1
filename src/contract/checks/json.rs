//! Checks on values inside a JSON body, addressed by JSON pointer (RFC 6901).

use serde_json::Value;

use super::{CheckResult, Failure};
use crate::secret;

/// The value at `pointer`, or a failure naming the pointer.
pub fn lookup<'a>(body: &'a Value, pointer: &str) -> CheckResult<&'a Value> {
    body.pointer(pointer).ok_or_else(|| {
        Failure::new(format!("the body has no value at {pointer}"))
            .expected("a value")
            .actual("nothing")
            .at(pointer)
    })
}

fn shown(pointer: &str, v: &Value) -> String {
    let last = pointer.rsplit('/').next().unwrap_or_default();
    if secret::is_secret_key(last) {
        secret::MASK.to_owned()
    } else {
        v.to_string()
    }
}

/// The value at `pointer` must equal `expected`.
pub fn ensure_pointer_equals(
    body: &Value,
    pointer: &str,
    expected: &Value,
    rule: &str,
) -> CheckResult {
    let actual = lookup(body, pointer).map_err(|f| f.rule(rule))?;
    if actual == expected {
        return Ok(());
    }
    Err(
        Failure::new(format!("the value at {pointer} is not the one expected"))
            .expected(shown(pointer, expected))
            .actual(shown(pointer, actual))
            .at(pointer)
            .rule(rule),
    )
}

/// The value at `pointer` must be one of `allowed`.
pub fn ensure_pointer_one_of(
    body: &Value,
    pointer: &str,
    allowed: &[Value],
    rule: &str,
) -> CheckResult {
    let actual = lookup(body, pointer).map_err(|f| f.rule(rule))?;
    if allowed.contains(actual) {
        return Ok(());
    }
    let list = allowed
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Err(Failure::new(format!(
        "the value at {pointer} is not one of the documented values"
    ))
    .expected(format!("one of {list}"))
    .actual(shown(pointer, actual))
    .at(pointer)
    .rule(rule))
}

/// Every value under a member named `name`, at any depth, with its JSON pointer.
pub fn values_named<'a>(body: &'a Value, name: &str) -> Vec<(String, &'a Value)> {
    fn walk<'a>(v: &'a Value, at: String, name: &str, out: &mut Vec<(String, &'a Value)>) {
        let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let here = format!("{at}/{}", escape(k));
                    if k == name {
                        out.push((here.clone(), child));
                    }
                    walk(child, here, name, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{at}/{i}"), name, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(body, String::new(), name, &mut out);
    out
}

/// Does `needle` appear as a string value anywhere in `body`?
pub fn contains_string(body: &Value, needle: &str) -> bool {
    match body {
        Value::String(s) => s == needle,
        Value::Object(map) => map.values().any(|v| contains_string(v, needle)),
        Value::Array(items) => items.iter().any(|v| contains_string(v, needle)),
        _ => false,
    }
}

/// A string field whose content must itself be JSON.
pub fn parse_json_string(value: &Value, pointer: &str, rule: &str) -> CheckResult<Value> {
    let text = value.as_str().ok_or_else(|| {
        Failure::new(format!("the value at {pointer} is not a string"))
            .actual(value.to_string())
            .at(pointer)
            .rule(rule)
    })?;
    serde_json::from_str(text).map_err(|e| {
        Failure::new(format!(
            "the string at {pointer} looks like JSON but does not parse: {e}"
        ))
        .expected("a string that parses as JSON")
        .actual(value.to_string())
        .at(pointer)
        .rule(rule)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equals_passes_and_fails_with_pointer() {
        let body = json!({"a": {"b": "Bearer"}});
        assert!(ensure_pointer_equals(&body, "/a/b", &json!("Bearer"), "r").is_ok());
        let f = ensure_pointer_equals(&body, "/a/b", &json!("MAC"), "r").unwrap_err();
        assert_eq!(f.pointer.as_deref(), Some("/a/b"));
        let f = ensure_pointer_equals(&body, "/a/c", &json!(1), "r").unwrap_err();
        assert_eq!(f.actual.as_deref(), Some("nothing"));
    }

    #[test]
    fn one_of_reports_the_allowed_list() {
        let body = json!({"s": 5});
        let allowed = [json!(1), json!(2), json!(3), json!(4)];
        let f = ensure_pointer_one_of(&body, "/s", &allowed, "r").unwrap_err();
        assert_eq!(f.expected.as_deref(), Some("one of 1, 2, 3, 4"));
        assert!(ensure_pointer_one_of(&json!({"s": 2}), "/s", &allowed, "r").is_ok());
    }

    #[test]
    fn secret_values_are_not_shown() {
        let body = json!({"access_token": "tok"});
        let f = ensure_pointer_equals(&body, "/access_token", &json!("x"), "r").unwrap_err();
        assert_eq!(f.actual.as_deref(), Some(secret::MASK));
    }

    #[test]
    fn values_are_found_by_name_at_any_depth() {
        let body = json!({"globalId": "AB1234", "users": [{"globalId": "CD5678"}, {"id": 1}]});
        let found: Vec<String> = values_named(&body, "globalId")
            .into_iter()
            .map(|(p, v)| format!("{p}={v}"))
            .collect();
        assert_eq!(
            found,
            ["/globalId=\"AB1234\"", "/users/0/globalId=\"CD5678\""]
        );
        assert!(values_named(&body, "nothing").is_empty());
        assert!(contains_string(&body, "CD5678") && !contains_string(&body, "users"));
    }

    #[test]
    fn json_strings_parse_or_fail() {
        assert!(parse_json_string(&json!("{\"a\":1}"), "/x", "r").is_ok());
        assert!(parse_json_string(&json!("{a:1}"), "/x", "r").is_err());
    }
}
