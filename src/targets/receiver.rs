//! The callback and webhook receiver: a loopback HTTP server standing in for the client's
//! callback URL and webhook endpoint, so a scenario can see what the provider sent it
//! server-to-server. It answers 200 to everything.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};

use crate::mocks::{RunningMock, serve_on};

/// Bodies larger than this are cut off (a webhook payload is a few hundred bytes).
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Deliveries kept, the latest: a provider flooding the receiver cannot grow it past
/// `KEPT * MAX_BODY_BYTES` (32 MiB); a run's scenarios wait for a handful.
const KEPT: usize = 512;

type Log = Arc<Mutex<std::collections::VecDeque<Received>>>;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: Option<String>,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

#[derive(Debug)]
pub struct Receiver {
    server: RunningMock,
    received: Log,
}

impl Receiver {
    /// A receiver on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// A receiver on `addr` (a target file's `webhook_listen`).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let received = Log::default();
        let router = Router::new().fallback(record).with_state(received.clone());
        Ok(Self {
            server: serve_on(router, addr).await?,
            received,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// The callback URL providers are registered with.
    pub fn callback_url(&self) -> String {
        format!("{}/callback", self.server.base_url())
    }

    /// The URL the embedded mocks deliver their webhooks to.
    pub fn webhook_url(&self) -> String {
        format!("{}/webhooks", self.server.base_url())
    }

    /// The latest deliveries (at most [`KEPT`]), oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().iter().cloned().collect()
    }
}

async fn record(State(log): State<Log>, req: Request) -> StatusCode {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    let mut log = log.lock().unwrap();
    if log.len() == KEPT {
        log.pop_front();
    }
    log.push_back(Received {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    StatusCode::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_flood_of_deliveries_keeps_only_the_latest() {
        let receiver = Receiver::start().await.unwrap();
        let client = crate::mocks::client_for(None);
        let url = receiver.webhook_url();
        for i in 0..KEPT + 100 {
            client
                .post(&url)
                .body(format!("delivery {i}"))
                .send()
                .await
                .unwrap();
        }
        let kept = receiver.received();
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept[0].body, "delivery 100");
        assert_eq!(kept[KEPT - 1].body, format!("delivery {}", KEPT + 99));
    }
}
