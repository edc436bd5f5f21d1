//! The only place the harness talks to a provider: one reusable client per run, bounded reads,
//! transport errors kept apart from conformance failures, one redacted tracing line per exchange.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::secret::{self, MASK};

/// Limits applied to every exchange.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Whole exchange, from connecting until the last body byte.
    pub timeout: Duration,
    /// Connecting (TCP and TLS handshake); never longer than `timeout`.
    pub connect_timeout: Duration,
    /// Larger bodies are cut off and reported as a failed check.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Whom the client trusts: the system's root certificates, plus the CA certificates of an extra
/// file, or (an explicit, loudly logged opt-out) nobody checked at all.
#[derive(Clone, Debug, Default)]
pub struct Tls {
    /// Extra trusted roots, in addition to the system's.
    pub extra_roots: Vec<reqwest::Certificate>,
    /// The file they came from, for messages.
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate for any host. Only ever set by an explicit key in a target file.
    pub insecure_skip_verify: bool,
}

impl Tls {
    /// Reads a PEM file of one or more CA certificates.
    pub fn load_ca_file(path: PathBuf) -> Result<Vec<reqwest::Certificate>, String> {
        let shown = path.display();
        let pem =
            std::fs::read(&path).map_err(|e| format!("cannot read the CA file {shown}: {e}"))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("the CA file {shown} is not PEM: {e}"))?;
        if certs.is_empty() {
            return Err(format!(
                "the CA file {shown} holds no certificate (expected PEM blocks \
                 -----BEGIN CERTIFICATE-----)"
            ));
        }
        Ok(certs)
    }
}

/// The proxy the client uses, from the standard environment variables (`HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, either case), with any credentials masked; `None`
/// when none is set.
pub fn proxy_from_env() -> Option<String> {
    let mut seen = Vec::new();
    for name in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"] {
        let value = std::env::var(name)
            .or_else(|_| std::env::var(name.to_ascii_lowercase()))
            .ok()
            .filter(|v| !v.is_empty());
        if let Some(v) = value {
            seen.push(format!("{name}={}", secret::redact_url(&mask_userinfo(&v))));
        }
    }
    (!seen.is_empty()).then(|| seen.join(" "))
}

/// `http://user:pass@proxy:3128` as `http://[REDACTED]@proxy:3128`; anything that is not a
/// URL with credentials (a `NO_PROXY` list) unchanged.
fn mask_userinfo(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{}://{MASK}@{host}:{port}", url.scheme()),
                None => format!("{}://{MASK}@{host}", url.scheme()),
            }
        }
        _ => value.to_owned(),
    }
}

/// A request body, kept structured so that excerpts can be redacted by field name.
#[derive(Clone, Debug)]
pub enum Body {
    Empty,
    Json(Value),
    Form(Vec<(String, String)>),
    Multipart(Vec<(String, String)>),
    /// Raw bytes with the content type to send them under (media-type negotiation checks).
    #[allow(
        dead_code,
        reason = "constructed by the media-type steps of providers to come"
    )]
    Raw(String, Vec<u8>),
}

/// The `Authorization` value of HTTP Basic credentials (RFC 7617): `Basic base64(id:secret)`.
/// The pair is registered as a secret, so neither it nor its base64 form reaches any output.
pub fn basic_auth(id: &str, secret: &str) -> String {
    secret::register_basic(id, secret);
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    format!("Basic {encoded}")
}

/// What the harness sent.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Request {
    pub fn new(method: reqwest::Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

/// What the provider answered.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The body was longer than the limit and was cut off.
    pub truncated: bool,
    pub elapsed: Duration,
    /// The body parsed as JSON, on first use: the secrets it hands out, the shape recorder and
    /// the steps' checks all read the same parse.
    pub parsed: OnceLock<Result<Value, String>>,
    /// A large body's share of the run's [`LARGE_BODIES_HELD`], given back when the body and its
    /// parse are dropped.
    pub held: Option<Arc<OwnedSemaphorePermit>>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// Drops the body and its parse (a finished scenario's last answer): nothing reads them
    /// again, and a run keeps no whole body longer than its checks need.
    pub fn release_body(&mut self) {
        self.body = Vec::new();
        self.parsed = OnceLock::new();
        self.held = None;
    }

    /// The body parsed as JSON, or why it is not JSON.
    pub fn json(&self) -> Result<Value, String> {
        self.json_ref().cloned().map_err(str::to_owned)
    }

    /// The body as JSON, parsed once.
    /// The body, when it is declared form-encoded (`application/x-www-form-urlencoded`).
    pub fn form(&self) -> Option<&[u8]> {
        let ct = self.header("content-type")?;
        let essence = ct.split(';').next().unwrap_or_default().trim();
        essence
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            .then_some(self.body.as_slice())
    }

    pub fn json_ref(&self) -> Result<&Value, &str> {
        self.parsed
            .get_or_init(|| {
                if self.truncated {
                    return Err("the body exceeded the size limit and was cut off".to_owned());
                }
                serde_json::from_slice(&self.body).map_err(|e| format!("the body is not JSON: {e}"))
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

/// One request and its answer.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub request: Request,
    pub response: Response,
}

/// Why no answer arrived. These are environment errors, never conformance verdicts.
#[derive(Clone, Debug)]
pub struct TransportError {
    pub url: String,
    pub kind: &'static str,
    pub detail: String,
    /// The request never reached the provider (connecting, DNS or the TLS handshake failed), so
    /// sending it again cannot repeat its effect.
    pub not_delivered: bool,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "environment error: {} for {}: {}",
            self.kind,
            secret::redact_url(&self.url),
            secret::redact(&self.detail)
        )
    }
}

impl std::error::Error for TransportError {}

/// The one HTTP client of a run: connection pools are reused by every scenario.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    limits: Limits,
    /// Permits of a KiB each, for the bodies larger than [`SMALL_BODY_BYTES`] held at once.
    large_bodies: Arc<Semaphore>,
}

/// A body up to this size is read without waiting (every answer an identity provider documents
/// is far smaller).
const SMALL_BODY_BYTES: usize = 64 * 1024;

/// How many bytes of larger bodies the run holds at once (or one body at the limit, if the
/// limit is larger): with 32 scenarios at once against a server answering 4 MB bodies, the
/// bodies and their parses would otherwise need a gigabyte. A parse can take ten times its
/// body (a 4 MB answer of 250,000 fields), so two such bodies at once is the bound. A reader waits for room; a holder
/// gives it back when its scenario sends its next request or finishes (`World::send`,
/// `release_bodies`), so no holder ever waits for another.
const LARGE_BODIES_HELD: usize = 8 * 1024 * 1024;

impl HttpClient {
    /// The client: no redirects followed, the limits' timeouts, the system's roots plus
    /// `tls.extra_roots`, and the proxy of the standard environment variables (reqwest reads
    /// them; see [`proxy_from_env`]).
    pub fn new(limits: Limits, tls: &Tls) -> Result<Self, String> {
        Self::build(limits, tls, true)
    }

    /// A client for targets that all speak plain HTTP (the embedded mocks, a staging server
    /// without TLS): it loads none of the system's root certificates (milliseconds per run).
    pub fn plain(limits: Limits) -> Result<Self, String> {
        Self::build(limits, &Tls::default(), false)
    }

    fn build(limits: Limits, tls: &Tls, system_roots: bool) -> Result<Self, String> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout.min(limits.timeout))
            .pool_max_idle_per_host(64)
            .user_agent(concat!("idp-conformance/", env!("CARGO_PKG_VERSION")));
        for cert in &tls.extra_roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        if tls.insecure_skip_verify {
            tracing::warn!(
                target: "idp_conformance::http",
                "TLS certificate verification is OFF (insecure_skip_tls_verify)"
            );
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if !system_roots {
            builder = builder.tls_certs_only([]);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let large_bodies = Arc::new(Semaphore::new(
            LARGE_BODIES_HELD.max(limits.max_body_bytes).div_ceil(1024),
        ));
        Ok(Self {
            client,
            limits,
            large_bodies,
        })
    }

    /// Sends `request` and reads at most `max_body_bytes` of the answer.
    pub async fn send(&self, request: Request) -> Result<Exchange, TransportError> {
        let started = Instant::now();
        let mut builder = self.client.request(request.method.clone(), &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(v) => builder.json(v),
            Body::Form(fields) => builder.form(fields),
            Body::Multipart(fields) => {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in fields {
                    form = form.text(k.clone(), v.clone());
                }
                builder.multipart(form)
            }
            Body::Raw(content_type, bytes) => builder
                .header("content-type", content_type)
                .body(bytes.clone()),
        };
        let transport = |e: reqwest::Error| classify(&request.url, e);
        let mut resp = builder.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        // A body declared larger than the limit is not read whole: a prefix serves the excerpt.
        let limit = match resp.content_length() {
            Some(n) if n > self.limits.max_body_bytes as u64 => {
                self.limits.max_body_bytes.min(OVERSIZED_PREFIX_BYTES)
            }
            _ => self.limits.max_body_bytes,
        };
        let mut body = Vec::new();
        let mut truncated = false;
        let mut held: Option<OwnedSemaphorePermit> = None;
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if held.is_none() && body.len() + chunk.len() > SMALL_BODY_BYTES {
                // Room for the most this body can grow to; what it does not use is given back.
                let kib = u32::try_from(limit.div_ceil(1024)).unwrap_or(u32::MAX);
                let permit = self.large_bodies.clone().acquire_many_owned(kib).await;
                held = Some(permit.expect("the budget is never closed"));
            }
            let room = limit.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        EXCHANGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(permit) = &mut held {
            let unused = permit.num_permits() - body.len().div_ceil(1024);
            drop(permit.split(unused));
        }
        let response = Response {
            status,
            headers,
            body,
            truncated,
            elapsed: started.elapsed(),
            parsed: OnceLock::new(),
            held: held.map(Arc::new),
        };
        secret::learn_from_response(
            response.header_all("set-cookie"),
            response.header("location"),
            response.json_ref().ok(),
            response.form(),
        );
        tracing::info!(
            target: "idp_conformance::http",
            method = %request.method,
            url = %secret::redact_url(&request.url),
            status,
            bytes = response.body.len(),
            ms = response.elapsed.as_millis() as u64,
            "exchange"
        );
        Ok(Exchange { request, response })
    }
}

fn classify(url: &str, e: reqwest::Error) -> TransportError {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let _ = write!(detail, ": {s}");
        source = s.source();
    }
    let lower = detail.to_ascii_lowercase();
    let kind = if e.is_timeout() {
        "no answer within the timeout"
    } else if lower.contains("dns") || lower.contains("failed to lookup") {
        "DNS lookup failed"
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        "TLS handshake failed"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "transport failed"
    };
    TransportError {
        url: url.to_owned(),
        kind,
        detail,
        not_delivered: e.is_connect(),
    }
}

/// rustls needs one process-wide crypto provider; ring keeps the build lean.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

const EXCERPT_BYTES: usize = 1200;
/// The largest answer a failure shows pretty-printed around its JSON pointer.
const WINDOWED_BYTES: usize = 256 * 1024;

/// How much of a body whose declared length exceeds the limit is read (for the excerpt).
const OVERSIZED_PREFIX_BYTES: usize = 64 * 1024;

impl Exchange {
    /// The request and response as a person reads them in a failure, secrets masked.
    pub fn excerpt(&self) -> String {
        self.excerpt_at(None)
    }

    /// [`Exchange::excerpt`] with a JSON response body pretty-printed and centred on `pointer`
    /// (the value a failed check names), cut to a window of lines around it.
    pub fn excerpt_at(&self, pointer: Option<&str>) -> String {
        let mut out = String::new();
        let req = &self.request;
        let _ = writeln!(
            out,
            "request:  {} {}",
            req.method,
            secret::redact_url(&req.url)
        );
        for (name, value) in &req.headers {
            let value = if secret::is_secret_key(name) {
                MASK
            } else {
                value.as_str()
            };
            let _ = writeln!(out, "          {name}: {value}");
        }
        match &req.body {
            Body::Empty => {}
            Body::Json(v) => {
                let _ = writeln!(out, "          {}", secret::redact_json(v));
            }
            Body::Form(fields) | Body::Multipart(fields) => {
                let shown: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| {
                        let v = if secret::is_secret_key(k) {
                            MASK
                        } else {
                            v.as_str()
                        };
                        format!("{k}={v}")
                    })
                    .collect();
                let _ = writeln!(out, "          {}", shown.join("&"));
            }
            Body::Raw(ct, bytes) => {
                let _ = writeln!(out, "          ({ct}) {}", text_excerpt(bytes));
            }
        }
        let resp = &self.response;
        let _ = writeln!(out, "response: HTTP {}", resp.status);
        for name in [
            "content-type",
            "location",
            "cache-control",
            "www-authenticate",
            "allow",
        ] {
            for value in resp.header_all(name) {
                let value = if name == "location" {
                    secret::redact_url(value)
                } else {
                    value.to_owned()
                };
                let _ = writeln!(out, "          {name}: {value}");
            }
        }
        // Masked, then cut: a secret across the cut cannot keep its first characters. An answer
        // up to WINDOWED_BYTES is pretty-printed around the failure's pointer (`json_window`);
        // a larger one shows its start, serialized only that far, so a server's 4 MB answers
        // cost an excerpt each, not a copy.
        let body = match resp.json_ref() {
            Ok(v) if resp.body.len() <= WINDOWED_BYTES => {
                super::excerpt::json_window(&secret::redact_json(v), pointer).join("\n          ")
            }
            Ok(v) => {
                let mut s = secret::redact_json_prefix(v, EXCERPT_BYTES * 4);
                truncate_at_char(&mut s, EXCERPT_BYTES * 4);
                let mut s = secret::redact(&s);
                truncate_at_char(&mut s, EXCERPT_BYTES);
                s.push_str(" …");
                s
            }
            Err(_) => text_excerpt(&resp.body),
        };
        if !body.is_empty() {
            let _ = writeln!(out, "          {body}");
        }
        if resp.truncated {
            let _ = writeln!(out, "          (body cut off at the size limit)");
        }
        secret::redact(out.trim_end())
    }
}

/// The first [`EXCERPT_BYTES`] of a text body, masked before it is cut (a secret across the cut
/// must not keep its first bytes); a body larger than a few excerpts is masked in a window with
/// room for the longest secret past the cut.
fn text_excerpt(bytes: &[u8]) -> String {
    let window = &bytes[..bytes.len().min(EXCERPT_BYTES * 4)];
    let mut s = secret::redact(&String::from_utf8_lossy(window)).replace('\n', " ");
    let cut = s.len() > EXCERPT_BYTES || bytes.len() > window.len();
    truncate_at_char(&mut s, EXCERPT_BYTES);
    if cut && !s.ends_with(" …") {
        s.push_str(" …");
    }
    s
}

fn truncate_at_char(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str(" …");
    }
}

/// Exchanges made by the harness's client in this process (requests sent and answered), for
/// `run --stats`.
static EXCHANGES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn exchanges() -> usize {
    EXCHANGES.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_credentials_are_masked_and_lists_kept() {
        assert_eq!(
            mask_userinfo("http://user:pa55@proxy.corp:3128"),
            format!("http://{MASK}@proxy.corp:3128")
        );
        assert_eq!(mask_userinfo("http://proxy:3128"), "http://proxy:3128");
        assert_eq!(mask_userinfo("localhost,.corp"), "localhost,.corp");
    }
}
