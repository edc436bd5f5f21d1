//! The callback receiver: a loopback HTTP server standing in for the client's callback URL, so a
//! scenario can see what the provider sent it server-to-server. It answers 200 to everything.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;

use crate::mocks::{RunningMock, serve};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
}

#[derive(Debug)]
pub struct Receiver {
    server: RunningMock,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> std::io::Result<Self> {
        let received = Arc::new(Mutex::new(Vec::new()));
        let router = Router::new().fallback(record).with_state(received.clone());
        Ok(Self {
            server: serve(router, 0).await?,
            received,
        })
    }

    /// The callback URL providers are registered with.
    pub fn callback_url(&self) -> String {
        format!("{}/callback", self.server.base_url())
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn record(State(log): State<Arc<Mutex<Vec<Received>>>>, req: Request) -> StatusCode {
    log.lock().unwrap().push(Received {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().unwrap_or_default().to_owned(),
    });
    StatusCode::OK
}
