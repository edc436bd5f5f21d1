//! Checks of the OAuth 2.0 protocol: redirects to the client, and error answers.

use serde_json::Value;
use url::Url;

use super::{CheckResult, Failure, ensure_json_body, ensure_status};
use crate::targets::http::Response;

/// The query of a redirect to the client: `code`, `state`, `error` as the provider sent them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Redirect {
    pub location: String,
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    /// The issuer identifier of an RFC 9207 authorization response.
    pub iss: Option<String>,
}

/// How the environment error of a misconfigured client begins (after "environment error: "):
/// the plain authorization-code exchange with the target file's credentials was refused with
/// invalid_client. The run's summaries open with each such diagnosis.
pub const MISCONFIGURED_CLIENT: &str = "the client is misconfigured";

/// Reads the redirect an authorization request answered with, if it is one.
pub fn parse_redirect(resp: &Response) -> Option<Redirect> {
    if !(300..400).contains(&resp.status) {
        return None;
    }
    Redirect::from_location(resp.header("location")?)
}

impl Redirect {
    /// The query of the URL a user agent was redirected to; `None` if it is not a URL.
    pub fn from_location(location: &str) -> Option<Redirect> {
        let url = Url::parse(location).ok()?;
        let mut redirect = Redirect {
            location: location.to_owned(),
            ..Redirect::default()
        };
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "code" => redirect.code = Some(v.into_owned()),
                "state" => redirect.state = Some(v.into_owned()),
                "error" => redirect.error = Some(v.into_owned()),
                "iss" => redirect.iss = Some(v.into_owned()),
                _ => {}
            }
        }
        Some(redirect)
    }
}

/// An authorization request that must be refused: no code may reach the client.
/// Either an error page (no redirect) or a redirect that carries `error` and no `code` passes.
pub fn ensure_no_code_issued(resp: &Response, rule: &str) -> CheckResult {
    match parse_redirect(resp) {
        Some(r) if r.code.is_some() => Err(Failure::new(
            "the provider issued an authorization code for a request it must refuse",
        )
        .expected("an error page, or a redirect carrying error=... and no code")
        .actual(format!("HTTP {} redirect with a code", resp.status))
        .rule(rule)),
        Some(_) => Ok(()),
        None if resp.status >= 400 => Ok(()),
        None => Err(
            Failure::new("the authorization request was neither refused nor redirected")
                .expected("an error page (4xx) or a redirect carrying error=...")
                .actual(format!("HTTP {}", resp.status))
                .rule(rule),
        ),
    }
}

/// An OAuth 2.0 error answer (RFC 6749 §5.2): one of `statuses`, a JSON body whose `error` is
/// `code`, and, where present, a string `error_description`.
pub fn ensure_oauth_error(
    resp: &Response,
    statuses: &[u16],
    code: &str,
    rule: &str,
) -> CheckResult {
    ensure_status(resp, statuses, rule)?;
    let body = ensure_json_body(resp).map_err(|f| f.rule(rule))?;
    match body.get("error") {
        Some(Value::String(e)) if e == code => {}
        Some(other) => {
            return Err(Failure::new("the error code is not the one expected")
                .expected(format!("\"{code}\""))
                .actual(other.to_string())
                .at("/error")
                .rule(rule));
        }
        None => {
            return Err(Failure::new("the error answer has no \"error\" field")
                .expected(format!("\"error\": \"{code}\""))
                .actual("no error field")
                .at("/error")
                .rule(rule));
        }
    }
    match body.get("error_description") {
        None | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(Failure::new("error_description is not a string")
            .actual(other.to_string())
            .at("/error_description")
            .rule("RFC 6749 §5.2")),
    }
}

/// A protected resource's refusal (RFC 6750 §3): HTTP 401 with a `WWW-Authenticate: Bearer`
/// challenge, carrying `error="..."` when `error` is given (§3.1, e.g. `invalid_token`).
pub fn ensure_bearer_challenge(resp: &Response, error: Option<&str>) -> CheckResult {
    let rule = match error {
        Some(_) => "RFC 6750 §3.1 (error codes)",
        None => "RFC 6750 §3 (WWW-Authenticate response header)",
    };
    ensure_status(resp, &[401], rule)?;
    let challenges = resp.header_all("www-authenticate");
    let bearer = challenges.iter().find(|c| {
        c.split_whitespace()
            .next()
            .is_some_and(|s| s.trim_end_matches(',').eq_ignore_ascii_case("bearer"))
    });
    let Some(bearer) = bearer else {
        let actual = if challenges.is_empty() {
            "no WWW-Authenticate header".to_owned()
        } else {
            format!("WWW-Authenticate: {}", challenges.join(", "))
        };
        return Err(Failure::new("the refusal carries no Bearer challenge")
            .expected("WWW-Authenticate: Bearer ...")
            .actual(actual)
            .rule(rule));
    };
    let Some(error) = error else {
        return Ok(());
    };
    let wanted = format!("error=\"{error}\"");
    if bearer.contains(&wanted) {
        return Ok(());
    }
    Err(Failure::new("the Bearer challenge does not name the error")
        .expected(format!("WWW-Authenticate: Bearer {wanted}"))
        .actual(format!("WWW-Authenticate: {bearer}"))
        .rule(rule))
}

/// RFC 6750 §3.1: a request that "uses more than one method for including an access token, or is
/// otherwise malformed" is refused with `invalid_request` ("SHOULD respond with the HTTP 400");
/// the code is read from the Bearer challenge or, for servers that also send one, the JSON body.
/// Interpretation: a SHOULD, so 401 passes too; serving the resource never does.
pub fn ensure_bearer_invalid_request(resp: &Response) -> CheckResult {
    let rule = "RFC 6750 §3.1 (invalid_request)";
    ensure_status(resp, &[400, 401], rule)?;
    let in_challenge = resp
        .header_all("www-authenticate")
        .iter()
        .any(|c| c.contains("error=\"invalid_request\""));
    let in_body = resp
        .json_ref()
        .is_ok_and(|b| b.get("error").and_then(Value::as_str) == Some("invalid_request"));
    if in_challenge || in_body {
        return Ok(());
    }
    Err(Failure::new("the refusal does not name invalid_request")
        .expected("error=\"invalid_request\" in the Bearer challenge (or the JSON body)")
        .actual(format!(
            "WWW-Authenticate: {}",
            resp.header_all("www-authenticate").join(", ")
        ))
        .rule(rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_with_two_token_methods_must_be_refused_as_invalid_request() {
        let answer = |status: u16, challenge: &str, body: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            if !challenge.is_empty() {
                headers.insert("www-authenticate", challenge.parse().unwrap());
            }
            Response {
                status,
                headers,
                body: body.as_bytes().to_vec(),
                truncated: false,
                elapsed: std::time::Duration::ZERO,
                parsed: Default::default(),
                held: None,
            }
        };
        let bearer = "Bearer error=\"invalid_request\"";
        assert!(ensure_bearer_invalid_request(&answer(400, bearer, "")).is_ok());
        let body = r#"{"error":"invalid_request"}"#;
        assert!(ensure_bearer_invalid_request(&answer(400, "", body)).is_ok());
        assert!(ensure_bearer_invalid_request(&answer(200, "", "{}")).is_err());
        let other = "Bearer error=\"invalid_token\"";
        assert!(ensure_bearer_invalid_request(&answer(401, other, "")).is_err());
    }

    #[test]
    fn a_bearer_refusal_needs_401_the_challenge_and_the_error() {
        let with = |status, challenge: Option<&str>| {
            let mut r = resp(status, None, "");
            if let Some(c) = challenge {
                r.headers.insert("www-authenticate", c.parse().unwrap());
            }
            r
        };
        let invalid = with(401, Some("Bearer realm=\"x\", error=\"invalid_token\""));
        assert!(ensure_bearer_challenge(&invalid, Some("invalid_token")).is_ok());
        assert!(ensure_bearer_challenge(&with(401, Some("Bearer")), None).is_ok());
        let no_error = ensure_bearer_challenge(&with(401, Some("Bearer")), Some("invalid_token"));
        assert!(no_error.unwrap_err().title.contains("does not name"));
        let none = ensure_bearer_challenge(&with(401, None), None).unwrap_err();
        assert_eq!(none.actual.as_deref(), Some("no WWW-Authenticate header"));
        assert!(ensure_bearer_challenge(&with(200, Some("Bearer")), None).is_err());
        assert!(ensure_bearer_challenge(&with(401, Some("Basic realm=\"x\"")), None).is_err());
    }

    fn resp(status: u16, location: Option<&str>, body: &str) -> Response {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(l) = location {
            headers.insert("location", l.parse().unwrap());
        }
        Response {
            status,
            headers,
            body: body.into(),
            truncated: false,
            elapsed: Default::default(),
            parsed: Default::default(),
            held: None,
        }
    }

    #[test]
    fn redirect_query_is_read() {
        let r = parse_redirect(&resp(
            302,
            Some("https://a.example/cb?code=c1&state=s1"),
            "",
        ))
        .unwrap();
        assert_eq!(
            (r.code.as_deref(), r.state.as_deref()),
            (Some("c1"), Some("s1"))
        );
        assert!(parse_redirect(&resp(200, None, "")).is_none());
    }

    #[test]
    fn refusal_accepts_error_pages_and_error_redirects_only() {
        assert!(ensure_no_code_issued(&resp(400, None, ""), "r").is_ok());
        let err = resp(302, Some("https://a.example/cb?error=invalid_request"), "");
        assert!(ensure_no_code_issued(&err, "r").is_ok());
        let code = resp(302, Some("https://a.example/cb?code=c"), "");
        assert!(ensure_no_code_issued(&code, "r").is_err());
        assert!(ensure_no_code_issued(&resp(200, None, ""), "r").is_err());
    }

    #[test]
    fn oauth_error_checks_status_body_and_code() {
        let ok = resp(
            400,
            None,
            r#"{"error":"invalid_grant","error_description":"reused"}"#,
        );
        assert!(ensure_oauth_error(&ok, &[400], "invalid_grant", "r").is_ok());
        let wrong = ensure_oauth_error(&ok, &[400], "invalid_client", "r").unwrap_err();
        assert_eq!(wrong.actual.as_deref(), Some("\"invalid_grant\""));
        assert!(ensure_oauth_error(&ok, &[401], "invalid_grant", "r").is_err());
        let html = resp(400, None, "<html>");
        assert!(ensure_oauth_error(&html, &[400], "invalid_grant", "r").is_err());
    }
}
