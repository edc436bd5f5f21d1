//! The losgehts Ident mock (losgehts Ident OAuth 2.0 guide): auto-approving authorize, JSON token
//! exchange, JSON userinfo with the KYC verification record and audit log, and the
//! server-to-server GET notification of the client's callback.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{
    Clock, Issued, client_for, clock_routes, defects, oauth_error, opaque, redirect_with,
    token_answer, url_with,
};
use crate::secret::Secret;

defects!(
    /// Each violates one behaviour of the losgehts document (or of RFC 6749 where it is silent).
    Defect {
        StateNotEchoed = "state-not-echoed": "the callback carries the same state the client sent",
        MissingParameterIssuesCode = "missing-parameter-issues-code": "client_id, state and scope are required at /oauth/authorize",
        UnknownScopeAccepted = "unknown-scope-accepted": "scope values are signup, kyc, sof, business",
        OnlySignupScope = "only-signup-scope": "the scope values kyc, sof and business (and lists of them) are accepted",
        LocaleRequired = "locale-required": "locale and country are optional at /oauth/authorize",
        UnissuedCodeAccepted = "unissued-code-accepted": "a code the provider never issued gets invalid_grant (RFC 6749 §5.2)",
        CodeReusable = "code-reusable": "an authorization code is exchanged once (RFC 6749 §4.1.2)",
        WrongSecretAccepted = "wrong-secret-accepted": "the token exchange authenticates client_id and client_secret",
        WrongErrorCode = "wrong-error-code": "a wrong client secret gets error invalid_client (RFC 6749 §5.2)",
        MissingFieldServerError = "missing-field-server-error": "a token request missing a field gets a 4xx OAuth error (RFC 6749 §5.2)",
        UnsupportedGrantAccepted = "unsupported-grant-accepted": "grant_type is authorization_code (RFC 6749 §4.1.3)",
        TokenTypeNotBearer = "token-type-not-bearer": "token_type is Bearer",
        MissingExpiresIn = "missing-expires-in": "the token response carries expires_in",
        NoCacheControl = "no-cache-control": "token responses carry Cache-Control: no-store (RFC 6749 §5.1)",
        UserinfoTokenNotChecked = "userinfo-token-not-checked": "userinfo requires a valid access token",
        UserinfoSecretNotChecked = "userinfo-secret-not-checked": "userinfo authenticates client_id and client_secret",
        TokenNeverExpires = "token-never-expires": "the access token expires after expires_in seconds",
        VerificationStatusOutOfRange = "verification-status-out-of-range": "VerificationStatusId is 1, 2, 3 or 4",
        DateOfBirthFormat = "date-of-birth-format": "DateOfBirth is an ISO 8601 calendar date (YYYY-MM-DD)",
        CountryAlpha3 = "country-alpha3": "Country is ISO 3166-1 alpha-2",
        PhoneWithPlus = "phone-with-plus": "PhoneNumberInternational is E.164 digits without '+'",
        CurrencyLowercase = "currency-lowercase": "Currency is ISO 4217 (three uppercase letters)",
        GenderLowercase = "gender-lowercase": "Gender is MALE, FEMALE or OTHER",
        FlagAsBoolean = "flag-as-boolean": "Verified/Confirmed flags are 0 or 1",
        MissingVerificationField = "missing-verification-field": "every documented Verification field is returned",
        OAuthStateMismatch = "oauth-state-mismatch": "Verification.OAuthState is the state of the authorization",
        AuditDataInvalidJson = "audit-data-invalid-json": "AuditData that contains JSON parses as JSON",
        AuditCreatedAtNotUtc = "audit-created-at-not-utc": "AuditLog CreatedAt is a UTC ISO 8601 timestamp",
        NotificationNotGet = "notification-not-get": "server-to-server callback notifications are HTTP GET",
        UnknownClientAccepted = "unknown-client-accepted": "an authorization request naming a client_id the provider does not know gets no code",
        UnknownClientRedirected = "unknown-client-redirected": "an unknown client_id is not redirected to any callback (RFC 6749 §4.1.2.1)",
        CountryRefused = "country-refused": "the optional country parameter forces a country context and is accepted",
        MissingRefreshToken = "missing-refresh-token": "the token response carries refresh_token",
        TokenNotJson = "token-not-json": "the token response is declared application/json (RFC 6749 §5.1)",
        UserinfoNotJson = "userinfo-not-json": "the userinfo answer is declared application/json, as the document's example is JSON",
        UserinfoMissingTokenAccepted = "userinfo-missing-token-accepted": "a userinfo request without any token gets no record",
        TokenExpiresEarly = "token-expires-early": "the access token works until expires_in seconds have passed",
        NationalityAlpha3 = "nationality-alpha3": "Nationality is ISO 3166-1 alpha-2",
        PhoneCountryCodeAlpha3 = "phone-country-code-alpha3": "PhoneCountryCode is ISO 3166-1 alpha-2",
        LangLowercase = "lang-lowercase": "Lang is two uppercase letters (ISO 3166-1 alpha-2)",
        PhonePrefixWithPlus = "phone-prefix-with-plus": "PhoneCountryPrefix is written without '+'",
        OAuthScopeWithoutRequested = "oauth-scope-without-requested": "Verification.OAuthScope includes the scopes granted",
        ErrorNotJson = "error-not-json": "a token error answer is declared application/json (RFC 6749 §5.2)",
        UserinfoCredentialsOptional = "userinfo-credentials-optional": "userinfo requires client_id and client_secret, not only checks them when present",
        NotificationElsewhere = "notification-elsewhere": "server-to-server notifications invoke the callback endpoint itself",
    }
);

/// The documented scope values.
pub const SCOPES: [&str; 4] = ["signup", "kyc", "sof", "business"];

/// The user every authorization signs in (the document's example record): given name, family
/// name, e-mail address.
const TEST_USER: [&str; 3] = ["John", "Doe", "demo@losgehts.at"];

/// How the mock is set up: the one registered client and the defects it has.
#[derive(Clone, Debug)]
pub struct Config {
    pub client_id: String,
    pub client_secret: Secret,
    /// The client's registered callback URL.
    pub callback: String,
    /// The access tokens' `expires_in`, in seconds.
    pub token_lifetime: i64,
    pub defects: BTreeSet<Defect>,
}

#[derive(Debug)]
#[allow(dead_code, reason = "kept for debugging output of the mock state")]
struct Grant {
    state: String,
    scope: String,
    used: bool,
}

#[derive(Debug)]
pub struct Mock {
    config: Config,
    clock: Arc<Clock>,
    codes: Mutex<Issued<Grant>>,
    tokens: Mutex<Issued<(String, String, i64)>>,
    last_state: Mutex<Option<String>>,
    notifier: reqwest::Client,
}

impl Mock {
    fn has(&self, d: Defect) -> bool {
        self.config.defects.contains(&d)
    }
}

/// The losgehts mock, as the provider table knows it.
pub const MOCK: super::Mock = super::Mock {
    defects: Defect::list,
    router: |client, defects| {
        Ok(router(Config {
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            callback: client.redirect_uri.clone(),
            token_lifetime: client.token_lifetime,
            defects: Defect::parse_all(defects)?,
        }))
    },
    app_id: None,
    test_user: None,
    identities,
};

/// What the standalone mock prints at start.
pub fn identities(client: &super::MockClient) -> Vec<super::Identity> {
    let [given, family, email] = TEST_USER;
    vec![
        ("client_id", client.client_id.clone()),
        ("callback URL", client.redirect_uri.clone()),
        ("scopes", SCOPES.join(", ")),
        (
            "user every authorization signs in",
            format!("{given} {family} <{email}>, approved at once"),
        ),
    ]
}

/// The router serving the losgehts API and the mock's control routes under `/__mock/`.
pub fn router(config: Config) -> Router {
    let notifier = client_for(Some(&config.callback));
    let mock = Arc::new(Mock {
        config,
        clock: Arc::default(),
        codes: Mutex::default(),
        tokens: Mutex::default(),
        last_state: Mutex::default(),
        notifier,
    });
    Router::new()
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", post(token_endpoint))
        .route("/oauth/userinfo", post(userinfo))
        .route("/__mock/notify-callback", post(notify_callback))
        .with_state(mock.clone())
        .merge(clock_routes(mock.clock.clone()))
}

async fn authorize(
    State(m): State<Arc<Mock>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lenient = m.has(Defect::MissingParameterIssuesCode);
    let client_ok = q.get("client_id").is_some_and(|c| *c == m.config.client_id);
    // The lenient defect lets a request without client_id through as if it named the client;
    // unknown-client-accepted lets an unknown one through.
    let excused = match q.get("client_id") {
        None => lenient,
        Some(_) => m.has(Defect::UnknownClientAccepted),
    };
    if !client_ok && !excused {
        if q.contains_key("client_id") && m.has(Defect::UnknownClientRedirected) {
            return redirect_with(&m.config.callback, &[("error", "unauthorized_client")]);
        }
        // RFC 6749 §4.1.2.1: without a valid client the provider must not redirect.
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "unknown or missing client_id",
        );
    }
    let cb = &m.config.callback;
    let state = q.get("state").cloned();
    let Some(state) = state.or_else(|| lenient.then(String::new)) else {
        return redirect_with(cb, &[("error", "invalid_request")]);
    };
    let Some(scope) = q
        .get("scope")
        .cloned()
        .or_else(|| lenient.then(|| "signup".to_owned()))
    else {
        return redirect_with(cb, &[("error", "invalid_request"), ("state", &state)]);
    };
    let known = scope.split(' ').all(|s| SCOPES.contains(&s));
    if scope.trim().is_empty() || (!known && !m.has(Defect::UnknownScopeAccepted)) {
        return redirect_with(cb, &[("error", "invalid_scope"), ("state", &state)]);
    }
    if m.has(Defect::OnlySignupScope) && scope != "signup" {
        return redirect_with(cb, &[("error", "invalid_scope"), ("state", &state)]);
    }
    if m.has(Defect::CountryRefused) && q.contains_key("country") {
        return redirect_with(cb, &[("error", "invalid_request"), ("state", &state)]);
    }
    if m.has(Defect::LocaleRequired) && !q.contains_key("locale") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "locale is required",
        );
    }
    let code = opaque("lgt_code_");
    let grant = Grant {
        state: state.clone(),
        scope,
        used: false,
    };
    m.codes.lock().unwrap().insert(code.clone(), grant);
    *m.last_state.lock().unwrap() = Some(state.clone());
    let echoed = if m.has(Defect::StateNotEchoed) {
        format!("{state}-changed")
    } else {
        state
    };
    redirect_with(cb, &[("code", &code), ("state", &echoed)])
}

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// The token endpoint; a refusal is declared as text under the error-not-json defect.
async fn token_endpoint(State(m): State<Arc<Mock>>, body: axum::body::Bytes) -> Response {
    let answer = token(State(m.clone()), body).await;
    if m.has(Defect::ErrorNotJson) && answer.status().is_client_error() {
        return declared_as_text(answer);
    }
    answer
}

async fn token(State(m): State<Arc<Mock>>, body: axum::body::Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be JSON",
        );
    };
    let missing = |status, error: &str, what: &str| {
        if m.has(Defect::MissingFieldServerError) {
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", what)
        } else {
            oauth_error(status, error, what)
        }
    };
    let Some(grant_type) = field(&body, "grant_type") else {
        return missing(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
        );
    };
    let (Some(client_id), Some(secret)) =
        (field(&body, "client_id"), field(&body, "client_secret"))
    else {
        return missing(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication is missing",
        );
    };
    if client_id != m.config.client_id
        || (secret != m.config.client_secret.expose() && !m.has(Defect::WrongSecretAccepted))
    {
        let error = if m.has(Defect::WrongErrorCode) {
            "invalid_grant"
        } else {
            "invalid_client"
        };
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            error,
            "client authentication failed",
        );
    }
    if grant_type != "authorization_code" && !m.has(Defect::UnsupportedGrantAccepted) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "use authorization_code",
        );
    }
    let Some(code) = field(&body, "code") else {
        return missing(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code is missing",
        );
    };
    let (state, scope) = {
        let mut codes = m.codes.lock().unwrap();
        match codes.get_mut(code) {
            Some(g) if !g.used || m.has(Defect::CodeReusable) => {
                g.used = true;
                (g.state.clone(), g.scope.clone())
            }
            None if m.has(Defect::UnissuedCodeAccepted) => (String::new(), "signup".to_owned()),
            _ => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code is invalid or used",
                );
            }
        }
    };
    let access = opaque("lgt_at_");
    m.tokens
        .lock()
        .unwrap()
        .insert(access.clone(), (state, scope, m.clock.now_secs()));
    let mut answer = json!({
        "access_token": access,
        "token_type": if m.has(Defect::TokenTypeNotBearer) { "MAC" } else { "Bearer" },
        "expires_in": m.config.token_lifetime,
        "refresh_token": opaque("lgt_rt_"),
    });
    if m.has(Defect::MissingExpiresIn) {
        answer.as_object_mut().unwrap().remove("expires_in");
    }
    if m.has(Defect::MissingRefreshToken) {
        answer.as_object_mut().unwrap().remove("refresh_token");
    }
    let answer = token_answer(answer, !m.has(Defect::NoCacheControl));
    if m.has(Defect::TokenNotJson) {
        return declared_as_text(answer);
    }
    answer
}

async fn userinfo(State(m): State<Arc<Mock>>, body: axum::body::Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be JSON",
        );
    };
    let absent = field(&body, "client_id").is_none() && field(&body, "client_secret").is_none();
    let client_ok = (field(&body, "client_id") == Some(m.config.client_id.as_str())
        && field(&body, "client_secret") == Some(m.config.client_secret.expose()))
        || (absent && m.has(Defect::UserinfoCredentialsOptional));
    if !client_ok && !m.has(Defect::UserinfoSecretNotChecked) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let token = field(&body, "token");
    if token.is_none() && m.has(Defect::UserinfoMissingTokenAccepted) {
        return (
            StatusCode::OK,
            Json(verification_record(&m, "unknown", "signup")),
        )
            .into_response();
    }
    let grant = token.and_then(|t| m.tokens.lock().unwrap().get(t).cloned());
    let (state, scope) = match grant {
        Some((state, scope, issued)) => {
            let lifetime = if m.has(Defect::TokenExpiresEarly) {
                m.config.token_lifetime / 2
            } else {
                m.config.token_lifetime
            };
            let expired = m.clock.now_secs() - issued >= lifetime;
            if expired && !m.has(Defect::TokenNeverExpires) {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "the token has expired",
                );
            }
            (state, scope)
        }
        None if m.has(Defect::UserinfoTokenNotChecked) => {
            ("unknown".to_owned(), "signup".to_owned())
        }
        None => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "unknown token"),
    };
    let answer = (
        StatusCode::OK,
        Json(verification_record(&m, &state, &scope)),
    )
        .into_response();
    if m.has(Defect::UserinfoNotJson) {
        return declared_as_text(answer);
    }
    answer
}

/// The same JSON body, declared as `text/plain` (a defect: the answer no longer says it is JSON).
fn declared_as_text(mut answer: Response) -> Response {
    answer.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    answer
}

/// The document's example record, with every nullable field filled so formats can be checked.
fn verification_record(m: &Mock, state: &str, scope: &str) -> Value {
    let d = |defect| m.has(defect);
    let oauth_state = if d(Defect::OAuthStateMismatch) {
        "another-state"
    } else {
        state
    };
    let flag = |v: i64| {
        if d(Defect::FlagAsBoolean) {
            json!(v == 1)
        } else {
            json!(v)
        }
    };
    let mut v = json!({
        "VerificationId": 354,
        "OAuthState": oauth_state,
        "OAuthScope": if d(Defect::OAuthScopeWithoutRequested) { "email phonenumber".to_owned() } else { format!("{scope} email phonenumber") },
        "Password": "asdsad2132132",
        "Email": TEST_USER[2],
        "EmailConfirmed": flag(1),
        "VerificationStatusId": if d(Defect::VerificationStatusOutOfRange) { 5 } else { 2 },
        "FirstName": TEST_USER[0],
        "FirstNameVerified": 1,
        "LastName": TEST_USER[1],
        "LastNameVerified": 1,
        "DateOfBirth": if d(Defect::DateOfBirthFormat) { "31.12.1990" } else { "1990-12-31" },
        "DateOfBirthVerified": 1,
        "Gender": if d(Defect::GenderLowercase) { "male" } else { "MALE" },
        "GenderVerified": 1,
        "Nationality": if d(Defect::NationalityAlpha3) { "AUT" } else { "AT" },
        "NationalityVerified": 1,
        "Street": "Feldstraße",
        "StreetVerified": 1,
        "HouseNumber": "12",
        "HouseNumberVerified": 1,
        "ZipCode": "4020",
        "ZipCodeVerified": 1,
        "Town": "Linz",
        "TownVerified": 1,
        "Country": if d(Defect::CountryAlpha3) { "AUT" } else { "AT" },
        "CountryVerified": 1,
        "Region": "Oberösterreich",
        "RegionCode": "4",
        "PhoneNumber": "436604737427",
        "PhoneNumberInternational": if d(Defect::PhoneWithPlus) { "+436604737427" } else { "436604737427" },
        "PhoneNumberNational": "0660 4737427",
        "PhoneCountryCode": if d(Defect::PhoneCountryCodeAlpha3) { "AUT" } else { "AT" },
        "PhoneCountryPrefix": if d(Defect::PhonePrefixWithPlus) { "+43" } else { "43" },
        "PhoneNumberVerified": 0,
        "PhoneNumberConfirmed": 0,
        "Iban": "AT611904300234573201",
        "IbanVerified": 0,
        "Lang": if d(Defect::LangLowercase) { "de" } else { "DE" },
        "Currency": if d(Defect::CurrencyLowercase) { "eur" } else { "EUR" },
        "LimitAmount": 500,
        "DepositAmount": 10,
        "MarketingOptIn": 1,
        "AcceptedPrivacy": 1,
        "AcceptedTerms": 1
    });
    if d(Defect::MissingVerificationField) {
        v.as_object_mut().unwrap().remove("RegionCode");
    }
    let phone_data = if d(Defect::AuditDataInvalidJson) {
        "{PhoneNumber:436801114120,PhoneCountryCode:AT}"
    } else {
        r#"{"PhoneNumber":"436801114120","PhoneCountryCode":"AT"}"#
    };
    let created = if d(Defect::AuditCreatedAtNotUtc) {
        "2025-12-28T22:13:06.452+01:00"
    } else {
        "2025-12-28T21:13:06.452Z"
    };
    json!({
        "Verification": v,
        "AuditLog": [
            {"AuditLogId": 50, "CreatedAt": created, "AuditMessage": "Email captured", "AuditData": "user@example.com"},
            {"AuditLogId": 51, "CreatedAt": "2025-12-28T21:13:09.100Z", "AuditMessage": "Password set", "AuditData": null},
            {"AuditLogId": 52, "CreatedAt": "2025-12-28T21:13:12.621Z", "AuditMessage": "Phone captured", "AuditData": phone_data}
        ]
    })
}

/// Control: the provider notifies the client's callback server-to-server about the latest
/// authorization, as the document says it may.
async fn notify_callback(
    State(m): State<Arc<Mock>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let last = m.last_state.lock().unwrap().clone().unwrap_or_default();
    let state = q.get("state").cloned().unwrap_or(last);
    // The callback failing is not the mock's fault, nor the request's: 424 Failed Dependency,
    // never a 5xx (the mock answers no request with a 5xx; tests/mock_garbage.rs).
    let failed = |error: String| {
        (StatusCode::FAILED_DEPENDENCY, Json(json!({"error": error}))).into_response()
    };
    let callback = if m.has(Defect::NotificationElsewhere) {
        url::Url::parse(&m.config.callback)
            .map(|mut u| {
                u.set_path("/notifications");
                u.to_string()
            })
            .unwrap_or_else(|_| m.config.callback.clone())
    } else {
        m.config.callback.clone()
    };
    let Some(url) = url_with(&callback, &[("state", &state)]) else {
        return failed(format!(
            "the registered callback {} is not a URL",
            m.config.callback
        ));
    };
    let method = if m.has(Defect::NotificationNotGet) {
        reqwest::Method::POST
    } else {
        reqwest::Method::GET
    };
    match m.notifier.request(method, url).send().await {
        Ok(resp) => (
            StatusCode::OK,
            Json(json!({"callback_status": resp.status().as_u16()})),
        )
            .into_response(),
        Err(e) => failed(format!("the callback cannot be reached: {e}")),
    }
}
