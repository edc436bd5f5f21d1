//! Lifetimes: an authorization code's, an access token's (its `expires_in`), Authenteq's
//! details window. Against the embedded mocks the step moves the mock's clock (the scenarios
//! run alone: one clock); against a real deployment (`run --lifetimes`, scenarios tagged
//! `@lifetime`) it waits in real time, counted from when the answer carrying the code or the
//! token arrived, so the provider's own clock has run at least that long since it issued them.

use std::time::{Duration, Instant};

use cucumber::given;

use super::mock_control::control;
use crate::contract::checks::Failure;
use crate::contract::world::{ConformanceWorld, TokenIssued};

/// Lets `secs` pass since `since`: the mock's clock moves, or the scenario waits.
async fn pass(w: &mut ConformanceWorld, since: Instant, secs: u64) -> Result<(), Failure> {
    if w.target()?.mock_control {
        control(w, &format!("/__mock/clock/advance?secs={secs}")).await?;
        return Ok(());
    }
    tokio::time::sleep_until((since + Duration::from_secs(secs)).into()).await;
    Ok(())
}

fn token_issued(w: &ConformanceWorld) -> Result<&TokenIssued, Failure> {
    w.token_issued
        .as_ref()
        .ok_or_else(|| Failure::new("no access token was issued before this step"))
}

/// When the token arrived and its `expires_in` in seconds, which these scenarios need: the
/// documents that have them show it in their example answer (RFC 6749 §5.1: "The lifetime in
/// seconds of the access token").
fn expires_in(w: &ConformanceWorld) -> Result<(Instant, u64), Failure> {
    let issued = token_issued(w)?;
    match &issued.expires_in {
        Some(v) => v.as_u64().map(|secs| (issued.at, secs)).ok_or_else(|| {
            Failure::new("the token answer's expires_in is not a number of seconds: its lifetime cannot be checked")
                .expected("a whole number of seconds")
                .actual(v.to_string())
                .at("/expires_in")
                .rule("RFC 6749 §5.1")
        }),
        None => Err(
            Failure::new("the token answer has no expires_in: its lifetime cannot be checked")
                .expected("expires_in, a whole number of seconds")
                .actual("nothing")
                .at("/expires_in")
                .rule("RFC 6749 §5.1"),
        ),
    }
}

#[given(regex = r"^([0-9]+) seconds pass after the authorization code was issued$")]
async fn after_code(w: &mut ConformanceWorld, secs: u64) -> Result<(), Failure> {
    let since = w
        .code_issued
        .ok_or_else(|| Failure::new("no authorization code was issued before this step"))?;
    pass(w, since, secs).await
}

#[given(regex = r"^([0-9]+) seconds pass after the access token was issued$")]
async fn after_token(w: &mut ConformanceWorld, secs: u64) -> Result<(), Failure> {
    let since = token_issued(w)?.at;
    pass(w, since, secs).await
}

#[given(regex = r"^the access token is ([0-9]+) seconds short of its expires_in$")]
async fn short_of_expiry(w: &mut ConformanceWorld, short: u64) -> Result<(), Failure> {
    let (since, secs) = expires_in(w)?;
    pass(w, since, secs.saturating_sub(short)).await
}

#[given("the access token's expires_in has passed")]
async fn expired(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let (since, secs) = expires_in(w)?;
    pass(w, since, secs).await
}
