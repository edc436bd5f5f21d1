//! LoginSign's developer portal (session cookie): the users connected to the app, updating and
//! deleting the user's connection, syncing the user's platform e-mail. The scenario learns the
//! user's connection from `GET /api/user` first (its `id` is the connection id).

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::credentials::{call, path};
use super::userinfo::userinfo_with_token;
use crate::contract::checks::{self, Failure};
use crate::contract::documents::Credential;
use crate::contract::world::ConformanceWorld;
use crate::mocks::opaque;

const USERS: &str = "/api/developer/applications/:appId/users";
const CONNECTION: &str = "/api/developer/applications/:appId/users/:connectionId";
const CONNECTION_EMAIL: &str = "/api/developer/applications/:appId/users/:connectionId/email";

/// The connection id the scenario learned from `GET /api/user`.
pub fn connection_id(w: &ConformanceWorld) -> Result<String, Failure> {
    w.loginsign.connection_id.clone().ok_or_else(|| {
        Failure::new(
            "the scenario does not know the user's connection: add \"Given the client knows the \
             user's connection from its profile\"",
        )
    })
}

/// A string member of the last answer, or a failure naming its pointer and the rule.
fn string_at(w: &ConformanceWorld, pointer: &str, rule: &str) -> Result<String, Failure> {
    let body = w.last_json()?;
    let value = w.evidence(checks::lookup(&body, pointer).map_err(|f| f.rule(rule)))?;
    match value.as_str() {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => w.evidence(Err(Failure::new(format!(
            "the value at {pointer} is not a non-empty string"
        ))
        .actual(value.to_string())
        .at(pointer)
        .rule(rule))),
    }
}

#[given("the client knows the user's connection from its profile")]
async fn knows_connection(w: &mut ConformanceWorld) -> Result<(), Failure> {
    userinfo_with_token(w).await?;
    let ex = w.last()?;
    let rule = "LoginSign, GET /api/user: \"The id field is the connection id (per app link)\"";
    w.evidence(checks::ensure_status(&ex.response, &[200], rule))?;
    w.loginsign.connection_id = Some(string_at(w, "/id", rule)?);
    w.loginsign.global_id = Some(string_at(w, "/globalId", rule)?);
    Ok(())
}

async fn list_users(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let path = path(w, USERS, &[])?;
    call(
        w,
        reqwest::Method::GET,
        &path,
        Credential::DeveloperSession,
        None,
    )
    .await
}

#[when("the developer lists the app's users")]
async fn lists_users(w: &mut ConformanceWorld) -> Result<(), Failure> {
    list_users(w).await
}

/// The entries of the last user list, with their pointers.
fn listed(w: &ConformanceWorld) -> Result<Vec<(String, Value)>, Failure> {
    let body = w.last_json()?;
    let users = w.evidence(checks::lookup(&body, "/users"))?;
    let Some(users) = users.as_array() else {
        return w.evidence(Err(Failure::new("the value at /users is not a list")
            .at("/users")
            .rule("LoginSign, List users: {\"users\": [...], \"total\": ...}")));
    };
    Ok(users
        .iter()
        .enumerate()
        .map(|(i, u)| (format!("/users/{i}"), u.clone()))
        .collect())
}

#[then("the list includes the user's connection with the user's Global User ID")]
async fn includes_connection(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let id = connection_id(w)?;
    let global_id = w.loginsign.global_id.clone().unwrap_or_default();
    let rule = "LoginSign: GET /api/user's id is \"the connection id (per app link)\", the id of \
                the developer portal's user list";
    let entries = listed(w)?;
    let Some((at, entry)) = entries.iter().find(|(_, u)| u["id"] == json!(id)) else {
        let ids: Vec<String> = entries.iter().map(|(_, u)| u["id"].to_string()).collect();
        return w.evidence(Err(Failure::new(
            "the developer portal lists no connection with the id GET /api/user answered",
        )
        .expected(format!("an entry with id \"{id}\""))
        .actual(format!("ids {}", ids.join(", ")))
        .at("/users")
        .rule(rule)));
    };
    w.evidence(
        checks::ensure_pointer_equals(
            entry,
            "/globalId",
            &json!(global_id),
            "LoginSign: the Global User ID is stable; the portal and GET /api/user name the same",
        )
        .map_err(|f| f.at(format!("{at}/globalId"))),
    )
}

#[then("\"total\" counts at least the users listed")]
async fn total_counts(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let count = listed(w)?.len() as u64;
    let body = w.last_json()?;
    let total = w.evidence(checks::lookup(&body, "/total"))?;
    if total.as_u64().is_some_and(|t| t >= count) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "total is less than the number of users listed",
    )
    .expected(format!("an integer >= {count}"))
    .actual(total.to_string())
    .at("/total")
    .rule(
        "interpretation: total counts all users who connected to the app",
    )))
}

#[when(regex = r"^the developer updates the user's connection with (\{.*\})$")]
async fn updates_connection(w: &mut ConformanceWorld, body: String) -> Result<(), Failure> {
    let body: Value = serde_json::from_str(&body)
        .map_err(|e| Failure::new(format!("the step's body is not JSON: {e}")))?;
    let id = connection_id(w)?;
    let path = path(w, CONNECTION, &[(":connectionId", &id)])?;
    let cookie = Credential::DeveloperSession;
    call(w, reqwest::Method::PATCH, &path, cookie, Some(body)).await
}

async fn sync_email(w: &mut ConformanceWorld, body: Value) -> Result<(), Failure> {
    let id = connection_id(w)?;
    let path = path(w, CONNECTION_EMAIL, &[(":connectionId", &id)])?;
    let cookie = Credential::DeveloperSession;
    call(w, reqwest::Method::PATCH, &path, cookie, Some(body)).await
}

#[when("the developer syncs the user's platform e-mail to a fresh address")]
async fn syncs_email(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let email = format!("{}@example.com", opaque("loginsign-conformance-"));
    sync_email(w, json!({ "email": email })).await
}

#[when(regex = r"^the developer syncs the user's platform e-mail with (\{.*\})$")]
async fn syncs_email_with(w: &mut ConformanceWorld, body: String) -> Result<(), Failure> {
    let body: Value = serde_json::from_str(&body)
        .map_err(|e| Failure::new(format!("the step's body is not JSON: {e}")))?;
    sync_email(w, body).await
}

#[when("the developer deletes the user's connection")]
async fn deletes_connection(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let id = connection_id(w)?;
    let path = path(w, CONNECTION, &[(":connectionId", &id)])?;
    let cookie = Credential::DeveloperSession;
    call(w, reqwest::Method::DELETE, &path, cookie, None).await
}

#[then("the developer portal no longer lists the user's connection")]
async fn no_longer_listed(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let id = connection_id(w)?;
    list_users(w).await?;
    let ex = w.last()?;
    let rule = "LoginSign, Delete user connection: \"Permanently removes the connection\"";
    w.evidence(checks::ensure_status(&ex.response, &[200], rule))?;
    match listed(w)?.into_iter().find(|(_, u)| u["id"] == json!(id)) {
        None => Ok(()),
        Some((at, _)) => w.evidence(Err(Failure::new("the deleted connection is still listed")
            .expected(format!("no entry with id \"{id}\""))
            .actual(format!("an entry at {at}"))
            .at(at)
            .rule(rule))),
    }
}
