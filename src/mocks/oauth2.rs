//! The generic OAuth 2.0 mock: a standard RFC 6749 authorization server (authorization-code and
//! refresh-token grants) with an auto-approving `/authorize` taking PKCE (RFC 7636, `S256` only)
//! and answering with `iss` (RFC 9207), a form-encoded `/token` taking HTTP Basic (or body)
//! client authentication, a Bearer-protected `/resource` (RFC 6750), and its metadata at
//! `/.well-known/oauth-authorization-server` (RFC 8414), its issuer being its own base URL. It is
//! the reference the `features/oauth2/` scenarios are proven against; each defect breaks one MUST
//! of the RFCs.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::json;

use super::{Issued, bearer_refusal, bearer_token, defects, oauth_error, opaque, redirect_with};
use crate::secret::Secret;

defects!(
    /// Each violates one requirement of RFC 6749 or RFC 6750.
    Defect {
        StateNotEchoed = "state-not-echoed": "the redirect carries the state the client sent (RFC 6749 §4.1.2)",
        UnknownClientRedirected = "unknown-client-redirected": "a request without a valid client_id is not redirected (§4.1.2.1)",
        RedirectUriNotChecked = "redirect-uri-not-checked": "an unregistered redirect_uri is never redirected to (§4.1.2.1, §3.1.2.4)",
        ResponseTypeNotChecked = "response-type-not-checked": "a missing or unsupported response_type gets an error redirect and no code (§4.1.2.1)",
        ErrorWithoutState = "error-without-state": "an error redirect carries the state the client sent (§4.1.2.1)",
        TokenTypeMissing = "token-type-missing": "the token response carries token_type (§5.1)",
        TokenResponseCacheable = "token-response-cacheable": "token responses carry Cache-Control: no-store (§5.1)",
        CodeReusable = "code-reusable": "a code exchanged a second time is refused (§4.1.2)",
        TokenRedirectUriNotChecked = "token-redirect-uri-not-checked": "the token request's redirect_uri is the authorization request's (§4.1.3)",
        WrongSecretAccepted = "wrong-secret-accepted": "a wrong client secret gets invalid_client (§5.2)",
        NoBasicChallenge = "no-basic-challenge": "a failed HTTP Basic client authentication gets 401 with WWW-Authenticate (§5.2)",
        UnauthenticatedClientAccepted = "unauthenticated-client-accepted": "a confidential client must authenticate at the token endpoint (§3.2.1)",
        MissingFieldServerError = "missing-field-server-error": "a token request missing a parameter gets 400 invalid_request (§5.2)",
        UnsupportedGrantAccepted = "unsupported-grant-accepted": "an unsupported grant_type gets unsupported_grant_type (§5.2)",
        UnissuedCodeAccepted = "unissued-code-accepted": "a code the server never issued gets invalid_grant (§5.2)",
        IssuedTokenRefused = "issued-token-refused": "the protected resource serves a request with a valid access token (RFC 6750 §2.1)",
        MissingTokenAccepted = "missing-token-accepted": "a resource request without a token is refused with 401 (RFC 6750 §3.1)",
        UnknownTokenAccepted = "unknown-token-accepted": "a token the server never issued is refused with invalid_token (RFC 6750 §3.1)",
        NoBearerChallenge = "no-bearer-challenge": "a refused resource request carries WWW-Authenticate: Bearer (RFC 6750 §3)",
        MetadataIssuerMismatch = "metadata-issuer-mismatch": "the metadata's issuer is the issuer identifier it is fetched for (RFC 8414 §3.3)",
        MetadataRequiredFieldMissing = "metadata-required-field-missing": "the metadata carries response_types_supported (RFC 8414 §2, REQUIRED)",
        MetadataMalformed = "metadata-malformed": "the metadata's lists are JSON arrays (RFC 8414 §2)",
        PkceVerifierNotChecked = "pkce-verifier-not-checked": "a code_verifier that does not match the challenge gets invalid_grant (RFC 7636 §4.6)",
        PkceVerifierOptional = "pkce-verifier-optional": "a code issued for a challenge is not exchanged without code_verifier (RFC 7636 §4.5, §4.6)",
        PkcePlainAccepted = "pkce-plain-accepted": "a server supporting only S256 refuses a plain challenge with invalid_request (RFC 7636 §4.4.1)",
        RefreshGrantRefused = "refresh-grant-refused": "a refresh token it issued is exchanged for a new access token (RFC 6749 §6)",
        UnknownRefreshTokenAccepted = "unknown-refresh-token-accepted": "a refresh token it never issued gets invalid_grant (RFC 6749 §5.2, §6)",
        IssMissing = "iss-missing": "the authorization response carries iss, as the metadata advertises (RFC 9207 §2)",
        TokenRedirectUriOptional = "token-redirect-uri-optional": "a token request without the redirect_uri the authorization request carried is refused (RFC 6749 §4.1.3)",
        UnknownBasicClientAccepted = "unknown-basic-client-accepted": "an unknown client id in HTTP Basic gets invalid_client (RFC 6749 §5.2)",
        UnknownParameterRefused = "unknown-parameter-refused": "an authorization request with a parameter the server does not know is served, the parameter ignored (RFC 6749 §3.1)",
        CodeOfAnotherClientAccepted = "code-of-another-client-accepted": "a code is exchanged only by the client it was issued to (RFC 6749 §4.1.3)",
        RefreshOfAnotherClientAccepted = "refresh-of-another-client-accepted": "a refresh token is exchanged only by the client it was issued to (RFC 6749 §6)",
        TwoTokenMethodsAccepted = "two-token-methods-accepted": "a resource request carrying the token in two ways gets invalid_request (RFC 6750 §3.1)",
    }
);

/// The `sub` of the resource owner every authorization is granted for.
const TEST_USER: &str = "oauth2-mock-user";

/// A second registered client, the same in every oauth2 mock: the scenarios that check a grant
/// is bound to its client use it (`second_client_id` in a target file).
pub const SECOND_CLIENT: (&str, &str) = ("oauth2-second-client", "oauth2-second-client-secret-5");

/// The registered client and the defects the mock has.
#[derive(Clone, Debug)]
pub struct Config {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    pub defects: BTreeSet<Defect>,
}

#[derive(Debug)]
struct Grant {
    /// The redirect_uri of the authorization request, if it carried one.
    redirect_uri: Option<String>,
    scope: String,
    used: bool,
    /// The PKCE code challenge (RFC 7636 §4.3), always S256 here.
    challenge: Option<String>,
    /// The client it was issued to.
    client_id: String,
}

#[derive(Debug)]
struct Mock {
    config: Config,
    codes: Mutex<Issued<Grant>>,
    /// Access token to its scope.
    tokens: Mutex<Issued<String>>,
    /// Refresh token to its client and scope.
    refresh_tokens: Mutex<Issued<(String, String)>>,
}

impl Mock {
    fn has(&self, d: Defect) -> bool {
        self.config.defects.contains(&d)
    }
}

/// The standard RFC 6749 mock, as the provider table knows it.
pub const MOCK: super::Mock = super::Mock {
    defects: Defect::list,
    router: |client, defects| {
        Ok(router(Config {
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            redirect_uri: client.redirect_uri.clone(),
            defects: Defect::parse_all(defects)?,
        }))
    },
    app_id: None,
    test_user: None,
    identities,
};

/// What the standalone mock prints at start.
pub fn identities(client: &super::MockClient) -> Vec<super::Identity> {
    vec![
        ("client_id", client.client_id.clone()),
        ("redirect_uri", client.redirect_uri.clone()),
        (
            "resource owner every authorization is granted for",
            format!("{TEST_USER} (/resource answers its sub)"),
        ),
    ]
}

pub fn router(config: Config) -> Router {
    let mock = Arc::new(Mock {
        config,
        codes: Mutex::default(),
        tokens: Mutex::default(),
        refresh_tokens: Mutex::default(),
    });
    Router::new()
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/resource", get(resource))
        .with_state(mock)
}

/// The mock's issuer identifier: the base URL it was reached at (RFC 8414 §2).
fn issuer(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// RFC 8414 §2-3: the metadata, with the issuer it is fetched for.
async fn metadata(State(m): State<Arc<Mock>>, headers: HeaderMap) -> Response {
    let issuer = issuer(&headers);
    let mut doc = json!({
        "issuer": if m.has(Defect::MetadataIssuerMismatch) { format!("{issuer}/other") } else { issuer.clone() },
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
    });
    let fields = doc.as_object_mut().expect("an object");
    if m.has(Defect::MetadataRequiredFieldMissing) {
        fields.remove("response_types_supported");
    }
    if m.has(Defect::MetadataMalformed) {
        fields.insert("code_challenge_methods_supported".into(), json!("S256"));
    }
    (StatusCode::OK, Json(doc)).into_response()
}

/// RFC 7636 §4.2: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
pub fn s256(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// RFC 6749 §4.1.1-4.1.2.1: an unknown client or redirect URI gets an error page; every other
/// error goes back to the client as `error` and `state`.
async fn authorize(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let registered = m.config.redirect_uri.clone();
    let state = q.get("state").cloned();
    // RFC 9207 §2: every authorization response, success or error, names the issuer.
    let iss = (!m.has(Defect::IssMissing)).then(|| issuer(&headers));
    let error_redirect = |to: &str, error: &str| {
        let mut pairs = vec![("error", error)];
        if let Some(s) = &state
            && !m.has(Defect::ErrorWithoutState)
        {
            pairs.push(("state", s));
        }
        if let Some(i) = &iss {
            pairs.push(("iss", i));
        }
        redirect_with(to, &pairs)
    };
    if q.get("client_id") != Some(&m.config.client_id) {
        if m.has(Defect::UnknownClientRedirected) {
            return error_redirect(&registered, "unauthorized_client");
        }
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "unknown or missing client_id",
        );
    }
    let given = q.get("redirect_uri").cloned();
    let redirect_uri = match &given {
        Some(r) if *r != registered && !m.has(Defect::RedirectUriNotChecked) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "redirect_uri is not registered for this client",
            );
        }
        Some(r) => r.clone(),
        None => registered,
    };
    match q.get("response_type").map(String::as_str) {
        Some("code") => {}
        _ if m.has(Defect::ResponseTypeNotChecked) => {}
        Some(_) => return error_redirect(&redirect_uri, "unsupported_response_type"),
        None => return error_redirect(&redirect_uri, "invalid_request"),
    }
    // RFC 7636 §4.3: without a method the challenge is plain, which this server (S256 only)
    // refuses as §4.4.1 says.
    let challenge = q.get("code_challenge").cloned();
    if challenge.is_some()
        && q.get("code_challenge_method").map(String::as_str) != Some("S256")
        && !m.has(Defect::PkcePlainAccepted)
    {
        return error_redirect(&redirect_uri, "invalid_request");
    }
    const KNOWN: [&str; 7] = [
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ];
    if m.has(Defect::UnknownParameterRefused) && q.keys().any(|k| !KNOWN.contains(&k.as_str())) {
        return error_redirect(&redirect_uri, "invalid_request");
    }
    let code = opaque("o2_code_");
    m.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            redirect_uri: given,
            scope: q.get("scope").cloned().unwrap_or_default(),
            used: false,
            challenge,
            client_id: m.config.client_id.clone(),
        },
    );
    let mut pairs = vec![("code", code.as_str())];
    let changed = state.as_ref().map(|s| format!("{s}-changed"));
    match (&state, m.has(Defect::StateNotEchoed)) {
        (Some(_), true) => pairs.push(("state", changed.as_deref().unwrap_or_default())),
        (Some(s), false) => pairs.push(("state", s)),
        (None, _) => {}
    }
    if let Some(i) = &iss {
        pairs.push(("iss", i));
    }
    redirect_with(&redirect_uri, &pairs)
}

/// The client's credentials: HTTP Basic (§2.3.1, form-urlencoded id and secret), else the body
/// fields; `basic` says which was used.
struct Credentials {
    id: String,
    secret: String,
    basic: bool,
}

fn credentials(headers: &HeaderMap, fields: &HashMap<String, String>) -> Option<Credentials> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if let Some(encoded) = basic {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return Some(Credentials {
            id: unescape(id),
            secret: unescape(secret),
            basic: true,
        });
    }
    Some(Credentials {
        id: fields.get("client_id")?.clone(),
        secret: fields.get("client_secret")?.clone(),
        basic: false,
    })
}

/// §5.2: invalid_client, 401 with a challenge when the client tried HTTP Basic.
fn invalid_client(m: &Mock, basic: bool) -> Response {
    let mut answer = oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "client authentication failed",
    );
    if basic && !m.has(Defect::NoBasicChallenge) {
        answer.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"oauth2-mock\""),
        );
    }
    answer
}

async fn token(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send application/x-www-form-urlencoded (RFC 6749 §4.1.3)",
        );
    }
    let fields: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| fields.get(name).map(String::as_str);
    let second = SECOND_CLIENT;
    let client = match credentials(&headers, &fields) {
        Some(c)
            if c.id == m.config.client_id
                && (c.secret == m.config.client_secret.expose()
                    || m.has(Defect::WrongSecretAccepted)) =>
        {
            c.id
        }
        Some(c)
            if c.id == second.0 && (c.secret == second.1 || m.has(Defect::WrongSecretAccepted)) =>
        {
            c.id
        }
        Some(c)
            if c.basic
                && c.id != m.config.client_id
                && m.has(Defect::UnknownBasicClientAccepted) =>
        {
            c.id
        }
        Some(c) => return invalid_client(&m, c.basic),
        None if m.has(Defect::UnauthenticatedClientAccepted)
            && field("client_id") == Some(m.config.client_id.as_str()) =>
        {
            m.config.client_id.clone()
        }
        None => return invalid_client(&m, false),
    };
    let missing = |what: &str| {
        if m.has(Defect::MissingFieldServerError) {
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", what)
        } else {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_request", what)
        }
    };
    match field("grant_type") {
        None => return missing("grant_type is missing"),
        Some("authorization_code") => {}
        Some("refresh_token") if !m.has(Defect::RefreshGrantRefused) => {
            let Some(refresh_token) = field("refresh_token") else {
                return missing("refresh_token is missing");
            };
            let issued = m.refresh_tokens.lock().unwrap().get(refresh_token).cloned();
            return match issued {
                Some((owner, _))
                    if owner != client && !m.has(Defect::RefreshOfAnotherClientAccepted) =>
                {
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "the refresh token was issued to another client",
                    )
                }
                Some((_, scope)) => issue_tokens(&m, &client, scope),
                None if m.has(Defect::UnknownRefreshTokenAccepted) => {
                    issue_tokens(&m, &client, String::new())
                }
                None => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown refresh token",
                ),
            };
        }
        Some(_) if m.has(Defect::UnsupportedGrantAccepted) => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only the authorization code grant is supported",
            );
        }
    }
    let Some(code) = field("code") else {
        return missing("code is missing");
    };
    let scope = {
        let mut codes = m.codes.lock().unwrap();
        let invalid = |why: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why);
        match codes.get_mut(code) {
            Some(g) if g.used && !m.has(Defect::CodeReusable) => {
                return invalid("the code was already used");
            }
            Some(g) if g.client_id != client && !m.has(Defect::CodeOfAnotherClientAccepted) => {
                return invalid("the code was issued to another client");
            }
            Some(g)
                if g.redirect_uri.is_some()
                    && field("redirect_uri").is_none()
                    && !m.has(Defect::TokenRedirectUriOptional) =>
            {
                return invalid("the authorization request carried redirect_uri: send it");
            }
            Some(g)
                if g.redirect_uri.is_some()
                    && field("redirect_uri").is_some()
                    && g.redirect_uri.as_deref() != field("redirect_uri")
                    && !m.has(Defect::TokenRedirectUriNotChecked) =>
            {
                return invalid("redirect_uri differs from the authorization request's");
            }
            Some(g)
                if g.challenge.is_some()
                    && field("code_verifier").is_none()
                    && !m.has(Defect::PkceVerifierOptional) =>
            {
                return invalid("code_verifier is missing (RFC 7636 §4.5)");
            }
            Some(g)
                if g.challenge
                    .as_deref()
                    .is_some_and(|c| field("code_verifier").is_some_and(|v| s256(v) != c))
                    && !m.has(Defect::PkceVerifierNotChecked) =>
            {
                return invalid("code_verifier does not match the challenge");
            }
            Some(g) => {
                g.used = true;
                g.scope.clone()
            }
            None if m.has(Defect::UnissuedCodeAccepted) => String::new(),
            None => return invalid("unknown code"),
        }
    };
    issue_tokens(&m, &client, scope)
}

/// RFC 6749 §5.1: a new access token and a refresh token of `client` for `scope`.
fn issue_tokens(m: &Mock, client: &str, scope: String) -> Response {
    let access_token = opaque("o2_at_");
    let refresh_token = opaque("o2_rt_");
    m.tokens
        .lock()
        .unwrap()
        .insert(access_token.clone(), scope.clone());
    m.refresh_tokens
        .lock()
        .unwrap()
        .insert(refresh_token.clone(), (client.to_owned(), scope));
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": refresh_token,
    });
    if m.has(Defect::TokenTypeMissing) {
        answer.as_object_mut().unwrap().remove("token_type");
    }
    let mut response = (StatusCode::OK, Json(answer)).into_response();
    if !m.has(Defect::TokenResponseCacheable) {
        let h = response.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}

async fn resource(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let refuse = |code: Option<&str>, why: &str| {
        let mut r = bearer_refusal(code, why);
        if m.has(Defect::NoBearerChallenge) {
            r.headers_mut().remove(header::WWW_AUTHENTICATE);
        }
        r
    };
    let granted = |scope: &str| {
        (
            StatusCode::OK,
            Json(json!({"sub": TEST_USER, "scope": scope})),
        )
            .into_response()
    };
    let Some(token) = bearer_token(&headers) else {
        if m.has(Defect::MissingTokenAccepted) {
            return granted("");
        }
        return refuse(None, "Authorization: Bearer <token> is required");
    };
    // RFC 6750 §3.1: more than one method of including the token is invalid_request, 400.
    if q.contains_key("access_token") && !m.has(Defect::TwoTokenMethodsAccepted) {
        let mut r = bearer_refusal(Some("invalid_request"), "send the token one way only");
        *r.status_mut() = StatusCode::BAD_REQUEST;
        return r;
    }
    let scope = m.tokens.lock().unwrap().get(&token).cloned();
    match scope {
        Some(_) if m.has(Defect::IssuedTokenRefused) => {
            refuse(Some("invalid_token"), "the token is not accepted")
        }
        Some(scope) => granted(&scope),
        None if m.has(Defect::UnknownTokenAccepted) => granted(""),
        None => refuse(Some("invalid_token"), "unknown token"),
    }
}
