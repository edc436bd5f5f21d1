//! Credentials per API (LoginSign, "Which API uses which credentials?"): a request to a
//! documented route carrying one kind of credential, or none, and whether the provider refused or
//! accepted it. The route's documented credential comes from `documents/<provider>.toml`; the
//! other LoginSign step modules send their requests through [`call`].

use cucumber::{then, when};
use serde_json::{Value, json};

use super::sso::{doc_for, premise};
use crate::contract::checks::{self, Failure};
use crate::contract::documents::Credential;
use crate::contract::world::ConformanceWorld;
use crate::targets::http::{Body, Request, basic_auth};

/// Path parameters a scenario has no real value for: resources the provider does not have. A
/// refusal must not depend on them (credentials are checked first), and a request that is
/// accepted changes nothing.
const PLACEHOLDERS: &[(&str, &str)] = &[
    (":connectionId", "conn-conformance-unknown"),
    (":globalId", "ZZ9999"),
    (":variantId", "variant-conformance-unknown"),
    (":codeId", "code-conformance-unknown"),
];

/// The route's path with `:appId` from the target, the given ids, and placeholders for the rest.
pub fn path(w: &ConformanceWorld, template: &str, ids: &[(&str, &str)]) -> Result<String, Failure> {
    let mut path = template.to_owned();
    if path.contains(":appId") {
        let app_id = w.target()?.app.app_id.clone().ok_or_else(|| {
            Failure::new("the target names no app_id: tag the scenario @needs-app-id")
        })?;
        path = path.replace(":appId", &app_id);
    }
    for (name, value) in ids.iter().chain(PLACEHOLDERS) {
        path = path.replace(name, value);
    }
    Ok(path)
}

/// Sends `method path` with `credential` (and `body` as JSON).
pub async fn call(
    w: &mut ConformanceWorld,
    method: reqwest::Method,
    path: &str,
    credential: Credential,
    body: Option<Value>,
) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let mut request = Request::new(method, target.url(path));
    if let Some(body) = body {
        request = request.body(Body::Json(body));
    }
    let missing = |what: &str, fix: &str| Failure::new(format!("no {what}: {fix}"));
    match credential {
        Credential::None => {}
        Credential::AccessToken => {
            let token = w.access_token()?.expose().to_owned();
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        Credential::ClientBasic => {
            let value = basic_auth(&target.client_id, target.client_secret.expose());
            request = request.header("Authorization", value);
        }
        Credential::DeveloperSession => {
            let cookie = target.app.developer_session.as_ref().ok_or_else(|| {
                missing(
                    "developer session cookie",
                    "tag the scenario @needs-developer-session",
                )
            })?;
            request = request.header("Cookie", cookie.expose());
        }
        Credential::UserSession => {
            let cookie = w.loginsign.user_session.as_ref().ok_or_else(|| {
                missing(
                    "user session",
                    "add \"Given the user has a LoginSign session\"",
                )
            })?;
            request = request.header("Cookie", cookie.expose());
        }
    }
    w.send(request).await?;
    Ok(())
}

#[when(regex = r#"^the client calls "([A-Z]+ [^"]+)" with (.+)$"#)]
async fn calls_with(
    w: &mut ConformanceWorld,
    endpoint: String,
    credential: String,
) -> Result<(), Failure> {
    let credential = Credential::from_phrase(&credential).ok_or_else(|| {
        Failure::new(format!(
            "\"{credential}\" is no credential; write no credentials, the access token, the \
             client's Basic credentials, the developer session cookie or the user's session cookie"
        ))
    })?;
    doc_for(w, &endpoint)?;
    let (method, template) = crate::contract::documents::split_endpoint(&endpoint)?;
    let path = path(w, template, &[])?;
    let body = matches!(method, reqwest::Method::POST | reqwest::Method::PATCH).then(|| json!({}));
    call(w, method, &path, credential, body).await?;
    w.loginsign.called = Some((endpoint, credential));
    Ok(())
}

/// The route and credential of the last call, and the route's documented credential.
fn last_call(w: &ConformanceWorld) -> Result<(String, Credential, Credential, String), Failure> {
    let (endpoint, sent) =
        w.loginsign.called.clone().ok_or_else(|| {
            Failure::new("no route was called with a credential before this check")
        })?;
    let (doc, ep) = doc_for(w, &endpoint)?;
    let documented = ep
        .credential
        .ok_or_else(|| Failure::new(format!("the document names no credential for {endpoint}")))?;
    let cite = format!("{}: {endpoint} takes {}", doc.cite(ep), documented.phrase());
    Ok((endpoint, sent, documented, cite))
}

#[then("the provider refuses the request for lack of credentials")]
async fn refuses_without_credentials(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let (endpoint, sent, _, cite) = last_call(w)?;
    premise(
        sent == Credential::None,
        &endpoint,
        "is called without credentials",
    )?;
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &[401],
        &format!("{cite}; RFC 9110 §15.5.2: 401 for a request without credentials"),
    ))
}

#[then("the provider refuses the credential")]
async fn refuses_credential(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let (endpoint, sent, documented, cite) = last_call(w)?;
    premise(
        sent != documented && sent != Credential::None,
        &endpoint,
        &format!("refuses {}", sent.phrase()),
    )?;
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &[401, 403],
        &format!(
            "{cite}, not {}; RFC 9110 §15.5.2-4: 401 or 403 (either is accepted)",
            sent.phrase()
        ),
    ))
}

#[then("the provider accepts the credential")]
async fn accepts_credential(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let (endpoint, sent, documented, cite) = last_call(w)?;
    premise(
        sent == documented,
        &endpoint,
        &format!("take {}", sent.phrase()),
    )?;
    let ex = w.last()?;
    w.evidence(checks::ensure_credential_accepted(&ex.response, &cite))
}

#[cfg(test)]
mod tests {
    use super::PLACEHOLDERS;

    #[test]
    fn the_placeholder_global_id_has_the_documented_format() {
        let gid = PLACEHOLDERS
            .iter()
            .find(|(n, _)| *n == ":globalId")
            .unwrap()
            .1;
        let (letters, digits) = gid.split_at(2);
        assert!(letters.chars().all(|c| c.is_ascii_alphabetic()));
        assert!(digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()));
    }
}
