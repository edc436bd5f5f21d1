//! The Authenteq Web KYC mock (Authenteq Web KYC API Reference): an auto-approving `/authorize`
//! (the real identity server runs a liveness test and a document scan first), the multipart token
//! exchange at `/v2/web-kyc/token` answering `{"token": ...}`, and `/v2/web-kyc/details` behind
//! `Authorization: Bearer`, readable for 15 minutes after the token is made.
//!
//! The document names no error codes; refusals use RFC 6749 §5.2 and RFC 6750 §3.1 names.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{
    Clock, Issued, bearer_refusal, bearer_token, clock_routes, defects, oauth_error, opaque,
    redirect_with,
};
use crate::secret::Secret;

defects!(
    /// Each violates one behaviour of the Authenteq document (or of RFC 6749 where it is silent).
    Defect {
        StateNotEchoed = "state-not-echoed": "the redirect carries the state the client sent",
        MissingParameterIssuesCode = "missing-parameter-issues-code": "response_type, client_id, redirect_uri and state are required at /authorize",
        ScopeRequired = "scope-required": "an authorize link without scope, as in the tutorial, is accepted",
        ResponseTypeNotChecked = "response-type-not-checked": "only the code flow is supported (response_type=code)",
        ScopeNotChecked = "scope-not-checked": "the only supported scope value is kyc",
        RedirectUriNotChecked = "redirect-uri-not-checked": "redirect_uri must match the URI stored in the client settings",
        TokenRedirectUriNotChecked = "token-redirect-uri-not-checked": "redirectUri at the token exchange is the one used to receive the code (RFC 6749 §4.1.3)",
        CodeReusable = "code-reusable": "a code can be exchanged only once",
        UnissuedCodeAccepted = "unissued-code-accepted": "a code the provider never issued gets invalid_grant (RFC 6749 §5.2)",
        WrongSecretAccepted = "wrong-secret-accepted": "the exchange requires the client's secret",
        MissingFieldServerError = "missing-field-server-error": "a token request missing a field gets a 4xx OAuth error (RFC 6749 §5.2)",
        UnsupportedGrantAccepted = "unsupported-grant-accepted": "only the authorization code grant is supported",
        TutorialGrantTypeRefused = "tutorial-grant-type-refused": "grantType authorization_code, as the tutorial's curl sends it, is accepted",
        ReferenceGrantTypeRefused = "reference-grant-type-refused": "grantType authorizationCode, as How to Integrate names it, is accepted",
        TokenFieldRenamed = "token-field-renamed": "the token exchange answers {\"token\": ...}",
        MissingTokenAccepted = "missing-token-accepted": "the details request is authorized by Authorization: Bearer <token>",
        UnknownTokenAccepted = "unknown-token-accepted": "the details are returned only for a token the provider issued",
        DetailsNeverExpire = "details-never-expire": "the details cannot be read 15 minutes after the token was made",
        DetailsExpireEarly = "details-expire-early": "the details can be read for 15 minutes after the token was made",
        IssuingCountryAlpha2 = "issuing-country-alpha2": "issuingCountry is ISO 3166-1 alpha-3 (DEU)",
        NationalityAlpha2 = "nationality-alpha2": "nationality is ISO 3166-1 alpha-3 (DEU)",
        DateFormat = "date-format": "dateOfBirth, dateOfIssue and dateOfExpiry are ISO 8601 dates (1987-01-12)",
        SexSpelledOut = "sex-spelled-out": "sex is a one-letter code (F)",
        CroppedDocNotJpeg = "cropped-doc-not-jpeg": "croppedDocs front and back are base64-encoded JPEG images",
        MissingDetailsField = "missing-details-field": "every documented details field is returned",
        UnknownClientAccepted = "unknown-client-accepted": "a link naming a client_id the provider does not know gets no code",
        RedirectUriPrefixMatch = "redirect-uri-prefix-match": "redirect_uri must match the stored URI, not merely start with it",
        RedirectUriPathIgnored = "redirect-uri-path-ignored": "redirect_uri must match the stored URI's path, not only its host",
        RedirectUriQueryIgnored = "redirect-uri-query-ignored": "redirect_uri must match the stored URI's query too",
        TokenRedirectUriPrefixMatch = "token-redirect-uri-prefix-match": "redirectUri at the token exchange is the one used, not merely a URI starting with it",
        TokenRedirectUriPathIgnored = "token-redirect-uri-path-ignored": "redirectUri at the token exchange is the one used, path included",
        TokenRedirectUriQueryIgnored = "token-redirect-uri-query-ignored": "redirectUri at the token exchange is the one used, query included",
        ErrorNotJson = "error-not-json": "a token error answer is declared application/json (RFC 6749 §5.2)",
        BearerPrefixOptional = "bearer-prefix-optional": "the token is passed in the Authorization header with the prefix Bearer",
        TokenNotJson = "token-not-json": "the token answer is declared application/json (\"The response will be a JSON object\")",
        DetailsNotJson = "details-not-json": "the details answer is declared application/json, as the document's example is JSON",
    }
);

/// "we store the data only for 15 min": seconds from token generation.
pub const DETAILS_LIFETIME: i64 = 15 * 60;
const EARLY_LIFETIME: i64 = 10 * 60;

/// The two grantType values the document uses: the tutorial's and How to Integrate's.
pub const TUTORIAL_GRANT_TYPE: &str = "authorization_code";
pub const REFERENCE_GRANT_TYPE: &str = "authorizationCode";

/// The only scope value the document supports.
pub const SCOPE: &str = "kyc";

/// The person whose details every token reads: given names, surname.
const TEST_USER: [&str; 2] = ["ANNA MARIA", "SCHMIDT"];

/// How the mock is set up: the one registered client and the defects it has.
#[derive(Clone, Debug)]
pub struct Config {
    pub client_id: String,
    pub client_secret: Secret,
    /// The redirectUri stored in the client settings.
    pub redirect_uri: String,
    pub defects: BTreeSet<Defect>,
}

#[derive(Debug)]
struct Grant {
    /// The redirect URI the code was sent to.
    redirect_uri: String,
    used: bool,
}

#[derive(Debug)]
pub struct Mock {
    config: Config,
    clock: Arc<Clock>,
    codes: Mutex<Issued<Grant>>,
    /// Token to the time it was made.
    tokens: Mutex<Issued<i64>>,
}

impl Mock {
    fn has(&self, d: Defect) -> bool {
        self.config.defects.contains(&d)
    }
}

/// The Authenteq mock, as the provider table knows it.
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
    let [given, surname] = TEST_USER;
    vec![
        ("client_id", client.client_id.clone()),
        ("redirectUri", client.redirect_uri.clone()),
        ("scope", format!("{SCOPE} (or none)")),
        (
            "grantType",
            format!("{TUTORIAL_GRANT_TYPE} or {REFERENCE_GRANT_TYPE}"),
        ),
        (
            "person every authorization verifies",
            format!(
                "{given} {surname}, approved at once; details readable for {} minutes",
                DETAILS_LIFETIME / 60
            ),
        ),
    ]
}

/// The router serving both Authenteq hosts (identity and API) and the control routes under
/// `/__mock/`.
pub fn router(config: Config) -> Router {
    let mock = Arc::new(Mock {
        config,
        clock: Arc::default(),
        codes: Mutex::default(),
        tokens: Mutex::default(),
    });
    Router::new()
        .route("/authorize", get(authorize))
        .route("/v2/web-kyc/token", post(token_endpoint))
        .route("/v2/web-kyc/details", get(details))
        .with_state(mock.clone())
        .merge(clock_routes(mock.clock.clone()))
}

async fn authorize(
    State(m): State<Arc<Mock>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lenient = m.has(Defect::MissingParameterIssuesCode);
    // Without a known client and a matching redirect URI there is nowhere safe to redirect to
    // (RFC 6749 §4.1.2.1): an error page.
    match q.get("client_id") {
        Some(c) if *c == m.config.client_id => {}
        Some(_) if m.has(Defect::UnknownClientAccepted) => {}
        None if lenient => {}
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "unknown or missing client_id",
            );
        }
    }
    let registered = &m.config.redirect_uri;
    let redirect_uri = match q.get("redirect_uri") {
        Some(r) if r == registered || loosely_matches(&m, r, registered) => r.clone(),
        None if lenient => registered.clone(),
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "redirect_uri does not match the client settings",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "redirect_uri is missing",
            );
        }
    };
    let Some(state) = q
        .get("state")
        .cloned()
        .or_else(|| lenient.then(String::new))
    else {
        return redirect_with(&redirect_uri, &[("error", "invalid_request")]);
    };
    let refuse = |code: &str| redirect_with(&redirect_uri, &[("error", code), ("state", &state)]);
    match q.get("response_type").map(String::as_str) {
        Some("code") => {}
        Some(_) if m.has(Defect::ResponseTypeNotChecked) => {}
        None if lenient => {}
        Some(_) => return refuse("unsupported_response_type"),
        None => return refuse("invalid_request"),
    }
    match q.get("scope").map(String::as_str) {
        Some(SCOPE) => {}
        Some(_) if m.has(Defect::ScopeNotChecked) => {}
        Some(_) => return refuse("invalid_scope"),
        // The tutorial's and the integration guide's links carry no scope.
        None if m.has(Defect::ScopeRequired) => return refuse("invalid_request"),
        None => {}
    }
    let code = opaque("aq_code_");
    m.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            redirect_uri: redirect_uri.clone(),
            used: false,
        },
    );
    let echoed = if m.has(Defect::StateNotEchoed) {
        format!("{state}-changed")
    } else {
        state.clone()
    };
    redirect_with(&redirect_uri, &[("code", &code), ("state", &echoed)])
}

/// Does a defect let `given` pass for the stored redirect URI at /authorize? Each defect
/// compares less than the whole URI, as a subtly wrong provider does.
fn loosely_matches(m: &Mock, given: &str, registered: &str) -> bool {
    m.has(Defect::RedirectUriNotChecked)
        || compares_less(
            [
                m.has(Defect::RedirectUriPrefixMatch),
                m.has(Defect::RedirectUriPathIgnored),
                m.has(Defect::RedirectUriQueryIgnored),
            ],
            given,
            registered,
        )
}

/// Does `given` pass for `expected` when a provider compares only a prefix of the path, only
/// the origin and query, or only the origin and path (the three flags, in that order)?
fn compares_less(
    [prefix, path_ignored, query_ignored]: [bool; 3],
    given: &str,
    expected: &str,
) -> bool {
    let (Ok(g), Ok(r)) = (url::Url::parse(given), url::Url::parse(expected)) else {
        return false;
    };
    let same_origin = g.origin() == r.origin();
    (prefix && same_origin && g.query() == r.query() && g.path().starts_with(r.path()))
        || (path_ignored && same_origin && g.query() == r.query())
        || (query_ignored && same_origin && g.path() == r.path())
}

/// The same JSON body, declared as `text/plain` (a defect: the answer no longer says it is JSON).
fn declared_as_text(mut answer: Response) -> Response {
    answer.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    answer
}

/// The text fields of a `multipart/form-data` body (RFC 7578); files are not expected here.
fn multipart_fields(boundary: &str, body: &[u8]) -> Option<HashMap<String, String>> {
    let body = std::str::from_utf8(body).ok()?;
    let delimiter = format!("--{boundary}");
    let mut fields = HashMap::new();
    for part in body.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n")?;
        let (head, value) = part.split_once("\r\n\r\n")?;
        let name = head.lines().find_map(|line| {
            let (key, rest) = line.split_once(':')?;
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            rest.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix("name=")
                    .map(|n| n.trim_matches('"').to_owned())
            })
        })?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        fields.insert(name, value.to_owned());
    }
    Some(fields)
}

/// The token request's fields: multipart as the document's curl sends them, or form-urlencoded.
fn token_fields(headers: &HeaderMap, body: &[u8]) -> Option<HashMap<String, String>> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "multipart/form-data" => {
            let boundary = content_type.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix("boundary=")
                    .map(|b| b.trim_matches('"').to_owned())
            })?;
            multipart_fields(&boundary, body)
        }
        "application/x-www-form-urlencoded" => Some(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ),
        _ => None,
    }
}

/// The token endpoint; a refusal is declared as text under the error-not-json defect.
async fn token_endpoint(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let answer = token(State(m.clone()), headers, body).await;
    if m.has(Defect::ErrorNotJson) && answer.status().is_client_error() {
        return declared_as_text(answer);
    }
    answer
}

async fn token(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(fields) = token_fields(&headers, &body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the fields as multipart/form-data",
        );
    };
    let field = |name: &str| fields.get(name).map(String::as_str);
    let missing = |status, code: &str, what: &str| {
        if m.has(Defect::MissingFieldServerError) {
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", what)
        } else {
            oauth_error(status, code, what)
        }
    };
    let (Some(client_id), Some(secret)) = (field("clientId"), field("clientSecret")) else {
        return missing(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "clientId and clientSecret are required",
        );
    };
    if client_id != m.config.client_id
        || (secret != m.config.client_secret.expose() && !m.has(Defect::WrongSecretAccepted))
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let Some(grant_type) = field("grantType") else {
        return missing(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grantType is missing",
        );
    };
    let accepted = match grant_type {
        TUTORIAL_GRANT_TYPE => !m.has(Defect::TutorialGrantTypeRefused),
        REFERENCE_GRANT_TYPE => !m.has(Defect::ReferenceGrantTypeRefused),
        _ => m.has(Defect::UnsupportedGrantAccepted),
    };
    if !accepted {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only the authorization code grant is supported",
        );
    }
    let (Some(code), Some(redirect_uri)) = (field("code"), field("redirectUri")) else {
        return missing(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code and redirectUri are required",
        );
    };
    {
        let mut codes = m.codes.lock().unwrap();
        let invalid = |why: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why);
        match codes.get_mut(code) {
            Some(g) if g.used && !m.has(Defect::CodeReusable) => {
                return invalid("the code was already exchanged");
            }
            Some(g)
                if g.redirect_uri != redirect_uri
                    && !m.has(Defect::TokenRedirectUriNotChecked)
                    && !compares_less(
                        [
                            m.has(Defect::TokenRedirectUriPrefixMatch),
                            m.has(Defect::TokenRedirectUriPathIgnored),
                            m.has(Defect::TokenRedirectUriQueryIgnored),
                        ],
                        redirect_uri,
                        &g.redirect_uri,
                    ) =>
            {
                return invalid("redirectUri is not the one the code was sent to");
            }
            Some(g) => g.used = true,
            None if m.has(Defect::UnissuedCodeAccepted) => {}
            None => return invalid("unknown code"),
        }
    }
    let token = opaque("aq_tok_");
    m.tokens
        .lock()
        .unwrap()
        .insert(token.clone(), m.clock.now_secs());
    let name = if m.has(Defect::TokenFieldRenamed) {
        "access_token"
    } else {
        "token"
    };
    let mut answer = serde_json::Map::new();
    answer.insert(name.to_owned(), Value::String(token));
    let answer = (
        StatusCode::OK,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(Value::Object(answer)),
    )
        .into_response();
    if m.has(Defect::TokenNotJson) {
        return declared_as_text(answer);
    }
    answer
}

async fn details(State(m): State<Arc<Mock>>, headers: HeaderMap) -> Response {
    let raw = || {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.contains(' '))
            .map(str::to_owned)
    };
    let token =
        bearer_token(&headers).or_else(|| m.has(Defect::BearerPrefixOptional).then(raw).flatten());
    let Some(token) = token else {
        if m.has(Defect::MissingTokenAccepted) {
            return (StatusCode::OK, Json(details_record(&m))).into_response();
        }
        return bearer_refusal(None, "Authorization: Bearer <token> is required");
    };
    let issued = m.tokens.lock().unwrap().get(&token).copied();
    match issued {
        Some(at) => {
            let age = m.clock.now_secs() - at;
            let lifetime = if m.has(Defect::DetailsExpireEarly) {
                EARLY_LIFETIME
            } else {
                DETAILS_LIFETIME
            };
            if age >= lifetime && !m.has(Defect::DetailsNeverExpire) {
                return bearer_refusal(
                    Some("invalid_token"),
                    "the details are kept for 15 minutes after the token is made",
                );
            }
        }
        None if m.has(Defect::UnknownTokenAccepted) => {}
        None => return bearer_refusal(Some("invalid_token"), "unknown token"),
    }
    let answer = (StatusCode::OK, Json(details_record(&m))).into_response();
    if m.has(Defect::DetailsNotJson) {
        return declared_as_text(answer);
    }
    answer
}

/// The smallest byte sequence a JPEG reader recognises: SOI, a JFIF APP0 segment, EOI.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
];
/// The PNG signature, for the defect that sends another image format.
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00];

/// The document's example record.
fn details_record(m: &Mock) -> Value {
    let d = |defect| m.has(defect);
    let image = base64::engine::general_purpose::STANDARD.encode(if d(Defect::CroppedDocNotJpeg) {
        PNG
    } else {
        JPEG
    });
    let date = |iso: &'static str, dotted: &'static str| {
        if d(Defect::DateFormat) { dotted } else { iso }
    };
    let mut details = json!({
        "documentNumber": "8136431812",
        "issuingCountry": if d(Defect::IssuingCountryAlpha2) { "DE" } else { "DEU" },
        "documentType": "FG617451",
        "givenNames": TEST_USER[0],
        "surname": TEST_USER[1],
        "dateOfBirth": date("1987-01-12", "12.01.1987"),
        "nationality": if d(Defect::NationalityAlpha2) { "DE" } else { "DEU" },
        "dateOfIssue": date("2017-01-30", "30.01.2017"),
        "dateOfExpiry": date("2027-01-30", "30.01.2027"),
        "sex": if d(Defect::SexSpelledOut) { "FEMALE" } else { "F" },
    });
    if d(Defect::MissingDetailsField) {
        details.as_object_mut().unwrap().remove("documentNumber");
    }
    json!({
        "croppedDocs": {"front": image, "back": image},
        "details": details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_text_fields_are_read() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"grantType\"\r\n\r\n\
                    authorization_code\r\n--XyZ\r\nContent-Disposition: form-data; \
                    name=\"code\"\r\n\r\naq_code_1\r\n--XyZ--\r\n";
        let f = multipart_fields("XyZ", body.as_bytes()).unwrap();
        assert_eq!(f["grantType"], "authorization_code");
        assert_eq!(f["code"], "aq_code_1");
        assert_eq!(f.len(), 2);
    }
}
