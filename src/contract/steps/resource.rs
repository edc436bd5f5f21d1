//! Resources protected by the access token as a Bearer token (RFC 6750): the dialect's
//! `resource_path` (Authenteq's details, a generic server's resource), requested with the token,
//! with none, or with one the provider never issued, and the challenge of a refusal.

use cucumber::{then, when};

use crate::contract::checks::{self, Failure};
use crate::contract::world::ConformanceWorld;
use crate::mocks::opaque;
use crate::secret::Secret;
use crate::targets::http::Request;

/// GETs the dialect's protected resource with `Authorization: Bearer <token>` (none without a
/// token).
pub async fn request_resource(
    w: &mut ConformanceWorld,
    token: Option<&str>,
) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let path = w.dialect()?.resource_path.ok_or_else(|| {
        Failure::new(format!(
            "the {} dialect names no protected resource (resource_path)",
            target.provider.name()
        ))
    })?;
    let mut request = Request::new(reqwest::Method::GET, target.url(path));
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    w.send(request).await?;
    Ok(())
}

/// The access token the scenario obtained.
pub async fn with_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let token = w.access_token()?.expose().to_owned();
    request_resource(w, Some(&token)).await
}

/// A token the provider never issued.
pub async fn with_unknown_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let forged = Secret::new(opaque("never-issued-"));
    request_resource(w, Some(forged.expose())).await
}

#[when("the client requests the protected resource with the access token")]
async fn resource_with_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    with_token(w).await
}

#[when("the client requests the protected resource without a token")]
async fn resource_without_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    request_resource(w, None).await
}

#[when("the client requests the protected resource with a token the provider never issued")]
async fn resource_with_unknown_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    with_unknown_token(w).await
}

#[then("the resource server refuses it with 401 and a Bearer challenge")]
async fn refuses_with_challenge(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_bearer_challenge(&ex.response, None))
}

#[then(
    regex = r#"^the resource server refuses it with 401 and a Bearer challenge with error "([^"]*)"$"#
)]
async fn refuses_with_error(w: &mut ConformanceWorld, error: String) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_bearer_challenge(&ex.response, Some(&error)))
}

/// RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each
/// request"; this one breaks that on purpose: the header and the URI query (§2.3) at once.
#[when(
    "the client requests the protected resource with the access token in the header and the query"
)]
async fn resource_with_token_twice(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let token = w.access_token()?.expose().to_owned();
    let path = w
        .dialect()?
        .resource_path
        .ok_or_else(|| Failure::new("the dialect names no protected resource (resource_path)"))?;
    let mut url = url::Url::parse(&target.url(path))
        .map_err(|e| Failure::new(format!("the resource URL is invalid: {e}")))?;
    url.query_pairs_mut().append_pair("access_token", &token);
    let request = Request::new(reqwest::Method::GET, url.as_str())
        .header("Authorization", format!("Bearer {token}"));
    w.send(request).await?;
    Ok(())
}

#[then("the resource server refuses it as an invalid request")]
async fn refuses_invalid_request(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_bearer_invalid_request(&ex.response))
}
