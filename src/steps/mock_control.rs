//! Steps that need the embedded mock's control routes (its clock, its notifications). Scenarios
//! using them are tagged `@mock-only` and are skipped, with the reason, against real targets.

use cucumber::{given, then, when};

use crate::checks::Failure;
use crate::http::Request;
use crate::world::ConformanceWorld;

async fn control(w: &mut ConformanceWorld, path: &str) -> Result<(), Failure> {
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
    Ok(())
}

#[given(expr = "{int} seconds pass on the provider's clock")]
async fn clock_advances(w: &mut ConformanceWorld, secs: i64) -> Result<(), Failure> {
    control(w, &format!("/__mock/clock/advance?secs={secs}")).await
}

#[when("the provider notifies the client's callback server-to-server")]
async fn notifies(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let state = w.authorization()?.state.clone();
    control(w, &format!("/__mock/notify-callback?state={state}")).await
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
