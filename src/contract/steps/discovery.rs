//! The authorization server's metadata (RFC 8414, OpenID Connect Discovery 1.0): read from where
//! the target's issuer says, and checked as a document of its own.

use cucumber::{then, when};
use serde_json::Value;

use crate::contract::checks::Failure;
use crate::contract::world::ConformanceWorld;
use crate::targets::Discovery;
use crate::targets::http::Request;

fn discovery(w: &ConformanceWorld) -> Result<Discovery, Failure> {
    w.target()?.discovery.clone().ok_or_else(|| {
        Failure::new("the target names no issuer: set issuer in the target file (@needs-discovery)")
    })
}

#[when("the client reads the authorization server's metadata")]
async fn reads_metadata(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let url = discovery(w)?.metadata_url;
    w.send(Request::new(reqwest::Method::GET, url)).await?;
    Ok(())
}

/// RFC 8414 §3.3: "The "issuer" value returned MUST be identical to the authorization server's
/// issuer identifier value into which the well-known URI string was inserted"; OpenID Connect
/// Discovery 1.0 §4.3 says the same of the Issuer URL it was fetched from.
#[then("the metadata names the issuer the client expects")]
async fn names_issuer(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let expected = discovery(w)?.issuer;
    let body = w.last_json()?;
    let issuer = body.get("issuer");
    if issuer.and_then(Value::as_str) == Some(expected.as_str()) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "the metadata's issuer is not the issuer it was fetched for",
    )
    .expected(format!("\"{expected}\""))
    .actual(issuer.map_or("no issuer".to_owned(), Value::to_string))
    .at("/issuer")
    .rule("RFC 8414 §3.3 (issuer identical to the issuer identifier)")))
}

/// RFC 8414 §2: issuer and response_types_supported are REQUIRED; authorization_endpoint "is
/// REQUIRED unless no grant types are supported that use the authorization endpoint", and
/// token_endpoint "unless only the implicit grant type is supported": both, for a server of the
/// code grant.
#[then("the metadata has every member RFC 8414 §2 requires of a code-grant server")]
async fn has_required_members(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let body = w.last_json()?;
    let missing: Vec<&str> = [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "response_types_supported",
    ]
    .into_iter()
    .filter(|m| body.get(m).is_none_or(Value::is_null))
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "the metadata lacks members RFC 8414 §2 requires",
    )
    .expected("issuer, authorization_endpoint, token_endpoint, response_types_supported")
    .actual(format!("no {}", missing.join(", no ")))
    .rule("RFC 8414 §2 (authorization server metadata)")))
}
