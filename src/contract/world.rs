//! The World of one scenario, and the run context every scenario shares (one HTTP client, the
//! compiled schemas, the targets). Secrets in the World live in [`Secret`]s, so `-vv` and the
//! reports that print the World show only redaction markers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::contract::checks::{CheckResult, Failure};
use crate::contract::schema::SchemaSet;
use crate::providers::{Dialect, Provider};
use crate::reports::ShapeLog;
use crate::secret::Secret;
use crate::targets::Target;
use crate::targets::http::{Exchange, HttpClient, Request, TransportError};
use crate::targets::receiver::Receiver;

/// What every scenario of a run shares. Built once, before the first scenario.
#[derive(Debug)]
pub struct RunContext {
    pub http: HttpClient,
    pub schemas: SchemaSet,
    pub targets: HashMap<Provider, Target>,
    pub receiver: Option<Receiver>,
    /// Transport errors seen during the run (they decide exit code 3).
    pub environment_errors: Mutex<Vec<String>>,
    /// The shape of every answer, per endpoint (for `run.json` and `idp-conformance diff`).
    pub shapes: ShapeLog,
    /// When a request that got no answer is sent again (`--retries`).
    pub retry: crate::targets::retry::RetryPolicy,
    /// Requests re-sent after a transport error, per scenario (feature file, line).
    pub transport_retries: Mutex<HashMap<(String, usize), usize>>,
}

static CONTEXT: OnceLock<Arc<RunContext>> = OnceLock::new();

/// Installs the run context. A process runs one suite.
pub fn install(ctx: RunContext) -> Arc<RunContext> {
    let ctx = Arc::new(ctx);
    CONTEXT.set(ctx.clone()).expect("a process runs one suite");
    ctx
}

/// The authorization a scenario obtained: the code is a secret.
#[derive(Clone, Debug)]
pub struct Authorization {
    pub state: String,
    pub scope: String,
    pub code: Option<Secret>,
    pub returned_state: Option<String>,
    /// Where the user agent was sent back to, when the provider redirected at all.
    pub redirect: Option<crate::contract::checks::Redirect>,
    /// The PKCE code verifier of the request's challenge (RFC 7636 §4.1), when it sent one.
    pub verifier: Option<Secret>,
}

#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct ConformanceWorld {
    pub ctx: Arc<RunContext>,
    pub provider: Option<Provider>,
    pub authorization: Option<Authorization>,
    pub access_token: Option<Secret>,
    /// The refresh token of the last token answer that carried one (RFC 6749 §6).
    pub refresh_token: Option<Secret>,
    pub last: Option<Exchange>,
    /// What an SSO v1 scenario has learned along its sign-in flow.
    pub sso: SsoSession,
    /// The scenario's feature file and line, the key of its result.
    pub scenario: Option<(String, usize)>,
    /// The scenario checks the redirect of an authorization a user completes
    /// (`@needs-redirect`): its own authorization requests go through the target's strategy.
    pub authorization_by_user: bool,
    /// What a LoginSign scenario has learned about the user's connection and licenses.
    pub loginsign: LoginSignSession,
    /// When the last authorization's redirect (carrying its code) arrived: a real-time
    /// lifetime counts from here.
    pub code_issued: Option<std::time::Instant>,
    /// When the last token answer arrived, and its `expires_in`.
    pub token_issued: Option<TokenIssued>,
}

/// When an access token arrived, and the lifetime its answer gave.
#[derive(Clone, Debug)]
pub struct TokenIssued {
    pub at: std::time::Instant,
    /// RFC 6749 §5.1 `expires_in` as the answer gave it (a number of seconds, if it conforms).
    pub expires_in: Option<serde_json::Value>,
}

/// The values a LoginSign scenario carries from step to step; sessions and codes are secrets.
#[derive(Clone, Debug, Default)]
pub struct LoginSignSession {
    /// The connection id `GET /api/user` answered (the user's link to this app).
    pub connection_id: Option<String>,
    /// The user's Global User ID, from the same answer.
    pub global_id: Option<String>,
    /// The end user's LoginSign session cookie, `name=value` (from the embedded mock).
    pub user_session: Option<Secret>,
    /// The license variant the scenario created.
    pub variant_id: Option<String>,
    /// The license code the scenario generated: its id and the code itself.
    pub license_code_id: Option<String>,
    pub license_code: Option<Secret>,
    /// The last webhook payload a step found at the receiver.
    pub webhook: Option<Value>,
    /// The route ("METHOD /path") and credential of the last credential check's request.
    pub called: Option<(String, crate::contract::documents::Credential)>,
}

/// The values an SSO v1 flow carries from step to step; the codes are secrets.
#[derive(Clone, Debug, Default)]
pub struct SsoSession {
    /// The auth code the sign-in (POST /sso/auth) produced.
    pub auth_code: Option<Secret>,
    /// The e-mail address the scenario asked the provider to store.
    pub email: Option<String>,
    /// The opt-in code of the last opt-in mail (known only from the mock).
    pub optin_code: Option<Secret>,
}

impl std::fmt::Debug for ConformanceWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConformanceWorld")
            .field("provider", &self.provider)
            .field("authorization", &self.authorization)
            .field("access_token", &self.access_token)
            .field("sso", &self.sso)
            .field("loginsign", &self.loginsign)
            .field(
                "last_status",
                &self.last.as_ref().map(|e| e.response.status),
            )
            .finish()
    }
}

impl ConformanceWorld {
    fn new() -> Self {
        let ctx = CONTEXT
            .get()
            .expect("the run context is installed before scenarios run")
            .clone();
        Self {
            ctx,
            provider: None,
            authorization: None,
            access_token: None,
            refresh_token: None,
            last: None,
            sso: SsoSession::default(),
            loginsign: LoginSignSession::default(),
            authorization_by_user: false,
            scenario: None,
            code_issued: None,
            token_issued: None,
        }
    }

    pub fn target(&self) -> Result<&Target, Failure> {
        let provider = self.provider.ok_or_else(|| {
            Failure::new("the scenario names no provider: tag its feature with @losgehts, ...")
        })?;
        self.ctx.targets.get(&provider).ok_or_else(|| {
            Failure::new(format!(
                "no target is configured for provider {}",
                provider.name()
            ))
        })
    }

    /// The provider's OAuth dialect; a failure for a provider that does not speak OAuth 2.0.
    pub fn dialect(&self) -> Result<&'static Dialect, Failure> {
        let target = self.target()?;
        let (provider, dialect) = (target.provider, target.dialect);
        if !dialect.oauth {
            return Err(Failure::new(format!(
                "{} does not speak OAuth 2.0: this OAuth step cannot be used in its features",
                provider.name()
            )));
        }
        Ok(dialect)
    }

    /// Sends a request; a transport error is recorded as an environment error.
    /// A request that got no answer is re-sent as the run's retry policy allows, and each
    /// re-send is counted for the scenario's report.
    /// A rate-limited answer (429 or 503 with `Retry-After`) is waited out and the request sent
    /// again, as `retry::rate_limit_wait` bounds it; past the bound it is an environment error.
    pub async fn send(&mut self, request: Request) -> Result<&Exchange, Failure> {
        use crate::targets::retry::{MAX_RATE_LIMIT_WAIT, MAX_RATE_LIMIT_WAITS, rate_limit_wait};
        // The previous answer is not held while the next is read (each may be 4 MB).
        self.last = None;
        let mut attempt = 0;
        let mut waits = 0;
        loop {
            match self.send_once(request.clone()).await {
                Ok(exchange) => {
                    let r = &exchange.response;
                    let now = std::time::SystemTime::now();
                    if let Some(wait) = rate_limit_wait(r.status, r.header("retry-after"), now) {
                        if waits == MAX_RATE_LIMIT_WAITS || wait > MAX_RATE_LIMIT_WAIT {
                            return Err(self.environment_error(format!(
                                "environment error: the target rate-limited the run: {} {} \
                                 answered HTTP {} asking to wait {} s (after {waits} wait(s)); \
                                 the harness waits at most {} s, {MAX_RATE_LIMIT_WAITS} times per \
                                 request: lower [providers.NAME] max_concurrency or --jobs",
                                request.method,
                                crate::secret::redact_url(&request.url),
                                r.status,
                                wait.as_secs(),
                                MAX_RATE_LIMIT_WAIT.as_secs()
                            )));
                        }
                        waits += 1;
                        tracing::warn!(target: "idp_conformance::retry", waits, "rate-limited (HTTP {}): waiting {wait:?}", r.status);
                        self.count_retry();
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    self.last = Some(exchange);
                    return Ok(self.last.as_ref().expect("just set"));
                }
                Err(e) if self.ctx.retry.may_retry(attempt, &request.method, &e) => {
                    attempt += 1;
                    tracing::warn!(target: "idp_conformance::retry", attempt, "re-sending after {e}");
                    self.count_retry();
                    tokio::time::sleep(self.ctx.retry.pause(attempt)).await;
                }
                Err(e) if attempt > 0 => {
                    return Err(self.environment_error(format!("{e} (after {attempt} re-send(s))")));
                }
                Err(e) => return Err(self.environment_error(e.to_string())),
            }
        }
    }

    /// Counts a re-sent request for the scenario's report.
    fn count_retry(&self) {
        if let Some(key) = &self.scenario {
            *self
                .ctx
                .transport_retries
                .lock()
                .unwrap()
                .entry(key.clone())
                .or_default() += 1;
        }
    }

    /// One attempt, on a worker thread of the runtime: cucumber polls every scenario on one
    /// task, so the client's side of the exchange (building the request, parsing URLs, reading
    /// the body, learning its secrets, recording its shape) would otherwise take turns with
    /// every step and writer on that one thread while the other core waits.
    async fn send_once(&self, request: Request) -> Result<Exchange, TransportError> {
        let ctx = self.ctx.clone();
        let provider = self.provider;
        let attempt = tokio::spawn(async move {
            // A target's max_concurrency bounds the requests in flight to it at once.
            let limit = provider
                .and_then(|p| ctx.targets.get(&p))
                .and_then(|t| t.concurrency.clone());
            let _permit = match &limit {
                Some(semaphore) => Some(semaphore.acquire().await.expect("never closed")),
                None => None,
            };
            let exchange = ctx.http.send(request).await?;
            if let Some(t) = provider.and_then(|p| ctx.targets.get(&p)) {
                // The dialect's token field may have a name no secret list knows.
                let r = &exchange.response;
                crate::secret::learn_field(
                    t.dialect.access_token_field,
                    r.json_ref().ok(),
                    r.form(),
                );
                let bases = [t.base_url.as_str(), t.authorize_base_url.as_str()];
                ctx.shapes.record(t.provider.name(), &bases, &exchange);
            }
            Ok(exchange)
        });
        match attempt.await {
            Ok(answer) => answer,
            // A panic in the client is the step's panic, as if it had happened here.
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("the request's task was cancelled: {e}"),
        }
    }

    /// Records an environment error (the run exits 3) and returns it as the step's failure.
    pub fn environment_error(&self, message: String) -> Failure {
        self.ctx
            .environment_errors
            .lock()
            .unwrap()
            .push(message.clone());
        Failure::new(message)
    }

    /// Drops the last answer's body and its parse, once the scenario's checks are done; its
    /// status stays for the World's debug view.
    pub fn release_bodies(&mut self) {
        if let Some(exchange) = &mut self.last {
            exchange.response.release_body();
        }
    }

    /// The last exchange, for a `Then` step.
    pub fn last(&self) -> Result<&Exchange, Failure> {
        self.last
            .as_ref()
            .ok_or_else(|| Failure::new("no request was made before this check"))
    }

    /// The last response's body as JSON (a failure with the excerpt if it is not JSON).
    pub fn last_json(&self) -> Result<Value, Failure> {
        let ex = self.last()?;
        crate::contract::checks::ensure_json_body(&ex.response)
            .map_err(|f| f.with_exchange(ex.excerpt()))
    }

    /// Attaches the last exchange to a check's failure.
    pub fn evidence<T>(&self, result: CheckResult<T>) -> Result<T, Failure> {
        result.map_err(|f| match &self.last {
            Some(ex) if f.exchange.is_none() => {
                let excerpt = ex.excerpt_at(f.pointer.as_deref());
                f.with_exchange(excerpt)
            }
            _ => f,
        })
    }

    pub fn authorization(&self) -> Result<&Authorization, Failure> {
        self.authorization
            .as_ref()
            .ok_or_else(|| Failure::new("no authorization was requested before this step"))
    }

    pub fn code(&self) -> Result<&Secret, Failure> {
        self.authorization()?
            .code
            .as_ref()
            .ok_or_else(|| Failure::new("the authorization issued no code"))
    }

    pub fn access_token(&self) -> Result<&Secret, Failure> {
        self.access_token
            .as_ref()
            .ok_or_else(|| Failure::new("no access token was obtained before this step"))
    }
}
