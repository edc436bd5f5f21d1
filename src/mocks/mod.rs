//! Embedded mock providers: one axum router per provider, each with in-memory state, a clock the
//! harness can advance, and named defects. A mock with no defect is the reference reading of its
//! document; each defect breaks exactly one documented behaviour.

pub mod authenteq;
mod issued;
pub mod loginsign;
pub mod losgehts;
pub mod oauth2;
pub mod sso_v1;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt as _;
use axum::{Json, Router};
use rand::Rng as _;
use serde_json::json;
use tokio::task::JoinHandle;

pub use issued::Issued;

use crate::secret::Secret;

/// Declares a provider's defects: a name used on the command line and the behaviour it breaks.
macro_rules! defects {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $slug:literal : $doc:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name used by `--defect`.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $slug,)* }
            }

            /// The documented behaviour this defect violates.
            pub fn violates(self) -> &'static str {
                match self { $($name::$variant => $doc,)* }
            }

            pub fn parse(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|d| d.name() == name)
            }

            /// Every defect: its name and the behaviour it violates.
            pub fn list() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|d| (d.name(), d.violates())).collect()
            }

            /// The defects named (each checked against [`Self::ALL`]).
            pub fn parse_all(
                names: &[String],
            ) -> Result<std::collections::BTreeSet<Self>, String> {
                names
                    .iter()
                    .map(|n| {
                        Self::parse(n).ok_or_else(|| {
                            let known: Vec<_> = Self::ALL.iter().map(|d| d.name()).collect();
                            format!("unknown defect \"{n}\"; known: {}", known.join(", "))
                        })
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use defects;

/// What the provider table (`crate::providers`) knows of a provider's mock.
pub struct Mock {
    /// The defects it can be started with: each name and the behaviour it violates.
    pub defects: fn() -> Vec<(&'static str, &'static str)>,
    /// Its router serving `client`, broken by the named defects.
    pub router: fn(&MockClient, &[String]) -> Result<Router, String>,
    /// The app id it serves an app API and developer portal under, if it has any (LoginSign).
    pub app_id: Option<&'static str>,
    /// The test user it knows, if any: a telephone and the SMS code it "sends" (SSO v1).
    pub test_user: Option<(&'static str, &'static str)>,
    /// The test identities it accepts and hands out (client, redirect URI, test users, codes),
    /// which the standalone mock prints at start. The client's secrets are not among them.
    pub identities: fn(&MockClient) -> Vec<Identity>,
}

/// A test identity a mock accepts or hands out: what it is, and its value.
pub type Identity = (&'static str, String);

/// The registered client a mock serves.
#[derive(Clone, Debug)]
pub struct MockClient {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    /// The developer portal's session cookie (`name=value`) the mock accepts (LoginSign).
    pub developer_session: Secret,
    /// Where the mock delivers its webhooks (LoginSign), if anywhere.
    pub webhook_url: Option<String>,
    /// The `expires_in` of the access tokens it issues, in seconds (losgehts, LoginSign).
    pub token_lifetime: i64,
}

/// The access tokens' lifetime by default: the documents' example answers say `"expires_in": 3600`.
pub const TOKEN_LIFETIME: i64 = 3600;

/// The mock's notion of now: real time plus an offset the harness can advance.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

/// How far the clock may be moved in all: a century either way keeps every sum of times and
/// lifetimes far from overflowing.
const MAX_OFFSET_SECS: i64 = 100 * 366 * 24 * 3600;

impl Clock {
    pub fn now_secs(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        (real as i64).saturating_add(self.offset_secs.load(Ordering::SeqCst))
    }

    /// Moves the clock by `secs`, unless that would take it more than a century from real time.
    pub fn advance(&self, secs: i64) -> Result<(), String> {
        self.offset_secs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                offset
                    .checked_add(secs)
                    .filter(|o| (-MAX_OFFSET_SECS..=MAX_OFFSET_SECS).contains(o))
            })
            .map(|_| ())
            .map_err(|offset| {
                format!(
                    "moving the clock by {secs} s from its offset of {offset} s would take it more \
                     than {MAX_OFFSET_SECS} s from real time"
                )
            })
    }
}

#[derive(serde::Deserialize)]
struct Advance {
    secs: i64,
}

/// The control route every mock with a clock serves: `POST /__mock/clock/advance?secs=N` moves
/// the mock's clock forward, so a lifetime is checked in milliseconds.
pub fn clock_routes(clock: Arc<Clock>) -> Router {
    async fn advance(State(clock): State<Arc<Clock>>, Query(a): Query<Advance>) -> Response {
        match clock.advance(a.secs) {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(why) => (StatusCode::BAD_REQUEST, why).into_response(),
        }
    }
    Router::new()
        .route("/__mock/clock/advance", post(advance))
        .with_state(clock)
}

/// The client a mock calls its client's server with (a callback notification, a webhook): no
/// redirects followed, 5 s to answer. For a plain-HTTP `url` (or none) it loads none of the
/// system's root certificates, which take milliseconds per client.
pub fn client_for(url: Option<&str>) -> reqwest::Client {
    crate::targets::http::install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(5));
    if url.is_none_or(|u| u.starts_with("http://")) {
        builder = builder.tls_certs_only([]);
    }
    builder.build().expect("a plain HTTP client builds")
}

/// A random opaque value with a recognisable prefix (tests search reports for the prefixes).
pub fn opaque(prefix: &str) -> String {
    let mut rng = rand::rng();
    let tail: String = (0..24)
        .map(|_| {
            let i = rng.random_range(0..36u8);
            (if i < 10 { b'0' + i } else { b'a' + i - 10 }) as char
        })
        .collect();
    format!("{prefix}{tail}")
}

/// An OAuth 2.0 error answer (RFC 6749 §5.2): `{"error", "error_description"}` as JSON.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// A successful token answer (RFC 6749 §5.1), with `Cache-Control: no-store` and
/// `Pragma: no-cache` unless `no_store` is false (a mock's defect).
pub fn token_answer(answer: serde_json::Value, no_store: bool) -> Response {
    let mut headers = axum::http::HeaderMap::new();
    if no_store {
        let value = axum::http::HeaderValue::from_static;
        headers.insert(header::CACHE_CONTROL, value("no-store"));
        headers.insert(header::PRAGMA, value("no-cache"));
    }
    (StatusCode::OK, headers, Json(answer)).into_response()
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), if there is one.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// A protected resource's refusal (RFC 6750 §3): 401 with a Bearer challenge; a request without
/// credentials gets no error code, a bad token `invalid_token`.
pub fn bearer_refusal(code: Option<&str>, description: &str) -> Response {
    let challenge = match code {
        Some(c) => format!("Bearer error=\"{c}\""),
        None => "Bearer".to_owned(),
    };
    let body = match code {
        Some(c) => json!({"error": c, "error_description": description}),
        None => json!({"error_description": description}),
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        Json(body),
    )
        .into_response()
}

/// `base` with `pairs` added to its query, or `None` when `base` is not a URL.
pub fn url_with(base: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(base).ok()?;
    url.query_pairs_mut().extend_pairs(pairs);
    Some(url.into())
}

/// A 302 redirect to `base` with `pairs` added to its query (a 400 OAuth error if `base` is not
/// a URL).
pub fn redirect_with(base: &str, pairs: &[(&str, &str)]) -> Response {
    match url_with(base, pairs) {
        Some(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not a URL",
        ),
    }
}

/// A mock provider serving on loopback.
#[derive(Debug)]
pub struct RunningMock {
    pub addr: SocketAddr,
    /// Connections accepted and requests served (`run --stats`).
    pub stats: Arc<ServerStats>,
    task: JoinHandle<()>,
}

impl RunningMock {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `router` logging each request it answers at info level (`tower_http::trace`): the method, the
/// route it matched (its template, `/users/{global_id}/status`, so no value of the path is shown;
/// an unrouted path decoded, with every secret the process knows masked and control characters
/// escaped), the status and the time taken.
/// No query, header or body is logged: codes, tokens and credentials travel there.
pub fn logged(router: Router) -> Router {
    use tower_http::trace::{DefaultOnResponse, TraceLayer};
    let span = |request: &axum::extract::Request| {
        let path = match request.extensions().get::<axum::extract::MatchedPath>() {
            Some(route) => route.as_str().to_owned(),
            None => {
                let path = percent_encoding::percent_decode_str(request.uri().path());
                crate::secret::redact(&path.decode_utf8_lossy())
                    .escape_debug()
                    .to_string()
            }
        };
        tracing::info_span!("request", method = %request.method(), path = %path)
    };
    router.layer(
        TraceLayer::new_for_http()
            .make_span_with(span)
            .on_request(())
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
            .on_failure(()),
    )
}

/// Serves `router` on `127.0.0.1:port` (0 picks a free port).
pub async fn serve(router: Router, port: u16) -> std::io::Result<RunningMock> {
    serve_on(router, SocketAddr::from(([127, 0, 0, 1], port))).await
}

pub async fn serve_on(router: Router, addr: SocketAddr) -> std::io::Result<RunningMock> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(ServerStats::default());
    let router = router.layer(axum::middleware::from_fn_with_state(stats.clone(), count));
    let listener = {
        let stats = stats.clone();
        listener.tap_io(move |_| stats.connection())
    };
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!("mock server stopped: {e}");
        }
    });
    Ok(RunningMock { addr, stats, task })
}

/// Counts each request (`run --stats`).
async fn count(
    State(stats): State<Arc<ServerStats>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    stats.request();
    next.run(request).await
}

/// What one loopback server (a mock) served.
#[derive(Debug, Default)]
pub struct ServerStats {
    connections: AtomicUsize,
    requests: AtomicUsize,
}

impl ServerStats {
    /// A TCP connection was accepted.
    pub fn connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// A request arrived.
    pub fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_refuses_to_move_past_a_century() {
        let clock = Clock::default();
        let before = clock.now_secs();
        assert!(clock.advance(3600).is_ok());
        assert!(clock.now_secs() >= before + 3600);
        assert!(clock.advance(i64::MAX).is_err());
        assert!(clock.advance(i64::MIN).is_err());
        assert!(clock.advance(i64::MIN + 1).is_err());
        assert!(clock.advance(MAX_OFFSET_SECS).is_err());
        assert!(clock.advance(-MAX_OFFSET_SECS).is_ok());
        assert!(clock.now_secs() < before);
    }
}
