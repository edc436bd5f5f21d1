//! Checks on the status line, the headers and the body's syntax.

use serde_json::Value;

use super::{CheckResult, Failure};
use crate::targets::http::Response;

/// The status must be one of `allowed`.
pub fn ensure_status(resp: &Response, allowed: &[u16], rule: &str) -> CheckResult {
    if allowed.contains(&resp.status) {
        return Ok(());
    }
    let expected = allowed
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ");
    Err(Failure::new(format!(
        "the response status {} is not the one expected",
        resp.status
    ))
    .expected(format!("HTTP {expected}"))
    .actual(format!("HTTP {}", resp.status))
    .rule(rule))
}

/// The header `name` must carry `token` in its comma-separated list (case-insensitive).
pub fn ensure_header_has_token(
    resp: &Response,
    name: &str,
    token: &str,
    rule: &str,
) -> CheckResult {
    let values = resp.header_all(name);
    let found = values
        .iter()
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token));
    if found {
        return Ok(());
    }
    let actual = if values.is_empty() {
        format!("no {name} header")
    } else {
        format!("{name}: {}", values.join(", "))
    };
    Err(
        Failure::new(format!("the {name} header does not include \"{token}\""))
            .expected(format!("{name}: {token}"))
            .actual(actual)
            .rule(rule),
    )
}

/// A 401 must challenge (RFC 9110 §11.6.1): a `WWW-Authenticate` header naming `scheme`
/// (case-insensitive), e.g. `Bearer realm="x", error="invalid_token"`.
pub fn ensure_challenge(resp: &Response, scheme: &str, rule: &str) -> CheckResult {
    let values = resp.header_all("www-authenticate");
    let named = values.iter().any(|v| {
        v.split(',').any(|part| {
            part.split_whitespace()
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        })
    });
    if named {
        return Ok(());
    }
    let actual = if values.is_empty() {
        "no WWW-Authenticate header".to_owned()
    } else {
        format!("WWW-Authenticate: {}", values.join(", "))
    };
    Err(
        Failure::new(format!("the refusal does not challenge for {scheme}"))
            .expected(format!("WWW-Authenticate: {scheme} ..."))
            .actual(actual)
            .rule(rule),
    )
}

/// A request whose credential the route takes is not refused for it: neither 401 nor 403, and
/// no server error (a route that breaks is not one that accepted the request).
pub fn ensure_credential_accepted(resp: &Response, rule: &str) -> CheckResult {
    let status = resp.status;
    if status != 401 && status != 403 && status < 500 {
        return Ok(());
    }
    let title = if status >= 500 {
        "the route failed with a server error".to_owned()
    } else {
        "the route refused the credential it documents".to_owned()
    };
    Err(Failure::new(title)
        .expected("any answer but 401, 403 or 5xx (the route's resources may not exist)")
        .actual(format!("HTTP {status}"))
        .rule(rule))
}

/// The body must be JSON; returns it parsed.
pub fn ensure_json_body(resp: &Response) -> CheckResult<Value> {
    resp.json().map_err(|why| {
        let ct = resp.header("content-type").unwrap_or("(none)");
        Failure::new(format!("the response body is not JSON: {why}"))
            .expected("a JSON document")
            .actual(format!("content-type {ct}, {} bytes", resp.body.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::http::Response;

    fn resp(status: u16, headers: &[(&'static str, &'static str)], body: &str) -> Response {
        let mut map = reqwest::header::HeaderMap::new();
        for (k, v) in headers {
            map.append(*k, v.parse().unwrap());
        }
        Response {
            status,
            headers: map,
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: Default::default(),
            parsed: Default::default(),
            held: None,
        }
    }

    #[test]
    fn status_passes_and_fails() {
        assert!(ensure_status(&resp(200, &[], ""), &[200], "r").is_ok());
        let f = ensure_status(&resp(500, &[], ""), &[400, 401], "RFC 6749 §5.2").unwrap_err();
        assert_eq!(f.expected.as_deref(), Some("HTTP 400 or 401"));
        assert_eq!(f.actual.as_deref(), Some("HTTP 500"));
    }

    #[test]
    fn header_token_is_found_in_lists_and_missing_is_reported() {
        let r = resp(200, &[("cache-control", "private, No-Store")], "");
        assert!(ensure_header_has_token(&r, "cache-control", "no-store", "r").is_ok());
        let f = ensure_header_has_token(&resp(200, &[], ""), "cache-control", "no-store", "r")
            .unwrap_err();
        assert_eq!(f.actual.as_deref(), Some("no cache-control header"));
    }

    #[test]
    fn a_challenge_names_its_scheme() {
        let bearer = resp(
            401,
            &[(
                "www-authenticate",
                "Bearer realm=\"x\", error=\"invalid_token\"",
            )],
            "",
        );
        assert!(ensure_challenge(&bearer, "Bearer", "r").is_ok());
        let f = ensure_challenge(&bearer, "Basic", "r").unwrap_err();
        assert!(f.actual.unwrap().contains("Bearer realm"));
        let none = ensure_challenge(&resp(401, &[], ""), "Bearer", "r").unwrap_err();
        assert_eq!(none.actual.as_deref(), Some("no WWW-Authenticate header"));
    }

    #[test]
    fn accepted_credentials_allow_any_answer_but_refusals_and_errors() {
        for ok in [200, 204, 400, 404, 422] {
            assert!(
                ensure_credential_accepted(&resp(ok, &[], ""), "r").is_ok(),
                "{ok}"
            );
        }
        for refused in [401, 403, 500] {
            assert!(ensure_credential_accepted(&resp(refused, &[], ""), "r").is_err());
        }
    }

    #[test]
    fn non_json_body_is_a_failure_not_a_panic() {
        let f =
            ensure_json_body(&resp(200, &[("content-type", "text/html")], "<html>")).unwrap_err();
        assert!(f.title.contains("not JSON"), "{f}");
        assert!(ensure_json_body(&resp(200, &[], "{\"a\":1}")).is_ok());
    }
}
