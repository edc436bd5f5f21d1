//! The SSO v1 mock (SSO (v1) documentation): telephone + SMS-code sign-in under the
//! media type application/vnd.sso.v1+json. In-memory users keyed by telephone; every SMS the
//! mock "sends" carries the fixed test code. Requests that document the Authorization header
//! need HTTP Basic credentials `client_id:client_secret` (the document leaves the scheme to the
//! provider: "HTTP Basic, HTTP Digest, or OAuth2 Bearer token (check API provider for
//! details)").
//!
//! Each request passes, in this order: Accept (406), Content-Type (415), Authorization (401),
//! JSON syntax (400), required fields and their types (422; 404 where the endpoint lists neither
//! 400 nor 422), then the endpoint's own rules.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::{Issued, defects, opaque};
use crate::contract::checks::{accept_ranges, essence};
use crate::secret::Secret;

/// The telephone of the registered test user the mock knows.
pub const TEST_TELEPHONE: &str = "+4915100000001";
/// The telephone of a second registered user (a target file's `second_test_telephone`).
pub const SECOND_TELEPHONE: &str = "+4915100000002";
/// The SMS code every SMS of the mock carries.
pub const TEST_SMS_CODE: &str = "482916";
/// The provider's own media type.
pub const MEDIA_TYPE: &str = "application/vnd.sso.v1+json";
/// The documented request Content-Type values.
pub const CONTENT_TYPES: [&str; 2] = [MEDIA_TYPE, "application/json"];
/// "Keep in mind that the max amount of elements you can post is 100".
pub const MAX_STATUS_NUMBERS: usize = 100;

defects!(
    /// Each violates one behaviour the SSO v1 document describes.
    Defect {
        WrongAcceptServed = "wrong-accept-served": "Accept values other than the three documented ones are refused with 406",
        WildcardAcceptRefused = "wildcard-accept-refused": "Accept application/*+json is served",
        UnsupportedContentTypeAccepted = "unsupported-content-type-accepted": "a Content-Type other than application/vnd.sso.v1+json or application/json is refused with 415",
        ContentTypeUndocumented = "content-type-undocumented": "responses carry one of the documented Content-Type values",
        ContentTypeIgnoresAccept = "content-type-ignores-accept": "the response's Content-Type is one the request's Accept allows",
        AllowHeaderWrong = "allow-header-wrong": "the Allow header lists the methods allowed, the one served included",
        MissingAuthorizationAccepted = "missing-authorization-accepted": "endpoints that document Authorization refuse requests without it with 401",
        WrongCredentialsAccepted = "wrong-credentials-accepted": "endpoints that document Authorization refuse wrong credentials",
        UndocumentedAuthorizationRequired = "undocumented-authorization-required": "sms, email-optin and email-status document no Authorization and serve requests without it",
        MissingTelephoneAccepted = "missing-telephone-accepted": "telephone is required where the document marks it YES",
        MissingFieldServerError = "missing-field-server-error": "a request missing a required field gets a documented client error",
        WrongTypeAccepted = "wrong-type-accepted": "fields have their documented types (String, boolean, array)",
        AuthReturns200 = "auth-returns-200": "a successful POST /sso/auth answers 201 Created",
        SmsReturns200 = "sms-returns-200": "a successful POST /sso/sms answers 201 Created",
        EmailStatusIgnoresPending = "email-status-ignores-pending": "PATCH /sso/email-status knows the address a telephone's change is pending for",
        UndocumentedStatus = "undocumented-status": "successful PATCH requests answer 200 (the document lists no 204)",
        WrongSmsCodeAccepted = "wrong-sms-code-accepted": "/sso/code and /sso/auth accept only the code sent by SMS",
        AuthCodeNotMatched = "auth-code-not-matched": "POST /sso/user matches the username with the auth code of its sign-in",
        AuthCodeAnyRegisteredUser = "auth-code-any-registered-user": "/sso/user answers only the user whose sign-in generated the auth code, not any registered user named as username",
        UserStatus100Refused = "user-status-100-refused": "up to 100 telephone numbers are checked at once",
        UserStatus101Accepted = "user-status-101-accepted": "no more than 100 telephone numbers are checked at once",
        IsRegisteredAsString = "is-registered-as-string": "isRegistered is 1 or 0",
        UnregisteredReportedRegistered = "unregistered-reported-registered": "isRegistered is 0 for a number that is not registered",
        VerifiedAsString = "verified-as-string": "user.verified is a bool",
        EmailOptinNotSent = "email-optin-not-sent": "PATCH /sso/email sends an opt-in mail",
        OptinCodeNotChecked = "optin-code-not-checked": "PATCH /sso/email-optin confirms only a code the provider sent",
    }
);

/// How the mock is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// HTTP Basic credentials the mock accepts.
    pub client_id: String,
    pub client_secret: Secret,
    pub test_telephone: String,
    pub test_sms_code: Secret,
    pub defects: BTreeSet<Defect>,
}

#[derive(Clone, Debug)]
struct User {
    id: i64,
    email: String,
    nickname: String,
    firstname: String,
    verified: bool,
}

#[derive(Debug)]
pub struct Mock {
    config: Config,
    users: Mutex<HashMap<String, User>>,
    /// telephone -> the code of the last SMS sent to it.
    sms: Mutex<HashMap<String, String>>,
    /// auth code -> the telephone that signed in.
    auth_codes: Mutex<Issued<String>>,
    /// opt-in code -> (telephone, e-mail address): at most one pending address per telephone.
    optins: Mutex<Issued<(String, String)>>,
    next_id: AtomicI64,
}

impl Mock {
    fn has(&self, d: Defect) -> bool {
        self.config.defects.contains(&d)
    }
}

/// The SSO v1 mock, as the provider table knows it.
pub const MOCK: super::Mock = super::Mock {
    defects: Defect::list,
    router: |client, defects| {
        Ok(router(Config {
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            test_telephone: TEST_TELEPHONE.to_owned(),
            test_sms_code: Secret::new(TEST_SMS_CODE),
            defects: Defect::parse_all(defects)?,
        }))
    },
    app_id: None,
    test_user: Some((TEST_TELEPHONE, TEST_SMS_CODE)),
    identities,
};

/// What the standalone mock prints at start: the code is a fixed test value of the mock, not a
/// secret of anyone's.
pub fn identities(client: &super::MockClient) -> Vec<super::Identity> {
    vec![
        ("HTTP Basic user (client id)", client.client_id.clone()),
        (
            "registered test user's telephone",
            TEST_TELEPHONE.to_owned(),
        ),
        ("SMS code (every SMS carries it)", TEST_SMS_CODE.to_owned()),
        ("media type", MEDIA_TYPE.to_owned()),
    ]
}

/// The router serving the SSO v1 API and the mock's control routes under `/__mock/`.
pub fn router(config: Config) -> Router {
    let mut users = HashMap::new();
    users.insert(
        config.test_telephone.clone(),
        User {
            id: 1,
            email: "test.user@example.com".to_owned(),
            nickname: "tester".to_owned(),
            firstname: "Test".to_owned(),
            verified: true,
        },
    );
    users.insert(
        SECOND_TELEPHONE.to_owned(),
        User {
            id: 2,
            email: "second.user@example.com".to_owned(),
            nickname: "second".to_owned(),
            firstname: "Second".to_owned(),
            verified: true,
        },
    );
    let mock = Arc::new(Mock {
        config,
        users: Mutex::new(users),
        sms: Mutex::default(),
        auth_codes: Mutex::default(),
        optins: Mutex::default(),
        next_id: AtomicI64::new(3),
    });
    Router::new()
        .route("/sso/sms", post(sms))
        .route("/sso/code", post(code))
        .route("/sso/auth", post(auth))
        .route("/sso/user", post(user_post).get(user_get))
        .route("/sso/user/status", post(user_status))
        .route("/sso/email", patch(email))
        .route("/sso/email-optin", patch(email_optin))
        .route("/sso/email-status", patch(email_status))
        .route("/__mock/optin-mail", post(optin_mail))
        .with_state(mock)
}

/// What the mock knows about an endpoint.
struct Ep {
    /// The methods its path allows (the Allow header).
    allow: &'static str,
    authorization: bool,
    body: bool,
    /// The status a missing or mistyped field gets: 422, or 404 where the endpoint's list has
    /// neither 400 nor 422 (POST /sso/sms, GET /sso/user).
    invalid: StatusCode,
}

const SMS: Ep = Ep {
    allow: "POST",
    authorization: false,
    body: true,
    invalid: StatusCode::NOT_FOUND,
};
const CODE: Ep = Ep {
    allow: "POST",
    authorization: true,
    body: true,
    invalid: StatusCode::UNPROCESSABLE_ENTITY,
};
const AUTH: Ep = CODE;
const USER_POST: Ep = Ep {
    allow: "GET, POST",
    ..CODE
};
const USER_GET: Ep = Ep {
    allow: "GET, POST",
    authorization: true,
    body: false,
    invalid: StatusCode::NOT_FOUND,
};
const USER_STATUS: Ep = CODE;
const EMAIL: Ep = Ep {
    allow: "PATCH",
    ..CODE
};
const EMAIL_OPEN: Ep = Ep {
    authorization: false,
    ..EMAIL
};

/// A request that passed the gates: the media type to answer in, the JSON body.
struct Passed {
    media_type: &'static str,
    body: Map<String, Value>,
}

fn reply(m: &Mock, ep: &Ep, media_type: &str, status: StatusCode, body: Option<Value>) -> Response {
    let ct = if m.has(Defect::ContentTypeUndocumented) {
        "text/plain; charset=utf-8"
    } else if m.has(Defect::ContentTypeIgnoresAccept) {
        MEDIA_TYPE
    } else {
        media_type
    };
    let allow = if m.has(Defect::AllowHeaderWrong) {
        "OPTIONS"
    } else {
        ep.allow
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    let Some(body) = body else {
        return (status, headers).into_response();
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(ct).expect("a media type is a header value"),
    );
    (status, headers, body.to_string()).into_response()
}

fn refuse(m: &Mock, ep: &Ep, media_type: &str, status: StatusCode, message: &str) -> Response {
    reply(m, ep, media_type, status, Some(json!({"message": message})))
}

/// The media type the answer is sent in, or `None` when the Accept header allows none of the
/// documented values (406).
fn negotiate(m: &Mock, headers: &HeaderMap) -> Option<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MEDIA_TYPE);
    };
    let ranges = accept_ranges(accept);
    let served = |value: &str| {
        ranges.iter().any(|r| r == value)
            && !(value == "application/*+json" && m.has(Defect::WildcardAcceptRefused))
    };
    if served(MEDIA_TYPE) || served("application/*+json") {
        Some(MEDIA_TYPE)
    } else if served("application/json") {
        Some("application/json")
    } else if m.has(Defect::WrongAcceptServed) {
        Some(MEDIA_TYPE)
    } else {
        None
    }
}

fn credentials_ok(m: &Mock, headers: &HeaderMap) -> Option<bool> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        m.config.client_id,
        m.config.client_secret.expose()
    ));
    Some(value.strip_prefix("Basic ").map(str::trim) == Some(expected.as_str()))
}

/// Accept, Content-Type, Authorization and JSON syntax, in that order.
fn gate(m: &Mock, ep: &Ep, headers: &HeaderMap, body: &[u8]) -> Result<Passed, Response> {
    let Some(media_type) = negotiate(m, headers) else {
        return Err(refuse(
            m,
            ep,
            MEDIA_TYPE,
            StatusCode::NOT_ACCEPTABLE,
            "Accept one of application/vnd.sso.v1+json, application/json, application/*+json",
        ));
    };
    if ep.body {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(essence);
        let supported = ct.is_some_and(|ct| CONTENT_TYPES.contains(&ct.as_str()));
        if !supported && !m.has(Defect::UnsupportedContentTypeAccepted) {
            return Err(refuse(
                m,
                ep,
                media_type,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send application/vnd.sso.v1+json or application/json",
            ));
        }
    }
    let needs_credentials = ep.authorization || m.has(Defect::UndocumentedAuthorizationRequired);
    match credentials_ok(m, headers) {
        _ if !needs_credentials => {}
        None if m.has(Defect::MissingAuthorizationAccepted) => {}
        Some(false) if m.has(Defect::WrongCredentialsAccepted) => {}
        Some(true) => {}
        _ => {
            return Err(refuse(
                m,
                ep,
                media_type,
                StatusCode::UNAUTHORIZED,
                "missing or wrong credentials",
            ));
        }
    }
    let body = if ep.body {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            _ => {
                let status = if ep.invalid == StatusCode::NOT_FOUND {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::BAD_REQUEST
                };
                return Err(refuse(
                    m,
                    ep,
                    media_type,
                    status,
                    "the body is not a JSON object",
                ));
            }
        }
    } else {
        Map::new()
    };
    Ok(Passed { media_type, body })
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Bool,
    Array,
}

/// Checks the fields: `(name, kind, required)`. Returns the string values of the string fields.
fn fields(
    m: &Mock,
    ep: &Ep,
    p: &Passed,
    spec: &[(&str, Kind, bool)],
) -> Result<HashMap<String, String>, Response> {
    let mut out = HashMap::new();
    for &(name, kind, required) in spec {
        let Some(value) = p.body.get(name) else {
            let lenient =
                !required || (name == "telephone" && m.has(Defect::MissingTelephoneAccepted));
            if lenient {
                continue;
            }
            let status = if m.has(Defect::MissingFieldServerError) {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                ep.invalid
            };
            return Err(refuse(
                m,
                ep,
                p.media_type,
                status,
                &format!("{name} is required"),
            ));
        };
        let typed = match kind {
            Kind::Str => value.is_string(),
            Kind::Bool => value.is_boolean(),
            Kind::Array => value.is_array(),
        };
        if !typed && !m.has(Defect::WrongTypeAccepted) {
            return Err(refuse(
                m,
                ep,
                p.media_type,
                ep.invalid,
                &format!("{name} has the wrong type"),
            ));
        }
        if kind == Kind::Str {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.insert(name.to_owned(), text);
        }
    }
    Ok(out)
}

fn get(f: &HashMap<String, String>, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

fn sms_code_matches(m: &Mock, telephone: &str, code: &str) -> bool {
    m.has(Defect::WrongSmsCodeAccepted)
        || m.sms
            .lock()
            .unwrap()
            .get(telephone)
            .is_some_and(|c| c == code)
}

async fn sms(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &SMS;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let f = match fields(&m, ep, &p, &[("telephone", Kind::Str, true)]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let telephone = get(&f, "telephone");
    m.sms
        .lock()
        .unwrap()
        .insert(telephone, m.config.test_sms_code.expose().to_owned());
    let status = if m.has(Defect::SmsReturns200) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    reply(&m, ep, p.media_type, status, Some(json!({})))
}

async fn code(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &CODE;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let spec = [("telephone", Kind::Str, true), ("code", Kind::Str, true)];
    let f = match fields(&m, ep, &p, &spec) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if !sms_code_matches(&m, &get(&f, "telephone"), &get(&f, "code")) {
        return refuse(&m, ep, p.media_type, StatusCode::FORBIDDEN, "wrong code");
    }
    reply(&m, ep, p.media_type, StatusCode::CREATED, Some(json!({})))
}

async fn auth(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &AUTH;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let spec = [
        ("telephone", Kind::Str, true),
        ("code", Kind::Str, true),
        ("agb", Kind::Bool, false),
        ("dataprotection", Kind::Bool, false),
        ("pushToken", Kind::Str, false),
    ];
    let f = match fields(&m, ep, &p, &spec) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let telephone = get(&f, "telephone");
    if !sms_code_matches(&m, &telephone, &get(&f, "code")) {
        return refuse(&m, ep, p.media_type, StatusCode::FORBIDDEN, "wrong code");
    }
    m.users
        .lock()
        .unwrap()
        .entry(telephone.clone())
        .or_insert_with(|| User {
            id: m.next_id.fetch_add(1, Ordering::SeqCst),
            email: String::new(),
            nickname: String::new(),
            firstname: String::new(),
            verified: false,
        });
    let auth_code = opaque("sso_ac_");
    m.auth_codes
        .lock()
        .unwrap()
        .insert(auth_code.clone(), telephone);
    let status = if m.has(Defect::AuthReturns200) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    reply(
        &m,
        ep,
        p.media_type,
        status,
        Some(json!({"authCode": auth_code})),
    )
}

fn user_json(m: &Mock, user: &User) -> Value {
    let verified = if m.has(Defect::VerifiedAsString) {
        json!(user.verified.to_string())
    } else {
        json!(user.verified)
    };
    json!({"user": {
        "id": user.id,
        "email": user.email,
        "nickname": user.nickname,
        "firstname": user.firstname,
        "imageUrl": format!("https://sso.example/images/{}.png", user.id),
        "verified": verified,
    }})
}

/// The user the auth code signed in, if `username` is its telephone.
fn signed_in_user(m: &Mock, username: &str, auth_code: &str) -> Option<User> {
    let telephone = m.auth_codes.lock().unwrap().get(auth_code).cloned();
    let registered = m.users.lock().unwrap().contains_key(username);
    let telephone = match telephone {
        Some(t) if t == username => t,
        Some(t) if m.has(Defect::AuthCodeNotMatched) => t,
        // A live auth code opens the record of whichever registered user is named.
        Some(_) if registered && m.has(Defect::AuthCodeAnyRegisteredUser) => username.to_owned(),
        _ => return None,
    };
    m.users.lock().unwrap().get(&telephone).cloned()
}

async fn user_post(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &USER_POST;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let spec = [("username", Kind::Str, true), ("authCode", Kind::Str, true)];
    let f = match fields(&m, ep, &p, &spec) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match signed_in_user(&m, &get(&f, "username"), &get(&f, "authCode")) {
        Some(user) => reply(
            &m,
            ep,
            p.media_type,
            StatusCode::CREATED,
            Some(user_json(&m, &user)),
        ),
        None => refuse(
            &m,
            ep,
            p.media_type,
            StatusCode::FORBIDDEN,
            "the auth code does not match",
        ),
    }
}

async fn user_get(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ep = &USER_GET;
    let mut p = match gate(&m, ep, &headers, &[]) {
        Ok(p) => p,
        Err(r) => return r,
    };
    p.body = q.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    let spec = [("username", Kind::Str, true), ("authCode", Kind::Str, true)];
    let f = match fields(&m, ep, &p, &spec) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match signed_in_user(&m, &get(&f, "username"), &get(&f, "authCode")) {
        Some(user) => reply(
            &m,
            ep,
            p.media_type,
            StatusCode::OK,
            Some(user_json(&m, &user)),
        ),
        None => refuse(
            &m,
            ep,
            p.media_type,
            StatusCode::FORBIDDEN,
            "the auth code does not match",
        ),
    }
}

async fn user_status(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &USER_STATUS;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = fields(&m, ep, &p, &[("user", Kind::Array, true)]) {
        return r;
    }
    let numbers: Vec<String> = match p.body.get("user") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let limit = if m.has(Defect::UserStatus100Refused) {
        MAX_STATUS_NUMBERS - 1
    } else if m.has(Defect::UserStatus101Accepted) {
        usize::MAX
    } else {
        MAX_STATUS_NUMBERS
    };
    if numbers.len() > limit {
        return refuse(
            &m,
            ep,
            p.media_type,
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most 100 telephone numbers",
        );
    }
    let users = m.users.lock().unwrap();
    let answer: Vec<Value> = numbers
        .into_iter()
        .map(|t| {
            let registered =
                users.contains_key(&t) || m.has(Defect::UnregisteredReportedRegistered);
            let flag = if m.has(Defect::IsRegisteredAsString) {
                json!(if registered { "1" } else { "0" })
            } else {
                json!(u8::from(registered))
            };
            json!({"user": t, "isRegistered": flag})
        })
        .collect();
    drop(users);
    reply(
        &m,
        ep,
        p.media_type,
        StatusCode::CREATED,
        Some(Value::Array(answer)),
    )
}

/// A successful PATCH: 200 with an empty JSON object (the document shows no body).
fn patched(m: &Mock, ep: &Ep, media_type: &str) -> Response {
    if m.has(Defect::UndocumentedStatus) {
        return reply(m, ep, media_type, StatusCode::NO_CONTENT, None);
    }
    reply(m, ep, media_type, StatusCode::OK, Some(json!({})))
}

async fn email(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &EMAIL;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let spec = [("email", Kind::Str, true), ("telephone", Kind::Str, true)];
    let f = match fields(&m, ep, &p, &spec) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (email, telephone) = (get(&f, "email"), get(&f, "telephone"));
    if !m.users.lock().unwrap().contains_key(&telephone) {
        return refuse(
            &m,
            ep,
            p.media_type,
            StatusCode::NOT_FOUND,
            "unknown telephone",
        );
    }
    // One pending address per user, as a provider keeps it: a new change replaces the pending
    // one, and the opt-in code of the replaced one no longer confirms anything.
    let mut optins = m.optins.lock().unwrap();
    let replaced: Vec<String> = optins
        .iter()
        .filter(|(_, (t, _))| *t == telephone)
        .map(|(c, _)| c.clone())
        .collect();
    for c in replaced {
        optins.remove(&c);
    }
    if !m.has(Defect::EmailOptinNotSent) {
        optins.insert(opaque("sso_optin_"), (telephone, email));
    }
    drop(optins);
    patched(&m, ep, p.media_type)
}

async fn email_optin(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &EMAIL_OPEN;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let f = match fields(&m, ep, &p, &[("c", Kind::Str, true)]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let optin = m.optins.lock().unwrap().remove(&get(&f, "c"));
    match optin {
        Some((telephone, email)) => {
            if let Some(user) = m.users.lock().unwrap().get_mut(&telephone) {
                user.email = email;
            }
            patched(&m, ep, p.media_type)
        }
        None if m.has(Defect::OptinCodeNotChecked) => patched(&m, ep, p.media_type),
        None => refuse(
            &m,
            ep,
            p.media_type,
            StatusCode::NOT_FOUND,
            "unknown opt-in code",
        ),
    }
}

async fn email_status(State(m): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    let ep = &EMAIL_OPEN;
    let p = match gate(&m, ep, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let spec = [("email", Kind::Str, true), ("telephone", Kind::Str, true)];
    let f = match fields(&m, ep, &p, &spec) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (email, telephone) = (get(&f, "email"), get(&f, "telephone"));
    let current = m
        .users
        .lock()
        .unwrap()
        .get(&telephone)
        .is_some_and(|u| u.email == email);
    let pending = !m.has(Defect::EmailStatusIgnoresPending)
        && m.optins
            .lock()
            .unwrap()
            .values()
            .any(|(t, e)| *t == telephone && *e == email);
    if current || pending {
        patched(&m, ep, p.media_type)
    } else {
        refuse(
            &m,
            ep,
            p.media_type,
            StatusCode::NOT_FOUND,
            "unknown telephone or e-mail",
        )
    }
}

/// Control: the opt-in code of the last opt-in mail sent to `email` (the mock's mailbox).
async fn optin_mail(
    State(m): State<Arc<Mock>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let email = q.get("email").cloned().unwrap_or_default();
    let code = m
        .optins
        .lock()
        .unwrap()
        .iter()
        .find(|(_, (_, e))| *e == email)
        .map(|(c, _)| c.clone());
    match code {
        Some(c) => (StatusCode::OK, axum::Json(json!({"c": c}))).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "no opt-in mail was sent to this address"})),
        )
            .into_response(),
    }
}
