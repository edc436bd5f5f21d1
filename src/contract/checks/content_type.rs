//! A JSON answer must say it is JSON: RFC 6749 §5.1 ("using the application/json media type")
//! and the documents' JSON examples promise it, whatever the body happens to parse as.

use super::documented::media_type_matches;
use super::{CheckResult, Failure};
use crate::targets::http::Response;

/// The answer's Content-Type is `application/json` or a `+json` type (RFC 6838 §4.2.8), with any
/// parameters (`; charset=utf-8`).
pub fn ensure_json_content_type(resp: &Response, rule: &str) -> CheckResult {
    let declared = resp.header("content-type");
    if declared.is_some_and(|ct| {
        media_type_matches(ct, "application/json") || media_type_matches(ct, "application/*+json")
    }) {
        return Ok(());
    }
    Err(
        Failure::new("the answer does not declare a JSON media type")
            .expected("Content-Type: application/json (or an application/...+json type)")
            .actual(declared.map_or("no Content-Type".to_owned(), |ct| {
                format!("Content-Type: {ct}")
            }))
            .rule(rule),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(content_type: Option<&'static str>) -> Response {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert("content-type", ct.parse().unwrap());
        }
        Response {
            status: 200,
            headers,
            body: b"{}".to_vec(),
            truncated: false,
            elapsed: Default::default(),
            parsed: Default::default(),
            held: None,
        }
    }

    #[test]
    fn json_and_suffixed_json_pass_with_parameters() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/vnd.sso.v1+json",
        ] {
            assert!(
                ensure_json_content_type(&resp(Some(ct)), "r").is_ok(),
                "{ct}"
            );
        }
    }

    #[test]
    fn other_types_and_none_fail_with_what_was_declared() {
        let f = ensure_json_content_type(&resp(Some("text/plain")), "RFC 6749 §5.1").unwrap_err();
        assert_eq!(f.actual.as_deref(), Some("Content-Type: text/plain"));
        assert_eq!(f.rule.as_deref(), Some("RFC 6749 §5.1"));
        let f = ensure_json_content_type(&resp(None), "r").unwrap_err();
        assert_eq!(f.actual.as_deref(), Some("no Content-Type"));
        assert!(ensure_json_content_type(&resp(Some("application/jsonp")), "r").is_err());
    }
}
