//! Checks against the lists a provider's document gives per endpoint: the status codes, the
//! media types. Pure: the lists come in as arguments (see `src/documents.rs`).

use super::{CheckResult, Failure};
use crate::targets::http::Response;

/// The status must be one the document lists for the endpoint.
pub fn ensure_documented_status(
    resp: &Response,
    endpoint: &str,
    listed: &[u16],
    rule: &str,
) -> CheckResult {
    if listed.contains(&resp.status) {
        return Ok(());
    }
    let list = listed
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Err(Failure::new(format!(
        "{endpoint} answered with a status its document does not list"
    ))
    .expected(format!("one of {list}"))
    .actual(format!("HTTP {}", resp.status))
    .rule(rule))
}

/// The media type of a header value: lower case, without parameters ("application/json").
pub fn essence(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Does the media type `actual` fall under `pattern`? A pattern may be exact, `*/*`, `type/*`,
/// or a structured-syntax wildcard such as `application/*+json`.
pub fn media_type_matches(actual: &str, pattern: &str) -> bool {
    let actual = essence(actual);
    let pattern = essence(pattern);
    let (Some((at, asub)), Some((pt, psub))) = (actual.split_once('/'), pattern.split_once('/'))
    else {
        return false;
    };
    if pt != "*" && pt != at {
        return false;
    }
    match psub.strip_prefix('*') {
        Some("") => true,
        Some(suffix) => asub.ends_with(suffix) && asub.len() > suffix.len(),
        None => psub == asub,
    }
}

/// The response's Content-Type must be one of the `listed` media types (wildcards allowed).
pub fn ensure_documented_content_type(
    resp: &Response,
    listed: &[String],
    rule: &str,
) -> CheckResult {
    let actual = resp.header("content-type");
    if let Some(ct) = actual
        && listed.iter().any(|p| media_type_matches(ct, p))
    {
        return Ok(());
    }
    Err(
        Failure::new("the response's Content-Type is not one the document lists")
            .expected(format!("one of {}", listed.join(", ")))
            .actual(actual.map_or("no Content-Type header".to_owned(), |c| c.to_owned()))
            .rule(rule),
    )
}

/// The media ranges of an Accept header, without parameters; those with q=0 are left out.
pub fn accept_ranges(accept: &str) -> Vec<String> {
    let refused = |range: &str| {
        range.split(';').skip(1).any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        })
    };
    accept
        .split(',')
        .filter(|r| !refused(r))
        .map(essence)
        .filter(|r| !r.is_empty())
        .collect()
}

/// The response's Content-Type must be one the request's Accept header allows (RFC 9110 §12.5.1).
pub fn ensure_content_type_accepted(resp: &Response, accept: &str, rule: &str) -> CheckResult {
    let ranges = accept_ranges(accept);
    let actual = resp.header("content-type");
    if let Some(ct) = actual
        && ranges.iter().any(|r| media_type_matches(ct, r))
    {
        return Ok(());
    }
    Err(
        Failure::new("the response's Content-Type is not one the request's Accept allows")
            .expected(format!("a media type under Accept: {accept}"))
            .actual(actual.map_or("no Content-Type header".to_owned(), |c| c.to_owned()))
            .rule(rule),
    )
}

/// Where the response carries an Allow header, it must list `method` (it was just served).
pub fn ensure_allow_lists(resp: &Response, method: &str, rule: &str) -> CheckResult {
    let values = resp.header_all("allow");
    if values.is_empty() {
        return Ok(());
    }
    let methods: Vec<String> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|m| m.trim().to_ascii_uppercase())
        .collect();
    if methods.iter().any(|m| m == method) {
        return Ok(());
    }
    Err(Failure::new(format!(
        "the Allow header does not list {method}, the method just served"
    ))
    .expected(format!("a comma-separated list including {method}"))
    .actual(format!("Allow: {}", values.join(", ")))
    .rule(rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&'static str, &'static str)]) -> Response {
        let mut map = reqwest::header::HeaderMap::new();
        for (k, v) in headers {
            map.append(*k, v.parse().unwrap());
        }
        Response {
            status,
            headers: map,
            body: Vec::new(),
            truncated: false,
            elapsed: Default::default(),
            parsed: Default::default(),
            held: None,
        }
    }

    #[test]
    fn documented_status_passes_and_lists_the_document() {
        let listed = [406, 415, 201, 404];
        assert!(ensure_documented_status(&resp(201, &[]), "POST /sso/sms", &listed, "r").is_ok());
        let f =
            ensure_documented_status(&resp(200, &[]), "POST /sso/sms", &listed, "r").unwrap_err();
        assert_eq!(f.expected.as_deref(), Some("one of 406, 415, 201, 404"));
        assert_eq!(f.actual.as_deref(), Some("HTTP 200"));
    }

    #[test]
    fn media_types_match_exactly_and_by_wildcard() {
        assert!(media_type_matches(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(media_type_matches(
            "application/vnd.sso.v1+json",
            "application/*+json"
        ));
        assert!(media_type_matches(
            "application/problem+json",
            "application/*+json"
        ));
        assert!(!media_type_matches(
            "application/json",
            "application/*+json"
        ));
        assert!(!media_type_matches("text/plain", "application/*+json"));
        assert!(media_type_matches("text/html", "*/*"));
        assert!(media_type_matches("application/xml", "application/*"));
        assert!(!media_type_matches("garbage", "application/json"));
    }

    #[test]
    fn content_type_is_checked_against_the_document_and_accept() {
        let listed = vec![
            "application/vnd.sso.v1+json".to_owned(),
            "application/json".to_owned(),
        ];
        let vnd = resp(201, &[("content-type", "application/vnd.sso.v1+json")]);
        assert!(ensure_documented_content_type(&vnd, &listed, "r").is_ok());
        let text = resp(201, &[("content-type", "text/plain")]);
        assert!(ensure_documented_content_type(&text, &listed, "r").is_err());
        assert!(ensure_documented_content_type(&resp(201, &[]), &listed, "r").is_err());
        assert!(ensure_content_type_accepted(&vnd, "application/*+json", "r").is_ok());
        assert!(ensure_content_type_accepted(&vnd, "application/json", "r").is_err());
        assert!(
            ensure_content_type_accepted(
                &vnd,
                "text/html, application/json;q=0, application/vnd.sso.v1+json",
                "r"
            )
            .is_ok()
        );
        assert!(
            ensure_content_type_accepted(&vnd, "application/vnd.sso.v1+json;q=0", "r").is_err()
        );
    }

    #[test]
    fn allow_is_checked_only_when_present() {
        assert!(ensure_allow_lists(&resp(200, &[]), "POST", "r").is_ok());
        assert!(ensure_allow_lists(&resp(200, &[("allow", "GET, post")]), "POST", "r").is_ok());
        assert!(ensure_allow_lists(&resp(200, &[("allow", "GET")]), "POST", "r").is_err());
    }
}
