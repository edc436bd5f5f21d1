//! Steps that need the embedded mock's control routes (LoginSign's user session; the clock is
//! moved by the lifetime steps).
//! Scenarios using them are tagged `@mock-only` and are skipped, with the reason, against real
//! targets. The losgehts callback notification steps tell the mock to notify, and against a
//! real deployment wait for it at the target file's listener (`webhook_listen`).

use cucumber::{given, then, when};

use crate::contract::checks::Failure;
use crate::contract::world::ConformanceWorld;
use crate::targets::http::{Exchange, Request};
use crate::targets::receiver::Received;

/// Posts to the mock's control route `path`; returns its answer (the scenario's last provider
/// exchange stays the last one).
pub(super) async fn control(w: &mut ConformanceWorld, path: &str) -> Result<Exchange, Failure> {
    let target = w.target()?.clone();
    if !target.mock_control {
        return Err(Failure::new(
            "this step needs the embedded mock; tag the scenario @mock-only",
        ));
    }
    // The control exchange is not the provider's answer: keep the last provider exchange.
    let keep = w.last.take();
    let ex = w
        .send(Request::new(reqwest::Method::POST, target.url(path)))
        .await?
        .clone();
    w.last = keep;
    if ex.response.status >= 300 {
        return Err(
            Failure::new(format!("the mock's control route {path} failed"))
                .with_exchange(ex.excerpt()),
        );
    }
    Ok(ex)
}

/// The embedded mock is told to notify; a real deployment notifies when it sees fit, and
/// the Then-step waits for it.
#[when("the provider notifies the client's callback server-to-server")]
async fn notifies(w: &mut ConformanceWorld) -> Result<(), Failure> {
    if !w.target()?.mock_control {
        return Ok(());
    }
    let state = w.authorization()?.state.clone();
    control(w, &format!("/__mock/notify-callback?state={state}")).await?;
    Ok(())
}

/// LoginSign's end-user license routes take the user's own session cookie, which no documented
/// route hands to a client: the target file's `user_session_cookie_env` holds it, or the embedded
/// mock signs its sandbox user in and answers the cookie.
#[given("the user has a LoginSign session")]
async fn user_session(w: &mut ConformanceWorld) -> Result<(), Failure> {
    if let Some(cookie) = w.target()?.app.user_session.clone() {
        w.loginsign.user_session = Some(cookie);
        return Ok(());
    }
    let ex = control(w, "/__mock/user-session").await?;
    let cookie = ex
        .response
        .json()
        .ok()
        .and_then(|b| b.get("cookie").and_then(|c| c.as_str()).map(str::to_owned))
        .ok_or_else(|| {
            Failure::new("the mock's user session answer has no cookie").with_exchange(ex.excerpt())
        })?;
    w.loginsign.user_session = Some(crate::secret::cookie(&cookie));
    Ok(())
}

/// How long a real deployment is given to notify the callback after an authorization.
const NOTIFICATION_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The server-to-server calls the receiver got for this scenario's authorization (its state in
/// the query: a call without it cannot be told apart from another scenario's).
fn notifications_for(w: &ConformanceWorld) -> Result<Vec<Received>, Failure> {
    let receiver = w.ctx.receiver.as_ref().ok_or_else(|| {
        Failure::new("no callback receiver runs: set webhook_listen in the target file")
    })?;
    let state = &w.authorization()?.state;
    Ok(receiver
        .received()
        .into_iter()
        .filter(|r| {
            url::form_urlencoded::parse(r.query.as_bytes())
                .any(|(k, v)| k == "state" && v == *state)
        })
        .collect())
}

#[then("any server-to-server call for this authorization is an HTTP GET to the callback URL")]
async fn callback_got_get(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let rule = "losgehts Ident OAuth 2.0 guide, Callback: \"our system may also invoke this \
                callback endpoint server-to-server ... This request will be sent as an HTTP GET \
                request\"";
    let target = w.target()?.clone();
    let callback_path = url::Url::parse(&target.redirect_uri)
        .map(|u| u.path().to_owned())
        .map_err(|e| Failure::new(format!("the redirect URI is not a URL: {e}")))?;
    // The mock was told to notify and has done so before its control route answered; a real
    // deployment is given a bounded wait.
    let deadline = tokio::time::Instant::now() + NOTIFICATION_WAIT;
    let mut ours = notifications_for(w)?;
    while ours.is_empty() && !target.mock_control && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        ours = notifications_for(w)?;
    }
    if ours.is_empty() {
        if target.mock_control {
            return Err(Failure::new(
                "the callback received no notification for this authorization",
            )
            .expected(format!("GET {callback_path}?state=..."))
            .actual("nothing")
            .rule(rule));
        }
        // "may": a deployment that does not notify breaks nothing.
        tracing::info!(
            "losgehts sent no server-to-server notification within {} s; the document says it may",
            NOTIFICATION_WAIT.as_secs()
        );
        return Ok(());
    }
    for r in &ours {
        if r.method != "GET" || r.path != callback_path {
            return Err(Failure::new(
                "the server-to-server notification is not an HTTP GET to the callback URL",
            )
            .expected(format!("GET {callback_path}"))
            .actual(format!("{} {}", r.method, r.path))
            .rule(rule));
        }
    }
    Ok(())
}
