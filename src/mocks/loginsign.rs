//! The LoginSign mock (LoginSign API Reference): an auto-approving `/oauth/authorize`
//! that signs the sandbox user in and links them to the app (a connection), the form-encoded
//! token exchange with client credentials in the form or in HTTP Basic, `GET /api/user` behind the
//! Bearer token, the app API behind HTTP Basic, the developer portal behind the developer session
//! cookie (users, connection updates, deletion with the `user_account_deleted` webhook, license
//! variants and codes), and the end user's license routes behind the user's session cookie.
//!
//! Where the document is silent the mock takes RFC 6749 / RFC 6750 / RFC 9110's answer, and for
//! the license bodies (deferred to a Licenses guide the document does not include) the shapes
//! `features/loginsign/licenses.feature` assumes. Old magic-link tokens, which the e-mail sync
//! invalidates, are not modelled: no documented route shows them.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::{
    Clock, Issued, client_for, clock_routes, defects, opaque, redirect_with, token_answer,
};
use crate::secret::Secret;

defects!(
    /// Each violates one behaviour of the LoginSign document (or of the RFC where it is silent).
    Defect {
        StateNotEchoed = "state-not-echoed": "the redirect back to the client carries the state it sent (RFC 6749 §4.1.2)",
        RedirectUriNotChecked = "redirect-uri-not-checked": "an unauthorized redirect URI gets invalid_client, not a code",
        RedirectUriPrefixMatch = "redirect-uri-prefix-match": "the redirect URI is compared whole: the registered URI with something appended is unauthorized",
        RedirectUriPathNotChecked = "redirect-uri-path-not-checked": "the redirect URI's path is compared: another path on the registered host is unauthorized",
        RedirectUriQueryNotChecked = "redirect-uri-query-not-checked": "the redirect URI's query is compared: the registered URI with another query is unauthorized",
        AuthorizeClientNotChecked = "authorize-client-not-checked": "a wrong client_id gets invalid_client, not a code",
        FormCredentialsRefused = "form-credentials-refused": "client credentials are accepted in the form fields",
        BasicCredentialsRefused = "basic-credentials-refused": "client credentials are accepted in Authorization: Basic",
        ClientCredentialsNotChecked = "client-credentials-not-checked": "a wrong client_id or client_secret gets invalid_client",
        BasicFailureWithoutChallenge = "basic-failure-without-challenge": "a failed Basic client authentication answers 401 with WWW-Authenticate (RFC 6749 §5.2)",
        MissingParameterServerError = "missing-parameter-server-error": "a token request missing grant_type, code, redirect_uri or credentials gets a 4xx JSON error",
        MissingCredentialsUnsupportedGrant = "missing-credentials-unsupported-grant": "a token request without client credentials gets invalid_request or invalid_client",
        UnsupportedGrantAccepted = "unsupported-grant-accepted": "only grant_type authorization_code is exchanged (RFC 6749 §5.2)",
        UnissuedCodeAccepted = "unissued-code-accepted": "an invalid code gets invalid_grant",
        CodeNotBoundToClient = "code-not-bound-to-client": "a code is exchanged only by the client it was issued to; another registered client gets invalid_grant (RFC 6749 §4.1.3)",
        CodeReusable = "code-reusable": "a reused code gets invalid_grant",
        CodeNeverExpires = "code-never-expires": "an expired code gets invalid_grant",
        TokenRedirectUriNotChecked = "token-redirect-uri-not-checked": "redirect_uri must match the authorize request value",
        TokenRedirectUriPrefixMatch = "token-redirect-uri-prefix-match": "the token request's redirect_uri matches the authorize request's whole, not only its beginning",
        TokenContentTypeNotJson = "token-content-type-not-json": "the token answer is application/json (RFC 6749 §5.1)",
        ErrorContentTypeNotJson = "error-content-type-not-json": "all errors return JSON, with a JSON Content-Type",
        ProfileContentTypeNotJson = "profile-content-type-not-json": "GET /api/user answers JSON, with a JSON Content-Type",
        TokenTypeNotBearer = "token-type-not-bearer": "token_type is Bearer",
        ExpiresInNotInteger = "expires-in-not-integer": "expires_in is a number of seconds",
        MissingRefreshToken = "missing-refresh-token": "the token response carries refresh_token",
        NoCacheControl = "no-cache-control": "token responses carry Cache-Control: no-store (RFC 6749 §5.1)",
        ErrorWithoutDescription = "error-without-description": "errors are JSON {error, error_description}",
        RefusalsNotJson = "refusals-not-json": "all errors return JSON, refused credentials included",
        UserTokenNotChecked = "user-token-not-checked": "GET /api/user requires a valid Bearer access token",
        UserTakesBasic = "user-takes-basic": "GET /api/user takes the Bearer access token, not the app's Basic credentials",
        BearerRefusalWithoutChallenge = "bearer-refusal-without-challenge": "a refused Bearer request answers WWW-Authenticate: Bearer (RFC 6750 §3)",
        TokenNeverExpires = "token-never-expires": "the access token stops working after expires_in seconds",
        TokenExpiresEarly = "token-expires-early": "the access token works until expires_in seconds have passed",
        GlobalIdFormat = "global-id-format": "the Global User ID is 2 letters + 4 digits",
        MissingProfileField = "missing-profile-field": "GET /api/user answers id, globalId, name, email and image",
        UserIdIsInternalId = "user-id-is-internal-id": "the id of GET /api/user is the connection id, not the internal user id",
        PortalSessionNotChecked = "portal-session-not-checked": "developer portal routes require the developer session cookie",
        PortalTakesBearer = "portal-takes-bearer": "developer portal routes take the session cookie, not a Bearer access token",
        ListMissingField = "list-missing-field": "each listed user carries every documented field",
        UnsharedEmailNotDash = "unshared-email-not-dash": "a listed user who shared no address has email \"-\"",
        SessionTimesNotIso8601 = "session-times-not-iso8601": "lastSession and joined are ISO 8601 timestamps",
        ListOmitsNewConnection = "list-omits-new-connection": "the developer portal lists every user who connected, the one who just signed in included",
        TotalUndercounts = "total-undercounts": "total counts every user connected to the app",
        EmptyPatchAccepted = "empty-patch-accepted": "updating a connection requires at least one field",
        PatchRequiresBothFields = "patch-requires-both-fields": "isForwarding and appEmail are each optional",
        PatchTypesNotChecked = "patch-types-not-checked": "isForwarding is a boolean, appEmail an e-mail address",
        EmailSyncRouteMissing = "email-sync-route-missing": "PATCH .../users/:connectionId/email syncs the platform e-mail",
        EmailSyncNotValidated = "email-sync-not-validated": "the e-mail sync takes {email: an e-mail address}",
        DeleteKeepsConnection = "delete-keeps-connection": "deleting a connection removes it permanently",
        TokenOutlivesConnection = "token-outlives-connection": "a deleted connection's access token no longer reads a profile",
        WebhookNotSent = "webhook-not-sent": "deleting a connection sends the user_account_deleted webhook",
        WebhookEventMisnamed = "webhook-event-misnamed": "the webhook is named user_account_deleted",
        AppApiBasicNotChecked = "app-api-basic-not-checked": "the app API requires HTTP Basic client_id:client_secret",
        AppApiTakesSession = "app-api-takes-session": "the app API takes HTTP Basic, not the developer session cookie",
        UserLicensesSessionNotChecked = "user-licenses-session-not-checked": "the end user's license routes require the user's session cookie",
        UserLicensesNeedDeveloperSession = "user-licenses-need-developer-session": "the end user's license routes take the end user's session cookie",
        RedemptionNotLinked = "redemption-not-linked": "redeeming a code ties it to the user's connection (linkedConnectionId)",
    }
);

/// The app id the embedded mock serves its app API and developer portal under.
pub const APP_ID: &str = "ls-conformance-app";

/// RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED."
const CODE_LIFETIME: i64 = 600;
/// A second client registered with every mock, for the same redirect URI: a target file's
/// `second_client_id` and the secret its `second_client_secret_env` names.
pub const SECOND_CLIENT_ID: &str = "ls-second-client";
pub const SECOND_CLIENT_SECRET: &str = "ls-second-client-secret";

/// The cookie name of an end user's LoginSign session.
const USER_SESSION_COOKIE: &str = "ls_user";
/// A session of the sandbox user every mock knows from the start, for a target file pointing at
/// a standalone mock (`user_session_cookie_env` holding `ls_user=mock-user-session`).
pub const STANDING_USER_SESSION: &str = "mock-user-session";

/// How the mock is set up: the one registered client, its app, and the defects it has.
#[derive(Clone, Debug)]
pub struct Config {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    pub app_id: String,
    /// The developer portal's session cookie, `name=value`.
    pub developer_session: Secret,
    pub webhook_url: Option<String>,
    /// The access tokens' `expires_in`, in seconds.
    pub token_lifetime: i64,
    pub defects: BTreeSet<Defect>,
}

/// A LoginSign user.
#[derive(Debug)]
struct Member {
    internal_id: &'static str,
    global_id: &'static str,
    name: &'static str,
    /// The address shared with the app; `None`: not shared.
    shared_email: Option<&'static str>,
    region: &'static str,
    email_muted: bool,
}

/// The sandbox user every authorization signs in, and two users already connected to the app.
const MEMBERS: [Member; 3] = [
    Member {
        internal_id: "usr_100017",
        global_id: "LS4711",
        name: "Lena Sommer",
        shared_email: Some("k3j9q2@loginsign.com"),
        region: "Germany",
        email_muted: false,
    },
    Member {
        internal_id: "usr_100001",
        global_id: "AB1234",
        name: "John Doe",
        shared_email: Some("x9s8d7@loginsign.com"),
        region: "Germany",
        email_muted: false,
    },
    Member {
        internal_id: "usr_100002",
        global_id: "CD5678",
        name: "Maria Rossi",
        shared_email: None,
        region: "Italy",
        email_muted: true,
    },
];
const SANDBOX_USER: usize = 0;

/// A user's link to the app.
#[derive(Clone, Debug)]
struct Connection {
    id: String,
    member: usize,
    sessions: u64,
    joined: i64,
    last_session: i64,
    is_forwarding: bool,
    app_email: Option<String>,
}

#[derive(Debug)]
struct Grant {
    /// The client the code was issued to.
    client_id: String,
    redirect_uri: String,
    connection: String,
    issued: i64,
    used: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct LicenseCode {
    id: String,
    code: String,
    variant_id: String,
    status: &'static str,
    linked_connection_id: Option<String>,
}

#[derive(Debug, Default)]
struct State_ {
    connections: Vec<Connection>,
    /// Deleted connections, kept only for the defect that lets their tokens live on.
    deleted: Vec<Connection>,
    codes: Issued<Grant>,
    /// Access token to (connection id, issued at).
    tokens: Issued<(String, i64)>,
    /// Primary e-mail addresses, per member (the e-mail sync changes them).
    primary_emails: HashMap<usize, String>,
    variants: Vec<(String, String)>,
    license_codes: Vec<LicenseCode>,
    /// End-user session cookie values to the member signed in.
    user_sessions: HashMap<String, usize>,
    /// The app API's status sync, by Global User ID.
    statuses: HashMap<String, Value>,
}

#[derive(Debug)]
pub struct Mock {
    config: Config,
    clock: Arc<Clock>,
    state: Mutex<State_>,
    webhooks: reqwest::Client,
}

type Refusal = Box<Response>;

impl Mock {
    fn has(&self, d: Defect) -> bool {
        self.config.defects.contains(&d)
    }

    /// `{"error", "error_description"}`, as the document's example shows every error.
    fn error(&self, status: StatusCode, error: &str, description: &str) -> Response {
        let body = if self.has(Defect::ErrorWithoutDescription) {
            json!({"error": error})
        } else {
            json!({"error": error, "error_description": description})
        };
        let mut resp = (status, Json(body)).into_response();
        if self.has(Defect::ErrorContentTypeNotJson) {
            text_plain(&mut resp);
        }
        resp
    }

    /// A refused credential: 401, a challenge where the scheme has one, a JSON error.
    fn refuse(&self, challenge: Option<&str>, error: &str, description: &str) -> Refusal {
        let mut resp = if self.has(Defect::RefusalsNotJson) {
            (StatusCode::UNAUTHORIZED, "Unauthorized").into_response()
        } else {
            self.error(StatusCode::UNAUTHORIZED, error, description)
        };
        if let Some(c) = challenge
            && let Ok(v) = HeaderValue::from_str(c)
        {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        Box::new(resp)
    }

    fn gid(&self, member: usize) -> String {
        let g = MEMBERS[member].global_id;
        if self.has(Defect::GlobalIdFormat) {
            format!("{g}0")
        } else {
            g.to_owned()
        }
    }

    fn basic_ok(&self, headers: &HeaderMap) -> bool {
        basic(headers).is_some_and(|(id, secret)| {
            id == self.config.client_id && secret == self.config.client_secret.expose()
        })
    }

    fn developer_cookie_ok(&self, headers: &HeaderMap) -> bool {
        has_cookie(headers, self.config.developer_session.expose())
    }

    /// The connection a live access token belongs to.
    fn token_connection(&self, headers: &HeaderMap) -> Option<String> {
        let token = bearer(headers)?;
        let st = self.state.lock().unwrap();
        let (connection, issued) = st.tokens.get(&token)?;
        let lifetime = if self.has(Defect::TokenExpiresEarly) {
            self.config.token_lifetime / 2
        } else {
            self.config.token_lifetime
        };
        let expired = self.clock.now_secs() - issued >= lifetime;
        (!expired || self.has(Defect::TokenNeverExpires)).then(|| connection.clone())
    }

    /// The sandbox user's connection, created on their first authorization.
    fn sandbox_connection(&self) -> String {
        let now = self.clock.now_secs();
        let mut st = self.state.lock().unwrap();
        if let Some(c) = st.connections.iter_mut().find(|c| c.member == SANDBOX_USER) {
            c.sessions += 1;
            c.last_session = now;
            return c.id.clone();
        }
        let id = opaque("conn_");
        st.connections.push(Connection {
            id: id.clone(),
            member: SANDBOX_USER,
            sessions: 1,
            joined: now,
            last_session: now,
            is_forwarding: false,
            app_email: None,
        });
        id
    }

    /// Developer portal routes: the developer session cookie.
    fn portal_guard(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let ok = if self.has(Defect::PortalSessionNotChecked) {
            true
        } else if self.has(Defect::PortalTakesBearer) {
            self.token_connection(headers).is_some()
        } else {
            self.developer_cookie_ok(headers)
        };
        if !ok {
            return Err(self.refuse(
                None,
                "unauthorized",
                "sign in to the Developer Portal: this route needs the developer session cookie",
            ));
        }
        Ok(())
    }

    /// The app API: HTTP Basic client_id:client_secret.
    fn app_guard(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let ok = if self.has(Defect::AppApiBasicNotChecked) {
            true
        } else if self.has(Defect::AppApiTakesSession) {
            self.developer_cookie_ok(headers)
        } else {
            self.basic_ok(headers)
        };
        if !ok {
            return Err(self.refuse(
                Some("Basic realm=\"LoginSign\""),
                "invalid_client",
                "this route needs HTTP Basic client_id:client_secret",
            ));
        }
        Ok(())
    }

    fn app_guard_id(&self, app_id: &str) -> Result<(), Refusal> {
        if app_id == self.config.app_id {
            return Ok(());
        }
        Err(Box::new(self.not_found("application")))
    }

    fn bad_request(&self, description: &str) -> Response {
        self.error(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn not_found(&self, what: &str) -> Response {
        self.error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no such {what}"),
        )
    }

    /// A request body that must be a JSON object.
    fn object(&self, body: &[u8]) -> Result<Map<String, Value>, Response> {
        json_object(body).ok_or_else(|| self.bad_request("the body must be a JSON object"))
    }

    /// `GET /api/user`: the Bearer access token, and the connection it belongs to.
    fn user_guard(&self, headers: &HeaderMap) -> Result<Connection, Refusal> {
        let challenge = if self.has(Defect::BearerRefusalWithoutChallenge) {
            None
        } else {
            Some("Bearer realm=\"LoginSign\", error=\"invalid_token\"")
        };
        let connection_id = if self.has(Defect::UserTokenNotChecked) {
            Some(self.sandbox_connection())
        } else if self.has(Defect::UserTakesBasic) {
            self.basic_ok(headers).then(|| self.sandbox_connection())
        } else {
            self.token_connection(headers)
        };
        let Some(id) = connection_id else {
            return Err(self.refuse(
                challenge,
                "invalid_token",
                "a valid Bearer access token is required",
            ));
        };
        let st = self.state.lock().unwrap();
        let live = st.connections.iter().find(|c| c.id == id);
        let deleted = st.deleted.iter().find(|c| c.id == id);
        match (live, deleted) {
            (Some(c), _) => Ok(c.clone()),
            (None, Some(c)) if self.has(Defect::TokenOutlivesConnection) => Ok(c.clone()),
            _ => Err(self.refuse(
                challenge,
                "invalid_token",
                "the connection of this token was deleted",
            )),
        }
    }

    /// The end user's license routes: the user's LoginSign session cookie.
    fn end_user_guard(&self, headers: &HeaderMap) -> Result<usize, Refusal> {
        let member = if self.has(Defect::UserLicensesSessionNotChecked) {
            Some(SANDBOX_USER)
        } else if self.has(Defect::UserLicensesNeedDeveloperSession) {
            self.developer_cookie_ok(headers).then_some(SANDBOX_USER)
        } else {
            cookie_value(headers, USER_SESSION_COOKIE)
                .and_then(|v| self.state.lock().unwrap().user_sessions.get(&v).copied())
        };
        member.ok_or_else(|| {
            self.refuse(
                None,
                "unauthorized",
                "sign in to LoginSign: this route needs your session cookie",
            )
        })
    }

    fn listed_user(&self, c: &Connection) -> Value {
        let m = &MEMBERS[c.member];
        let email = match m.shared_email {
            Some(e) => json!(e),
            None if self.has(Defect::UnsharedEmailNotDash) => Value::Null,
            None => json!("-"),
        };
        let time = |secs: i64| {
            if self.has(Defect::SessionTimesNotIso8601) {
                json!(secs)
            } else {
                json!(rfc3339(secs))
            }
        };
        let mut user = json!({
            "id": c.id,
            "globalId": self.gid(c.member),
            "name": m.name,
            "email": email,
            "active": true,
            "blocked": false,
            "emailMuted": m.email_muted,
            "sessions": c.sessions,
            "lastSession": time(c.last_session),
            "joined": time(c.joined),
            "region": m.region,
        });
        if self.has(Defect::ListMissingField) {
            user.as_object_mut().unwrap().remove("emailMuted");
        }
        user
    }
}

/// The LoginSign mock, as the provider table knows it.
pub const MOCK: super::Mock = super::Mock {
    defects: Defect::list,
    router: |client, defects| {
        Ok(router(Config {
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            redirect_uri: client.redirect_uri.clone(),
            app_id: APP_ID.to_owned(),
            developer_session: client.developer_session.clone(),
            webhook_url: client.webhook_url.clone(),
            token_lifetime: client.token_lifetime,
            defects: Defect::parse_all(defects)?,
        }))
    },
    app_id: Some(APP_ID),
    test_user: None,
    identities,
};

/// What the standalone mock prints at start (the developer session cookie is the client's
/// secret: the caller says where it comes from).
pub fn identities(client: &super::MockClient) -> Vec<super::Identity> {
    let sandbox = &MEMBERS[SANDBOX_USER];
    let mut out = vec![
        ("client_id", client.client_id.clone()),
        ("redirect_uri", client.redirect_uri.clone()),
        ("app id", APP_ID.to_owned()),
        (
            "sandbox user every authorization signs in",
            format!(
                "{} (global id {}, {})",
                sandbox.name,
                sandbox.global_id,
                sandbox.shared_email.unwrap_or("no e-mail shared")
            ),
        ),
    ];
    for (_, m) in MEMBERS
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != SANDBOX_USER)
    {
        out.push((
            "user already connected to the app",
            format!("{} (global id {})", m.name, m.global_id),
        ));
    }
    out.push((
        "end user's session",
        format!("POST /__mock/user-session answers a cookie {USER_SESSION_COOKIE}=..."),
    ));
    out
}

/// The router serving the LoginSign API and the mock's control routes under `/__mock/`.
pub fn router(config: Config) -> Router {
    crate::targets::http::install_crypto_provider();
    let now = Clock::default().now_secs();
    let seeded = |member: usize, id: &str, sessions: u64| Connection {
        id: id.to_owned(),
        member,
        sessions,
        joined: now - 86_400 * 30,
        last_session: now - 3_600,
        is_forwarding: false,
        app_email: None,
    };
    let state = State_ {
        user_sessions: HashMap::from([(STANDING_USER_SESSION.to_owned(), SANDBOX_USER)]),
        connections: vec![
            seeded(1, "conn_seeded_john", 23),
            seeded(2, "conn_seeded_maria", 4),
        ],
        ..State_::default()
    };
    let webhooks = client_for(config.webhook_url.as_deref());
    let mock = Arc::new(Mock {
        config,
        clock: Arc::default(),
        state: Mutex::new(state),
        webhooks,
    });
    let app_api = Router::new()
        .route("/users", get(app_users))
        .route("/users/{global_id}/status", patch(app_user_status))
        .route_layer(middleware::from_fn_with_state(
            (mock.clone(), Mock::app_guard as Guard),
            guarded,
        ));
    let mut portal = Router::new()
        .route("/users", get(portal_users))
        .route(
            "/users/{connection_id}",
            patch(update_connection).delete(delete_connection),
        )
        .route(
            "/licenses/variants",
            get(list_variants).post(create_variant),
        )
        .route(
            "/licenses/variants/{variant_id}",
            patch(update_variant).delete(delete_variant),
        )
        .route("/licenses/codes/generate", post(generate_codes))
        .route("/licenses/codes/upload", post(upload_codes))
        .route("/licenses/codes", get(list_codes))
        .route("/licenses/codes/{code_id}", delete(delete_code));
    if !mock.has(Defect::EmailSyncRouteMissing) {
        portal = portal.route("/users/{connection_id}/email", patch(sync_email));
    }
    let portal = portal.route_layer(middleware::from_fn_with_state(
        (mock.clone(), Mock::portal_guard as Guard),
        guarded,
    ));
    Router::new()
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route("/api/user", get(user))
        .nest("/api/applications/{app_id}", app_api)
        .nest("/api/developer/applications/{app_id}", portal)
        .route("/api/user/licenses/subscriptions", get(subscriptions))
        .route("/api/user/licenses/redeem", post(redeem))
        .route("/__mock/user-session", post(user_session))
        .with_state(mock.clone())
        .merge(clock_routes(mock.clock.clone()))
}

// Credentials as the requests carry them.

fn authorization(headers: &HeaderMap, scheme: &str) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (s, rest) = value.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme)
        .then(|| rest.trim().to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    authorization(headers, "bearer")
}

/// `Authorization: Basic base64(client_id:client_secret)`.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = authorization(headers, "basic")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
}

fn has_cookie(headers: &HeaderMap, pair: &str) -> bool {
    cookies(headers).any(|c| c == pair)
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    cookies(headers).find_map(|c| {
        let (n, v) = c.split_once('=')?;
        (n == name).then(|| v.to_owned())
    })
}

/// Labels a JSON answer `text/plain` (the defects that send JSON under another media type).
fn text_plain(resp: &mut Response) {
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
}

/// Whether an authorize request's `given` redirect URI is the `registered` one, as the mock's
/// defects (mis)compare them.
fn redirect_uri_authorized(m: &Mock, given: &str, registered: &str) -> bool {
    if given == registered || m.has(Defect::RedirectUriNotChecked) {
        return true;
    }
    if m.has(Defect::RedirectUriPrefixMatch) && given.starts_with(registered) {
        return true;
    }
    let (Ok(g), Ok(r)) = (url::Url::parse(given), url::Url::parse(registered)) else {
        return false;
    };
    let same_origin = g.origin() == r.origin();
    if m.has(Defect::RedirectUriPathNotChecked) && same_origin && g.query() == r.query() {
        return true;
    }
    m.has(Defect::RedirectUriQueryNotChecked) && same_origin && g.path() == r.path()
}

/// A request body that must be a JSON object.
fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The mock's notion of an e-mail address: one `@`, something before it, a dot after it.
fn is_email(v: &str) -> bool {
    v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.contains('@') && domain.contains('.')
    })
}

/// Seconds since the epoch as an RFC 3339 UTC timestamp (days-from-civil, H. Hinnant).
fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// Sign-in.

async fn authorize(
    State(m): State<Arc<Mock>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match q.get("client_id") {
        Some(c) if *c == m.config.client_id || m.has(Defect::AuthorizeClientNotChecked) => {}
        Some(_) => {
            return m.error(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                "unknown client_id",
            );
        }
        None => {
            return m.bad_request("client_id is missing");
        }
    }
    let registered = &m.config.redirect_uri;
    let redirect_uri = match q.get("redirect_uri") {
        None => registered.clone(),
        Some(r) if redirect_uri_authorized(&m, r, registered) => r.clone(),
        // RFC 6749 §4.1.2.1: never redirect to an unauthorized redirection URI.
        Some(_) => {
            return m.error(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                "unauthorized redirect URI for this app",
            );
        }
    };
    let state = q.get("state").cloned().unwrap_or_default();
    if q.get("response_type").map(String::as_str) != Some("code") {
        return redirect_with(
            &redirect_uri,
            &[("error", "unsupported_response_type"), ("state", &state)],
        );
    }
    let connection = m.sandbox_connection();
    let code = opaque("ls_code_");
    m.state.lock().unwrap().codes.insert(
        code.clone(),
        Grant {
            client_id: m.config.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            connection,
            issued: m.clock.now_secs(),
            used: false,
        },
    );
    let echoed = if m.has(Defect::StateNotEchoed) {
        format!("{state}-changed")
    } else {
        state
    };
    redirect_with(&redirect_uri, &[("code", &code), ("state", &echoed)])
}

async fn token(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return m.bad_request("send the request as application/x-www-form-urlencoded");
    }
    let fields: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        fields
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let missing = |what: &str| {
        if m.has(Defect::MissingParameterServerError) {
            m.error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", what)
        } else {
            m.bad_request(what)
        }
    };

    // Client credentials: HTTP Basic, or the form fields.
    let by_basic = if m.has(Defect::BasicCredentialsRefused) {
        None
    } else {
        basic(&headers)
    };
    let by_form = match (field("client_id"), field("client_secret")) {
        _ if m.has(Defect::FormCredentialsRefused) => None,
        (Some(id), Some(secret)) => Some((id.to_owned(), secret.to_owned())),
        _ => None,
    };
    let via_basic = by_basic.is_some();
    let Some((client_id, secret)) = by_basic.or(by_form) else {
        let nothing = field("client_id").is_none() && field("client_secret").is_none();
        if nothing && m.has(Defect::MissingCredentialsUnsupportedGrant) {
            return m.error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "client authentication is missing",
            );
        }
        return missing("client credentials are missing (client_id and client_secret)");
    };
    let authenticated = (client_id == m.config.client_id
        && secret == m.config.client_secret.expose())
        || (client_id == SECOND_CLIENT_ID && secret == SECOND_CLIENT_SECRET);
    if !authenticated && !m.has(Defect::ClientCredentialsNotChecked) {
        if via_basic && !m.has(Defect::BasicFailureWithoutChallenge) {
            let mut resp = m.error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "wrong client_id/client_secret",
            );
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"LoginSign\""),
            );
            return resp;
        }
        return m.error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "wrong client_id/client_secret",
        );
    }

    let Some(grant_type) = field("grant_type") else {
        return missing("grant_type is missing");
    };
    if grant_type != "authorization_code" && !m.has(Defect::UnsupportedGrantAccepted) {
        return m.error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only authorization_code is supported",
        );
    }
    let Some(code) = field("code") else {
        return missing("code is missing");
    };
    let Some(redirect_uri) = field("redirect_uri") else {
        return missing("redirect_uri is missing");
    };
    let check_redirect = !m.has(Defect::TokenRedirectUriNotChecked);
    // The defect compares only the beginning, at both checks.
    let matches = |expected: &str| {
        redirect_uri == expected
            || (m.has(Defect::TokenRedirectUriPrefixMatch) && redirect_uri.starts_with(expected))
    };
    if check_redirect && !matches(&m.config.redirect_uri) {
        return m.error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unauthorized redirect URI for this app",
        );
    }
    let invalid = |why: &str| m.error(StatusCode::BAD_REQUEST, "invalid_grant", why);
    let connection = {
        let mut st = m.state.lock().unwrap();
        match st.codes.get_mut(code) {
            Some(g) if g.used && !m.has(Defect::CodeReusable) => {
                return invalid("the authorization code was already used");
            }
            Some(g)
                if m.clock.now_secs() - g.issued >= CODE_LIFETIME
                    && !m.has(Defect::CodeNeverExpires) =>
            {
                return invalid("The authorization code has expired");
            }
            Some(g) if g.client_id != client_id && !m.has(Defect::CodeNotBoundToClient) => {
                return invalid("the authorization code was issued to another client");
            }
            Some(g) if check_redirect && !matches(&g.redirect_uri) => {
                return invalid("redirect URI mismatch between authorize and token requests");
            }
            Some(g) => {
                g.used = true;
                g.connection.clone()
            }
            None if m.has(Defect::UnissuedCodeAccepted) => {
                drop(st);
                m.sandbox_connection()
            }
            None => return invalid("the authorization code is invalid"),
        }
    };
    let access = opaque("ls_at_");
    m.state
        .lock()
        .unwrap()
        .tokens
        .insert(access.clone(), (connection, m.clock.now_secs()));
    let mut answer = json!({
        "access_token": access,
        "token_type": if m.has(Defect::TokenTypeNotBearer) { "MAC" } else { "Bearer" },
        "expires_in": if m.has(Defect::ExpiresInNotInteger) { json!(m.config.token_lifetime.to_string()) } else { json!(m.config.token_lifetime) },
        "refresh_token": opaque("ls_rt_"),
    });
    if m.has(Defect::MissingRefreshToken) {
        answer.as_object_mut().unwrap().remove("refresh_token");
    }
    let mut resp = token_answer(answer, !m.has(Defect::NoCacheControl));
    if m.has(Defect::TokenContentTypeNotJson) {
        text_plain(&mut resp);
    }
    resp
}

async fn user(State(m): State<Arc<Mock>>, headers: HeaderMap) -> Response {
    let c = match m.user_guard(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let member = &MEMBERS[c.member];
    let id = if m.has(Defect::UserIdIsInternalId) {
        member.internal_id.to_owned()
    } else {
        c.id.clone()
    };
    let mut profile = json!({
        "id": id,
        "globalId": m.gid(c.member),
        "name": member.name,
        "email": member.shared_email.unwrap_or("-"),
        "image": format!("https://loginsign.invalid/avatars/{}.png", member.global_id),
    });
    if m.has(Defect::MissingProfileField) {
        profile.as_object_mut().unwrap().remove("image");
    }
    let mut resp = Json(profile).into_response();
    if m.has(Defect::ProfileContentTypeNotJson) {
        text_plain(&mut resp);
    }
    resp
}

// The app API (HTTP Basic) and the developer portal (session cookie): their credentials are
// checked by `guarded` before any handler runs.

/// How a group of routes checks its credential.
type Guard = fn(&Mock, &HeaderMap) -> Result<(), Refusal>;

/// The `route_layer` of the app API and the portal: the group's credential, then the `{app_id}`.
async fn guarded(
    State((m, guard)): State<(Arc<Mock>, Guard)>,
    Path(params): Path<HashMap<String, String>>,
    req: Request,
    next: Next,
) -> Response {
    let app_id = params.get("app_id").map_or("", String::as_str);
    match guard(&m, req.headers()).and_then(|()| m.app_guard_id(app_id)) {
        Ok(()) => next.run(req).await,
        Err(r) => *r,
    }
}

async fn app_users(State(m): State<Arc<Mock>>) -> Response {
    let st = m.state.lock().unwrap();
    let users: Vec<Value> = st
        .connections
        .iter()
        .map(|c| json!({"id": c.id, "globalId": m.gid(c.member), "name": MEMBERS[c.member].name}))
        .collect();
    Json(json!({"total": users.len(), "users": users})).into_response()
}

async fn app_user_status(
    State(m): State<Arc<Mock>>,
    Path((_, global_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut st = m.state.lock().unwrap();
    if !st.connections.iter().any(|c| m.gid(c.member) == global_id) {
        return m.not_found("connected user with this Global User ID");
    }
    let Some(status) = json_object(&body).and_then(|b| b.get("status").cloned()) else {
        return m.bad_request("status is required");
    };
    st.statuses.insert(global_id.clone(), status.clone());
    Json(json!({"globalId": global_id, "status": status})).into_response()
}

async fn portal_users(State(m): State<Arc<Mock>>) -> Response {
    let st = m.state.lock().unwrap();
    let users: Vec<Value> = st
        .connections
        .iter()
        .filter(|c| c.member != SANDBOX_USER || !m.has(Defect::ListOmitsNewConnection))
        .map(|c| m.listed_user(c))
        .collect();
    let total = if m.has(Defect::TotalUndercounts) {
        0
    } else {
        users.len()
    };
    Json(json!({"users": users, "total": total})).into_response()
}

async fn update_connection(
    State(m): State<Arc<Mock>>,
    Path((_, connection_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body = match m.object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (forwarding, app_email) = (body.get("isForwarding"), body.get("appEmail"));
    let lax = m.has(Defect::PatchTypesNotChecked);
    if forwarding.is_none() && app_email.is_none() && !m.has(Defect::EmptyPatchAccepted) {
        return m.bad_request("at least one of isForwarding and appEmail is required");
    }
    if (forwarding.is_none() || app_email.is_none()) && m.has(Defect::PatchRequiresBothFields) {
        return m.bad_request("isForwarding and appEmail are required");
    }
    if forwarding.is_some_and(|f| !f.is_boolean()) && !lax {
        return m.bad_request("isForwarding must be a boolean");
    }
    if app_email.is_some_and(|e| !e.as_str().is_some_and(is_email)) && !lax {
        return m.bad_request("appEmail must be an e-mail address");
    }
    let mut st = m.state.lock().unwrap();
    let Some(c) = st.connections.iter_mut().find(|c| c.id == connection_id) else {
        return m.not_found("connection");
    };
    if let Some(f) = forwarding.and_then(Value::as_bool) {
        c.is_forwarding = f;
    }
    if let Some(e) = app_email.and_then(Value::as_str) {
        c.app_email = Some(e.to_owned());
    }
    let answer = json!({"id": c.id, "isForwarding": c.is_forwarding, "appEmail": c.app_email});
    Json(answer).into_response()
}

async fn sync_email(
    State(m): State<Arc<Mock>>,
    Path((_, connection_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lax = m.has(Defect::EmailSyncNotValidated);
    let email = match json_object(&body).and_then(|b| b.get("email").cloned()) {
        Some(Value::String(e)) if is_email(&e) || lax => e,
        Some(other) if lax => other.to_string(),
        None if lax => String::new(),
        _ => return m.bad_request("email (an e-mail address) is required"),
    };
    let mut st = m.state.lock().unwrap();
    let member = st.connections.iter().find(|c| c.id == connection_id);
    let Some(member) = member.map(|c| c.member) else {
        return m.not_found("connection");
    };
    st.primary_emails.insert(member, email.clone());
    Json(json!({"id": connection_id, "email": email})).into_response()
}

async fn delete_connection(
    State(m): State<Arc<Mock>>,
    Path((_, connection_id)): Path<(String, String)>,
) -> Response {
    let removed = {
        let mut st = m.state.lock().unwrap();
        let Some(i) = st.connections.iter().position(|c| c.id == connection_id) else {
            return m.not_found("connection");
        };
        let c = if m.has(Defect::DeleteKeepsConnection) {
            st.connections[i].clone()
        } else {
            st.connections.remove(i)
        };
        st.deleted.push(c.clone());
        c
    };
    if let Some(url) = &m.config.webhook_url
        && !m.has(Defect::WebhookNotSent)
    {
        let event = if m.has(Defect::WebhookEventMisnamed) {
            "connection_deleted"
        } else {
            "user_account_deleted"
        };
        let payload = json!({
            "event": event,
            "appId": m.config.app_id,
            "connectionId": removed.id,
            "globalId": m.gid(removed.member),
            "deletedAt": rfc3339(m.clock.now_secs()),
        });
        if let Err(e) = m.webhooks.post(url).json(&payload).send().await {
            tracing::warn!("the mock could not deliver user_account_deleted: {e}");
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

// Licenses (bodies assumed: the document defers them to its Licenses guide).

fn code_json(c: &LicenseCode) -> Value {
    json!({
        "id": c.id,
        "code": c.code,
        "variantId": c.variant_id,
        "status": c.status,
        "linkedConnectionId": c.linked_connection_id,
    })
}

async fn list_variants(State(m): State<Arc<Mock>>) -> Response {
    let st = m.state.lock().unwrap();
    let variants: Vec<Value> = st
        .variants
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    Json(json!({"variants": variants})).into_response()
}

/// The `name` of a variant body.
fn variant_name(m: &Mock, body: &[u8]) -> Result<String, Response> {
    json_object(body)
        .and_then(|b| b.get("name").and_then(Value::as_str).map(str::to_owned))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| m.bad_request("name is required"))
}

async fn create_variant(State(m): State<Arc<Mock>>, body: Bytes) -> Response {
    let name = match variant_name(&m, &body) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let id = opaque("var_");
    m.state
        .lock()
        .unwrap()
        .variants
        .push((id.clone(), name.clone()));
    (StatusCode::CREATED, Json(json!({"id": id, "name": name}))).into_response()
}

async fn update_variant(
    State(m): State<Arc<Mock>>,
    Path((_, variant_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let name = match variant_name(&m, &body) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let mut st = m.state.lock().unwrap();
    let Some(v) = st.variants.iter_mut().find(|(id, _)| *id == variant_id) else {
        return m.not_found("variant");
    };
    v.1 = name.clone();
    Json(json!({"id": variant_id, "name": name})).into_response()
}

async fn delete_variant(
    State(m): State<Arc<Mock>>,
    Path((_, variant_id)): Path<(String, String)>,
) -> Response {
    let mut st = m.state.lock().unwrap();
    let before = st.variants.len();
    st.variants.retain(|(id, _)| *id != variant_id);
    if st.variants.len() == before {
        return m.not_found("variant");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Adds `codes` for the body's `variantId`, active and linked to no connection.
fn add_codes(m: &Mock, body: &Map<String, Value>, codes: Vec<String>) -> Response {
    let Some(variant_id) = body.get("variantId").and_then(Value::as_str) else {
        return m.bad_request("variantId is required");
    };
    let mut st = m.state.lock().unwrap();
    if !st.variants.iter().any(|(id, _)| id == variant_id) {
        return m.not_found("variant");
    }
    let added: Vec<LicenseCode> = codes
        .into_iter()
        .map(|code| LicenseCode {
            id: opaque("lic_"),
            code,
            variant_id: variant_id.to_owned(),
            status: "active",
            linked_connection_id: None,
        })
        .collect();
    st.license_codes.extend(added.iter().cloned());
    let shown: Vec<Value> = added.iter().map(code_json).collect();
    (StatusCode::CREATED, Json(json!({"codes": shown}))).into_response()
}

async fn generate_codes(State(m): State<Arc<Mock>>, body: Bytes) -> Response {
    let body = match m.object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let count = body.get("count").and_then(Value::as_u64).unwrap_or(1);
    if !(1..=100).contains(&count) {
        return m.bad_request("count is 1 to 100");
    }
    let codes = (0..count).map(|_| opaque("ls_lic_")).collect();
    add_codes(&m, &body, codes)
}

async fn upload_codes(State(m): State<Arc<Mock>>, body: Bytes) -> Response {
    let body = match m.object(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let codes: Vec<String> = body
        .get("codes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if codes.is_empty() {
        return m.bad_request("codes (a list of strings) is required");
    }
    add_codes(&m, &body, codes)
}

async fn list_codes(State(m): State<Arc<Mock>>) -> Response {
    let st = m.state.lock().unwrap();
    let codes: Vec<Value> = st.license_codes.iter().map(code_json).collect();
    Json(json!({"codes": codes})).into_response()
}

async fn delete_code(
    State(m): State<Arc<Mock>>,
    Path((_, code_id)): Path<(String, String)>,
) -> Response {
    let mut st = m.state.lock().unwrap();
    let before = st.license_codes.len();
    st.license_codes.retain(|c| c.id != code_id);
    if st.license_codes.len() == before {
        return m.not_found("code");
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn subscriptions(State(m): State<Arc<Mock>>, headers: HeaderMap) -> Response {
    let member = match m.end_user_guard(&headers) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let st = m.state.lock().unwrap();
    let mine: Vec<&String> = st
        .connections
        .iter()
        .filter(|c| c.member == member)
        .map(|c| &c.id)
        .collect();
    let subs: Vec<Value> = st
        .license_codes
        .iter()
        .filter(|c| {
            c.linked_connection_id
                .as_ref()
                .is_some_and(|l| mine.contains(&l))
        })
        .map(|c| json!({"variantId": c.variant_id, "codeId": c.id, "status": "active"}))
        .collect();
    Json(json!({"subscriptions": subs})).into_response()
}

async fn redeem(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let member = match m.end_user_guard(&headers) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let code = json_object(&body).and_then(|b| b.get("code").cloned());
    let Some(Value::String(code)) = code else {
        return m.bad_request("code is required");
    };
    let mut st = m.state.lock().unwrap();
    let mine = st.connections.iter().find(|c| c.member == member);
    let Some(connection) = mine.map(|c| c.id.clone()) else {
        let why = "connect to the app before redeeming its codes";
        return m.error(StatusCode::CONFLICT, "no_connection", why);
    };
    let link = !m.has(Defect::RedemptionNotLinked);
    let Some(c) = st.license_codes.iter_mut().find(|c| c.code == code) else {
        return m.not_found("code");
    };
    if c.status != "active" {
        let why = "the code is not active";
        return m.error(StatusCode::CONFLICT, "code_not_active", why);
    }
    c.status = "redeemed";
    if link {
        c.linked_connection_id = Some(connection);
    }
    Json(json!({"code": code_json(c)})).into_response()
}

/// Control: signs the sandbox user in to LoginSign itself and answers their session cookie, as a
/// browser would hold it (no documented route hands one to a harness).
async fn user_session(State(m): State<Arc<Mock>>) -> Response {
    let value = opaque("lsusr_");
    m.state
        .lock()
        .unwrap()
        .user_sessions
        .insert(value.clone(), SANDBOX_USER);
    (
        StatusCode::CREATED,
        Json(json!({"cookie": format!("{USER_SESSION_COOKIE}={value}")})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_689_777_000), "2023-07-19T14:30:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn credentials_are_read_from_headers() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Basic NDA6czNjcjN0".parse().unwrap());
        h.insert(header::COOKIE, "a=1; ls_dev=xyz".parse().unwrap());
        assert_eq!(basic(&h), Some(("40".to_owned(), "s3cr3t".to_owned())));
        assert!(has_cookie(&h, "ls_dev=xyz") && !has_cookie(&h, "ls_dev=xy"));
        assert_eq!(cookie_value(&h, "a").as_deref(), Some("1"));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn addresses_are_told_apart() {
        assert!(is_email("new@example.com"));
        assert!(!is_email("not-an-email") && !is_email("@example.com") && !is_email("a@b"));
    }
}
