//! The callback-listener strategy: the harness prints the authorize URL, a person completes the
//! provider's sign-in in a browser, and a loopback listener on the redirect URI's address
//! captures where the browser was sent. One authorization at a time: one person, one prompt.

use std::net::{SocketAddr, ToSocketAddrs as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Html;
use tokio::sync::oneshot;

use super::{Context, redirect_from_url};
use crate::contract::checks::Redirect;
use crate::mocks::{RunningMock, serve_on};
use crate::secret;

/// The one authorization waiting for the browser, if any: where its redirect is delivered.
type Waiting = Arc<Mutex<Option<oneshot::Sender<String>>>>;

#[derive(Debug)]
pub struct Listener {
    addr: SocketAddr,
    /// The redirect URI's path: other paths (a browser's favicon request) are not the redirect.
    path: String,
    /// `scheme://host[:port]` of the redirect URI, so a captured URL reads as the redirect the
    /// provider sent (also behind a tunnel that forwards to `addr`).
    origin: String,
    redirect_uri: String,
    timeout: Duration,
    waiting: Waiting,
    /// Held while a person works on one authorization.
    turn: tokio::sync::Mutex<()>,
    server: tokio::sync::OnceCell<RunningMock>,
}

impl Listener {
    pub fn new(cx: &Context<'_>, listen: Option<&str>, timeout: Duration) -> Result<Self, String> {
        let uri = url::Url::parse(cx.redirect_uri)
            .map_err(|e| format!("{}: redirect_uri is not a URL: {e}", cx.at))?;
        let addr = match listen {
            Some(l) => l.parse::<SocketAddr>().map_err(|e| {
                format!(
                    "{}: listen = \"{l}\" is not an address with a port, e.g. \
                     \"127.0.0.1:8765\" ({e})",
                    cx.at
                )
            })?,
            None => loopback_of(&uri).ok_or_else(|| {
                format!(
                    "{}: the redirect URI {} is not an http:// URL on this machine, so the \
                     listener cannot tell where to listen; add listen = \"127.0.0.1:PORT\" (and \
                     forward the redirect URI there, e.g. with a tunnel)",
                    cx.at, cx.redirect_uri
                )
            })?,
        };
        let origin = match uri.port() {
            Some(p) => format!(
                "{}://{}:{p}",
                uri.scheme(),
                uri.host_str().unwrap_or_default()
            ),
            None => format!("{}://{}", uri.scheme(), uri.host_str().unwrap_or_default()),
        };
        Ok(Self {
            addr,
            path: uri.path().to_owned(),
            origin,
            redirect_uri: cx.redirect_uri.to_owned(),
            timeout,
            waiting: Waiting::default(),
            turn: tokio::sync::Mutex::new(()),
            server: tokio::sync::OnceCell::new(),
        })
    }

    /// Starts listening (before the first scenario).
    pub async fn start(&self) -> Result<(), String> {
        let router = Router::new()
            .fallback(receive)
            .with_state((self.waiting.clone(), self.path.clone()));
        self.server
            .get_or_try_init(|| serve_on(router, self.addr))
            .await
            .map(|_| ())
            .map_err(|e| {
                format!(
                    "cannot listen on {} for the callback-listener strategy: {e}",
                    self.addr
                )
            })
    }

    /// Prints the authorize URL for the person and waits for the browser's redirect.
    pub async fn complete(&self, provider: &str, authorize_url: &str) -> Result<Redirect, String> {
        self.start().await?;
        let _turn = self.turn.lock().await;
        let (tx, rx) = oneshot::channel();
        *self.waiting.lock().unwrap() = Some(tx);
        eprintln!(
            "{}",
            secret::redact(&format!(
                "\n[idp-conformance] {provider}: an authorization needs a person.\n  \
                 Open in a browser: {authorize_url}\n  \
                 Complete the provider's sign-in; waiting up to {} s for the redirect to {} \
                 (listening on {}).",
                self.timeout.as_secs(),
                self.redirect_uri,
                self.addr
            ))
        );
        let received = tokio::time::timeout(self.timeout, rx).await;
        self.waiting.lock().unwrap().take();
        let path_and_query = match received {
            Ok(Ok(p)) => p,
            Ok(Err(_)) => return Err("the callback listener stopped".to_owned()),
            Err(_) => {
                return Err(format!(
                    "no redirect reached the callback listener on {} within {} s: complete the \
                     authorization in the browser sooner, or raise timeout_secs",
                    self.addr,
                    self.timeout.as_secs()
                ));
            }
        };
        let location = format!("{}{path_and_query}", self.origin);
        eprintln!("[idp-conformance] {provider}: redirect received.");
        redirect_from_url(&location).ok_or_else(|| {
            format!("the callback listener received no URL it could read: {location}")
        })
    }
}

/// `http://127.0.0.1:PORT/...` or `http://localhost:PORT/...`: where to listen.
fn loopback_of(uri: &url::Url) -> Option<SocketAddr> {
    if uri.scheme() != "http" {
        return None;
    }
    let host = uri.host_str()?;
    let port = uri.port_or_known_default()?;
    (host, port)
        .to_socket_addrs()
        .ok()?
        .find(|a| a.ip().is_loopback())
}

const RECEIVED: &str = "<!doctype html><title>idp-conformance</title>\
    <p>The authorization reached idp-conformance. You can close this tab.</p>";
const NOT_WAITING: &str = "<!doctype html><title>idp-conformance</title>\
    <p>idp-conformance is not waiting for an authorization right now.</p>";

async fn receive(
    State((waiting, path)): State<(Waiting, String)>,
    req: Request,
) -> (StatusCode, Html<&'static str>) {
    if req.uri().path() != path {
        return (StatusCode::NOT_FOUND, Html(NOT_WAITING));
    }
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    match waiting.lock().unwrap().take() {
        Some(tx) => {
            let _ = tx.send(path_and_query);
            (StatusCode::OK, Html(RECEIVED))
        }
        None => (StatusCode::CONFLICT, Html(NOT_WAITING)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx<'a>(redirect_uri: &'a str, env: &'a dyn Fn(&str) -> Option<String>) -> Context<'a> {
        Context {
            at: "t.toml: [providers.x] authorization",
            dir: std::path::Path::new("."),
            provider: "x",
            redirect_uri,
            env,
        }
    }

    #[test]
    fn the_listen_address_comes_from_a_loopback_redirect_uri_or_the_file() {
        let env = |_: &str| None;
        let l = Listener::new(
            &cx("http://127.0.0.1:8765/cb", &env),
            None,
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(l.addr, "127.0.0.1:8765".parse().unwrap());
        assert_eq!(
            (l.path.as_str(), l.origin.as_str()),
            ("/cb", "http://127.0.0.1:8765")
        );

        let e = Listener::new(
            &cx("https://app.example/cb", &env),
            None,
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(e.contains("listen ="), "{e}");
        let l = Listener::new(
            &cx("https://app.example/cb", &env),
            Some("127.0.0.1:9000"),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(l.origin, "https://app.example");
    }
}
