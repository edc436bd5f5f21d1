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
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// A receiver on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// A receiver on `addr` (a target file's `webhook_listen`).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let received = Arc::new(Mutex::new(Vec::new()));
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

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn record(State(log): State<Arc<Mutex<Vec<Received>>>>, req: Request) -> StatusCode {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    log.lock().unwrap().push(Received {
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
