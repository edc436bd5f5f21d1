//! Webhooks a provider delivers to the harness's receiver (LoginSign's `user_account_deleted`).
//! The receiver runs for the embedded mocks and, against a real deployment, on the target file's
//! `webhook_listen`; a step waits a bounded time for the delivery.

use std::time::{Duration, Instant};

use cucumber::then;
use serde_json::Value;

use super::developer_portal::connection_id;
use crate::contract::checks::{self, Failure};
use crate::contract::world::ConformanceWorld;
use crate::secret;
use crate::targets::receiver::Received;

/// How long a real deployment may take to deliver (the embedded mocks deliver before answering).
const REAL_WAIT: Duration = Duration::from_secs(30);
const MOCK_WAIT: Duration = Duration::from_secs(2);

/// The delivery naming `event` and one of `ids`, with its payload.
fn find(received: &[Received], event: &str, ids: &[&str]) -> Option<(Received, Value)> {
    received.iter().rev().find_map(|r| {
        let payload: Value = serde_json::from_str(&r.body).ok()?;
        let ours = checks::contains_string(&payload, event)
            && ids.iter().any(|id| checks::contains_string(&payload, id));
        ours.then(|| (r.clone(), payload))
    })
}

/// What the receiver got, for a failure: one redacted line per delivery.
fn shown(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .filter(|r| r.path != "/callback")
        .map(|r| {
            let body = match serde_json::from_str::<Value>(&r.body) {
                Ok(v) => secret::redact_json(&v).to_string(),
                Err(_) => r.body.chars().take(200).collect(),
            };
            secret::redact(&format!("{} {} {body}", r.method, r.path))
        })
        .collect()
}

#[then(regex = r#"^the webhook receiver gets "([^"]*)" for the user's connection$"#)]
async fn receives_event(w: &mut ConformanceWorld, event: String) -> Result<(), Failure> {
    let connection = connection_id(w)?;
    let global_id = w.loginsign.global_id.clone().unwrap_or_default();
    let receiver = w.ctx.receiver.as_ref().ok_or_else(|| {
        Failure::new("no webhook receiver runs: set webhook_listen in the target file")
    })?;
    let wait = if w.target()?.mock_control {
        MOCK_WAIT
    } else {
        REAL_WAIT
    };
    let started = Instant::now();
    let rule = "LoginSign, Delete user connection: \"Webhook user_account_deleted is sent\"";
    loop {
        let received = receiver.received();
        if let Some((delivery, payload)) = find(&received, &event, &[&connection, &global_id]) {
            w.loginsign.webhook = Some(payload);
            let json = delivery
                .content_type
                .as_deref()
                .is_some_and(|c| checks::media_type_matches(c, "application/json"));
            if delivery.method == "POST" && json {
                return Ok(());
            }
            return Err(Failure::new("the webhook is not a JSON POST")
                .expected("POST with Content-Type: application/json")
                .actual(format!(
                    "{} with Content-Type: {}",
                    delivery.method,
                    delivery.content_type.as_deref().unwrap_or("(none)")
                ))
                .rule("assumption: webhooks are delivered as JSON POST requests"));
        }
        if started.elapsed() >= wait {
            let mut failure = Failure::new(format!(
                "no {event} webhook for the deleted connection arrived within {} s",
                wait.as_secs()
            ))
            .expected(format!(
                "a JSON delivery naming \"{event}\" and the connection (or its Global User ID)"
            ))
            .actual(format!("{} other deliveries", shown(&received).len()))
            .rule(rule);
            for line in shown(&received) {
                failure = failure.detail(line);
            }
            return Err(failure);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[then(regex = r#"^the webhook payload matches the schema "([^"]*)"$"#)]
async fn payload_matches(w: &mut ConformanceWorld, schema: String) -> Result<(), Failure> {
    let payload = w
        .loginsign
        .webhook
        .clone()
        .ok_or_else(|| Failure::new("no webhook was received before this check"))?;
    w.ctx
        .schemas
        .ensure_conforms(&schema, &payload)
        .map_err(|f| {
            let title = f.title.replacen("the body", "the webhook payload", 1);
            Failure { title, ..f }
        })
}
