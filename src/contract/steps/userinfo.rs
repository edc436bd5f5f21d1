//! Protected resources reached with the access token (losgehts' JSON userinfo, LoginSign's
//! Bearer `GET /api/user`, as the dialect says), and the values inside a KYC verification record.

use cucumber::{then, when};
use serde_json::{Value, json};

use crate::contract::checks::{self, Failure};
use crate::contract::world::ConformanceWorld;
use crate::mocks::opaque;
use crate::providers::Userinfo;
use crate::secret::Secret;
use crate::targets::http::{Body, Request};

/// Requests the userinfo the way the dialect says: a JSON body with the token and the client
/// credentials (losgehts), or `Authorization: Bearer` (LoginSign's `GET /api/user`).
async fn request_userinfo(
    w: &mut ConformanceWorld,
    token: &str,
    secret: Option<&str>,
) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let provider = target.provider.name();
    let userinfo = w.dialect()?.userinfo.ok_or_else(|| {
        Failure::new(format!(
            "{provider} has no userinfo endpoint in its dialect"
        ))
    })?;
    let req = match (userinfo, secret) {
        (Userinfo::JsonBody(path), secret) => {
            let secret = secret.unwrap_or(target.client_secret.expose());
            let body =
                json!({"token": token, "client_id": target.client_id, "client_secret": secret});
            Request::new(reqwest::Method::POST, target.url(path)).body(Body::Json(body))
        }
        (Userinfo::Bearer(path), None) => Request::new(reqwest::Method::GET, target.url(path))
            .header("Authorization", format!("Bearer {token}")),
        (Userinfo::Bearer(_), Some(_)) => {
            return Err(Failure::new(format!(
                "{provider}'s userinfo takes only the Bearer token, no client secret: fix the feature"
            )));
        }
    };
    w.send(req).await?;
    Ok(())
}

/// Requests the userinfo with the scenario's access token.
pub async fn userinfo_with_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let token = w.access_token()?.expose().to_owned();
    request_userinfo(w, &token, None).await
}

#[when("the client requests the userinfo with the access token")]
async fn userinfo(w: &mut ConformanceWorld) -> Result<(), Failure> {
    userinfo_with_token(w).await
}

#[when("the client requests the userinfo with a token the provider never issued")]
async fn userinfo_unknown_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let forged = Secret::new(opaque("never-issued-"));
    request_userinfo(w, forged.expose(), None).await
}

#[when("the client requests the userinfo without a token")]
async fn userinfo_without_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let req = match w.dialect()?.userinfo {
        Some(Userinfo::JsonBody(path)) => {
            let body = json!({"client_id": target.client_id, "client_secret": target.client_secret.expose()});
            Request::new(reqwest::Method::POST, target.url(path)).body(Body::Json(body))
        }
        Some(Userinfo::Bearer(path)) => Request::new(reqwest::Method::GET, target.url(path)),
        None => {
            return Err(Failure::new(format!(
                "{} has no userinfo endpoint in its dialect",
                target.provider.name()
            )));
        }
    };
    w.send(req).await?;
    Ok(())
}

#[when("the client requests the userinfo without client credentials")]
async fn userinfo_without_client_credentials(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let token = w.access_token()?.expose().to_owned();
    let Some(Userinfo::JsonBody(path)) = w.dialect()?.userinfo else {
        return Err(Failure::new(format!(
            "{}'s userinfo takes no client credentials: fix the feature",
            target.provider.name()
        )));
    };
    let req = Request::new(reqwest::Method::POST, target.url(path))
        .body(Body::Json(json!({"token": token})));
    w.send(req).await?;
    Ok(())
}

#[when("the client requests the userinfo with a wrong client secret")]
async fn userinfo_wrong_secret(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let token = w.access_token()?.expose().to_owned();
    let wrong = Secret::new(opaque("wrong-secret-"));
    request_userinfo(w, &token, Some(wrong.expose())).await
}

#[then(regex = r#"^the provider refuses it with a client error and no "([^"]*)"$"#)]
async fn refused_with_client_error(w: &mut ConformanceWorld, field: String) -> Result<(), Failure> {
    let ex = w.last()?;
    let status = ex.response.status;
    if !(400..500).contains(&status) {
        return w.evidence(Err(Failure::new("the provider did not refuse the request")
            .expected("HTTP 4xx")
            .actual(format!("HTTP {status}"))
            .rule("a request without valid credentials gets no data")));
    }
    if let Ok(body) = ex.response.json()
        && body.get(&field).is_some()
    {
        return w.evidence(Err(Failure::new(format!(
            "the refusal still carries \"{field}\""
        ))
        .expected(format!("no {field}"))
        .actual(format!("{field} present"))
        .at(format!("/{field}"))));
    }
    Ok(())
}

#[then("the verification status is one of the documented statuses")]
async fn status_documented(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let body = w.last_json()?;
    let allowed = [json!(1), json!(2), json!(3), json!(4)];
    w.evidence(checks::ensure_pointer_one_of(
        &body,
        "/Verification/VerificationStatusId",
        &allowed,
        "losgehts: status IDs 1 Pending, 2 Full, 3 Passive, 4 Failed",
    ))
}

#[then(regex = r#"^the value at "([^"]*)" is the state of the authorization$"#)]
async fn value_is_state(w: &mut ConformanceWorld, pointer: String) -> Result<(), Failure> {
    let body = w.last_json()?;
    let state = json!(w.authorization()?.state);
    w.evidence(checks::ensure_pointer_equals(
        &body,
        &pointer,
        &state,
        "interpretation: OAuthState is the authorization's state",
    ))
}

#[then(
    regex = r#"^the space-separated list at "([^"]*)" includes the scope of the authorization$"#
)]
async fn includes_scope(w: &mut ConformanceWorld, pointer: String) -> Result<(), Failure> {
    let body = w.last_json()?;
    let scope = w.authorization()?.scope.clone();
    let actual = w.evidence(checks::lookup(&body, &pointer))?;
    let granted: Vec<&str> = actual.as_str().unwrap_or_default().split(' ').collect();
    if scope.split(' ').all(|s| granted.contains(&s)) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "the granted scopes do not include the requested scope",
    )
    .expected(format!("a list including \"{scope}\""))
    .actual(actual.to_string())
    .at(pointer)
    .rule(
        "interpretation: OAuthScope lists the scopes granted, requested ones included",
    )))
}

/// Every entry of the array at `pointer`, with its own pointer.
fn entries(body: &Value, pointer: &str) -> Result<Vec<(String, Value)>, Failure> {
    let list = checks::lookup(body, pointer)?;
    let items = list.as_array().ok_or_else(|| {
        Failure::new(format!("the value at {pointer} is not an array"))
            .actual(list.to_string())
            .at(pointer)
    })?;
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("{pointer}/{i}"), v.clone()))
        .collect())
}

#[then(regex = r#"^every "([^"]*)" entry whose "([^"]*)" looks like JSON parses as JSON$"#)]
async fn audit_data_json(
    w: &mut ConformanceWorld,
    list: String,
    field: String,
) -> Result<(), Failure> {
    let body = w.last_json()?;
    for (at, entry) in w.evidence(entries(&body, &format!("/{list}")))? {
        let Some(Value::String(text)) = entry.get(&field) else {
            continue;
        };
        let t = text.trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            let value = Value::String(text.clone());
            w.evidence(checks::parse_json_string(
                &value,
                &format!("{at}/{field}"),
                "losgehts: AuditData that contains JSON must be parsed as JSON",
            ))?;
        }
    }
    Ok(())
}

#[then(regex = r#"^every "([^"]*)" entry's "([^"]*)" is a UTC timestamp$"#)]
async fn utc_timestamps(
    w: &mut ConformanceWorld,
    list: String,
    field: String,
) -> Result<(), Failure> {
    let body = w.last_json()?;
    for (at, entry) in w.evidence(entries(&body, &format!("/{list}")))? {
        let pointer = format!("{at}/{field}");
        let value = entry.get(&field).cloned().unwrap_or(Value::Null);
        let ok = value.as_str().is_some_and(|s| {
            w.ctx
                .schemas
                .violations("common/utc_timestamp", &value)
                .is_ok_and(|v| v.is_empty())
                && !s.is_empty()
        });
        if !ok {
            return w.evidence(Err(Failure::new(format!(
                "{pointer} is not a UTC timestamp"
            ))
            .expected("ISO 8601 date-time in UTC, e.g. 2025-12-28T21:13:06.452Z")
            .actual(value.to_string())
            .at(pointer)
            .rule("losgehts: CreatedAt is the UTC timestamp of the event (ISO 8601)")));
        }
    }
    Ok(())
}
