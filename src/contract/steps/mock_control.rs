//! Steps that need the embedded mock's control routes (its clock, its notifications). Scenarios
//! using them are tagged `@mock-only` and are skipped, with the reason, against real targets.

use cucumber::{given, then, when};

use crate::contract::checks::Failure;
use crate::contract::world::ConformanceWorld;
use crate::targets::http::{Exchange, Request};

/// Posts to the mock's control route `path`; returns its answer (the scenario's last provider
/// exchange stays the last one).
async fn control(w: &mut ConformanceWorld, path: &str) -> Result<Exchange, Failure> {
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

#[given(regex = r#"^(-?[0-9]+) seconds pass on the provider's clock$"#)]
async fn clock_advances(w: &mut ConformanceWorld, secs: i64) -> Result<(), Failure> {
    control(w, &format!("/__mock/clock/advance?secs={secs}")).await?;
    Ok(())
}

#[when("the provider notifies the client's callback server-to-server")]
async fn notifies(w: &mut ConformanceWorld) -> Result<(), Failure> {
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

#[then("the callback received an HTTP GET")]
async fn callback_got_get(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let receiver = w
        .ctx
        .receiver
        .as_ref()
        .ok_or_else(|| Failure::new("no callback receiver runs"))?;
    let received = receiver.received();
    let state = &w.authorization()?.state;
    let ours: Vec<_> = received
        .iter()
        .filter(|r| r.query.contains(state.as_str()))
        .collect();
    match ours.last() {
        Some(r) if r.method == "GET" => Ok(()),
        Some(r) => Err(
            Failure::new("the server-to-server notification is not an HTTP GET")
                .expected("GET /callback")
                .actual(format!("{} {}", r.method, r.path))
                .rule(
                    "losgehts: the callback may be invoked server-to-server as an HTTP GET request",
                ),
        ),
        None => Err(
            Failure::new("the callback received no notification for this authorization")
                .expected("GET /callback")
                .actual(format!("{} other requests", received.len())),
        ),
    }
}
