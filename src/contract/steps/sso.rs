//! SSO (v1) documentation: telephone + SMS-code sign-in, the user record, the registration status of
//! telephone numbers, and the e-mail opt-in. Every request goes through [`send`], which builds the
//! endpoint's documented request from the target's test user and applies one variation (another
//! Accept, another Content-Type, no or wrong credentials, a field left out or of another type).

use cucumber::{given, then, when};
use serde_json::{Map, Value, json};

use crate::contract::checks::{self, Failure};
use crate::contract::documents::{self, Document, EndpointDoc};
use crate::contract::world::ConformanceWorld;
use crate::mocks::opaque;
use crate::secret::Secret;
use crate::targets::http::{Body, Request, basic_auth};

/// The provider's media type, sent as Accept and Content-Type unless a scenario varies them.
pub const MEDIA_TYPE: &str = "application/vnd.sso.v1+json";

/// A telephone number no one can hold (German numbers have no area code 0): assumed unregistered.
const UNREGISTERED: &str = "+4900000000000";

/// Which credentials a request carries.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Credentials {
    #[default]
    Valid,
    Missing,
    Wrong,
}

/// How a request departs from the endpoint's documented one.
#[derive(Debug, Default)]
pub struct Variation {
    pub accept: Option<String>,
    pub content_type: Option<String>,
    pub credentials: Credentials,
    pub omit: Option<String>,
    pub set: Option<(String, Value)>,
}

/// The provider's document and the endpoint's lists in it.
pub fn doc_for(
    w: &ConformanceWorld,
    endpoint: &str,
) -> Result<(&'static Document, &'static EndpointDoc), Failure> {
    let provider = w.target()?.provider;
    let doc = documents::document(provider).ok_or_else(|| {
        Failure::new(format!(
            "the harness has no document lists for {} (documents/)",
            provider.name()
        ))
    })?;
    Ok((doc, doc.endpoint(endpoint)?))
}

fn telephone(w: &ConformanceWorld) -> Result<String, Failure> {
    w.target()?.test_telephone.clone().ok_or_else(|| {
        Failure::new("the target names no test_telephone; add it to the target file entry")
    })
}

fn sms_code(w: &ConformanceWorld) -> Result<String, Failure> {
    w.target()?
        .test_sms_code
        .as_ref()
        .map(|c| c.expose().to_owned())
        .ok_or_else(|| {
            Failure::new(
                "this step needs the test telephone's SMS code: tag the scenario @needs-sms-code",
            )
        })
}

/// The endpoint's documented request fields, filled from the target's test user and what the
/// scenario learned so far (placeholders where it has learned nothing yet).
fn documented_fields(w: &ConformanceWorld, endpoint: &str) -> Result<Map<String, Value>, Failure> {
    let tel = telephone(w)?;
    let code = sms_code(w).unwrap_or_else(|_| "000000".to_owned());
    let auth_code = w
        .sso
        .auth_code
        .as_ref()
        .map_or_else(|| "not-signed-in".to_owned(), |c| c.expose().to_owned());
    // A fresh address unless the scenario changed one: concurrent scenarios share the provider.
    let email = w
        .sso
        .email
        .clone()
        .unwrap_or_else(|| format!("{}@example.com", opaque("sso-conformance-")));
    let optin = w.sso.optin_code.as_ref().map_or_else(
        || "never-sent-optin-code".to_owned(),
        |c| c.expose().to_owned(),
    );
    let v = match endpoint {
        "POST /sso/sms" => json!({"telephone": tel}),
        "POST /sso/code" => json!({"telephone": tel, "code": code}),
        "POST /sso/auth" => {
            json!({"telephone": tel, "code": code, "agb": true, "dataprotection": true})
        }
        "POST /sso/user" | "GET /sso/user" => json!({"username": tel, "authCode": auth_code}),
        "POST /sso/user/status" => json!({"user": [tel]}),
        "PATCH /sso/email" | "PATCH /sso/email-status" => {
            json!({"email": email, "telephone": tel})
        }
        "PATCH /sso/email-optin" => json!({"c": optin}),
        other => {
            return Err(Failure::new(format!(
                "the SSO v1 steps know no request for \"{other}\""
            )));
        }
    };
    Ok(v.as_object().cloned().unwrap_or_default())
}

/// Sends `endpoint` ("METHOD /path") with `fields` and the variation applied.
pub async fn send_fields(
    w: &mut ConformanceWorld,
    endpoint: &str,
    mut fields: Map<String, Value>,
    v: Variation,
) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let (method, path) = documents::split_endpoint(endpoint)?;
    if let Some(name) = &v.omit
        && fields.remove(name).is_none()
    {
        return Err(Failure::new(format!(
            "the {endpoint} request has no field \"{name}\""
        )));
    }
    if let Some((name, value)) = v.set {
        fields.insert(name, value);
    }
    let mut request = if method == reqwest::Method::GET {
        let mut url = url::Url::parse(&target.url(path))
            .map_err(|e| Failure::new(format!("the target URL is not a URL: {e}")))?;
        for (k, value) in &fields {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            url.query_pairs_mut().append_pair(k, &text);
        }
        Request::new(method, url.to_string())
    } else {
        let ct = v.content_type.unwrap_or_else(|| MEDIA_TYPE.to_owned());
        let bytes = serde_json::to_vec(&Value::Object(fields)).unwrap_or_default();
        Request::new(method, target.url(path)).body(Body::Raw(ct, bytes))
    };
    request = request.header("Accept", v.accept.unwrap_or_else(|| MEDIA_TYPE.to_owned()));
    match v.credentials {
        Credentials::Valid => {
            request = request.header(
                "Authorization",
                basic_auth(&target.client_id, target.client_secret.expose()),
            );
        }
        Credentials::Wrong => {
            let wrong = Secret::new(opaque("wrong-secret-"));
            request = request.header(
                "Authorization",
                basic_auth(&target.client_id, wrong.expose()),
            );
        }
        Credentials::Missing => {}
    }
    w.send(request).await?;
    Ok(())
}

/// Sends the endpoint's documented request with one variation.
pub async fn send(w: &mut ConformanceWorld, endpoint: &str, v: Variation) -> Result<(), Failure> {
    let fields = documented_fields(w, endpoint)?;
    send_fields(w, endpoint, fields, v).await
}

/// The last answer must have a 2xx status; a failure otherwise (for `Given` steps).
fn ensure_done(w: &ConformanceWorld, what: &str) -> Result<(), Failure> {
    let ex = w.last()?;
    if (200..300).contains(&ex.response.status) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(format!("{what} did not succeed"))
        .expected("HTTP 2xx")
        .actual(format!("HTTP {}", ex.response.status))))
}

/// Reads the auth code out of a sign-in answer and keeps it as a secret.
fn take_auth_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let body = w.last_json()?;
    let value = w.evidence(checks::lookup(&body, "/authCode").map_err(|f| {
        f.rule("interpretation: POST /sso/auth answers the auth code as {\"authCode\": ...}")
    }))?;
    match value.as_str() {
        Some(code) if !code.is_empty() => {
            w.sso.auth_code = Some(Secret::new(code));
            Ok(())
        }
        _ => w.evidence(Err(Failure::new("the auth code is not a non-empty string")
            .at("/authCode")
            .rule(
                "interpretation: the auth code is a String, like the authCode field",
            ))),
    }
}

async fn sign_in(w: &mut ConformanceWorld) -> Result<(), Failure> {
    send(w, "POST /sso/sms", Variation::default()).await?;
    ensure_done(w, "requesting an SMS code (POST /sso/sms)")?;
    send(w, "POST /sso/auth", Variation::default()).await?;
    ensure_done(w, "signing in with the SMS code (POST /sso/auth)")?;
    take_auth_code(w)
}

#[when(regex = r#"^the client sends a valid "([^"]*)" request$"#)]
async fn valid_request(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let fields = documented_fields(w, &endpoint)?;
    if fields.contains_key("authCode") && w.sso.auth_code.is_none() {
        sign_in(w).await?;
    }
    send(w, &endpoint, Variation::default()).await
}

// Authorization.

#[when(regex = r#"^the client sends "([^"]*)" without the Authorization header$"#)]
async fn without_authorization(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let v = Variation {
        credentials: Credentials::Missing,
        ..Variation::default()
    };
    send(w, &endpoint, v).await
}

#[when(regex = r#"^the client sends "([^"]*)" with wrong credentials$"#)]
async fn wrong_credentials(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let v = Variation {
        credentials: Credentials::Wrong,
        ..Variation::default()
    };
    send(w, &endpoint, v).await
}

/// The statuses of `wanted` the endpoint's document lists, or a failure if it lists none.
fn listed(doc: &EndpointDoc, wanted: &[u16]) -> Vec<u16> {
    wanted
        .iter()
        .copied()
        .filter(|s| doc.statuses.contains(s))
        .collect()
}

#[then(regex = r#"^"([^"]*)" refuses it as unauthorized$"#)]
async fn refused_unauthorized(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    premise(
        ep.authorization,
        &endpoint,
        "documents the Authorization header",
    )?;
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &[401],
        &format!(
            "{}: Authorization is a request header; 401 Unauthorized",
            doc.cite(ep)
        ),
    ))
}

#[then(regex = r#"^"([^"]*)" refuses the credentials$"#)]
async fn refused_credentials(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    premise(
        ep.authorization,
        &endpoint,
        "documents the Authorization header",
    )?;
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &listed(ep, &[401, 403]),
        &format!(
            "{}: 401 Unauthorized, 403 Forbidden (either is accepted for wrong credentials)",
            doc.cite(ep)
        ),
    ))
}

#[then(regex = r#"^"([^"]*)" does not ask for credentials$"#)]
async fn no_credentials_asked(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    premise(
        !ep.authorization,
        &endpoint,
        "documents no Authorization header",
    )?;
    let ex = w.last()?;
    let status = ex.response.status;
    if status != 401 && status != 403 {
        return Ok(());
    }
    w.evidence(Err(Failure::new(format!(
        "{endpoint} refused a request for lack of credentials"
    ))
    .expected("no 401 or 403: the endpoint documents no Authorization header")
    .actual(format!("HTTP {status}"))
    .rule(format!(
        "{}: no Authorization in the request headers",
        doc.cite(ep)
    ))))
}

/// A scenario whose premise contradicts the document's lists is a mistake in the feature file.
pub fn premise(holds: bool, endpoint: &str, what: &str) -> Result<(), Failure> {
    if holds {
        return Ok(());
    }
    Err(Failure::new(format!(
        "the scenario assumes {endpoint} {what}, but documents/ says otherwise: fix the feature"
    )))
}

// Required fields and their types.

#[when(regex = r#"^the client sends "([^"]*)" without the "([^"]*)" field$"#)]
async fn without_field(
    w: &mut ConformanceWorld,
    endpoint: String,
    field: String,
) -> Result<(), Failure> {
    let (_, ep) = doc_for(w, &endpoint)?;
    let required = ep.required.contains(&field);
    let sms_interpretation = endpoint == "POST /sso/sms" && field == "telephone";
    premise(
        required || sms_interpretation,
        &endpoint,
        &format!("requires \"{field}\""),
    )?;
    let v = Variation {
        omit: Some(field),
        ..Variation::default()
    };
    send(w, &endpoint, v).await
}

#[when(
    regex = r#"^the client sends "([^"]+)" with the "([^"]+)" field as an? (number|string|boolean|object)$"#
)]
async fn field_as(
    w: &mut ConformanceWorld,
    endpoint: String,
    field: String,
    kind: String,
) -> Result<(), Failure> {
    let fields = documented_fields(w, &endpoint)?;
    let current = fields.get(&field).cloned().unwrap_or(Value::Null);
    let digits: String = current
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let value = match kind.as_str() {
        "number" => json!(digits.parse::<u64>().unwrap_or(12345)),
        "string" => json!(current.to_string()),
        "boolean" => json!(true),
        _ => json!({"value": current}),
    };
    let v = Variation {
        set: Some((field, value)),
        ..Variation::default()
    };
    send_fields(w, &endpoint, fields, v).await
}

#[then(regex = r#"^"([^"]*)" refuses it as invalid, with a status its document lists$"#)]
async fn refused_invalid(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    let mut allowed = listed(ep, &[400, 422]);
    let rule = if allowed.is_empty() {
        allowed = listed(ep, &[404]);
        format!(
            "{}: the list has neither 400 nor 422; interpretation: 404 Not Found, the only \
             documented client error not about media types or credentials",
            doc.cite(ep)
        )
    } else {
        format!(
            "{}: 400 Client Error, 422 Unprocessable Entity",
            doc.cite(ep)
        )
    };
    let ex = w.last()?;
    w.evidence(checks::ensure_status(&ex.response, &allowed, &rule))
}

#[then(regex = r#"^"([^"]*)" refuses it with a client error its document lists$"#)]
async fn refused_client_error(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    let allowed: Vec<u16> = ep
        .statuses
        .iter()
        .copied()
        .filter(|s| (400..500).contains(s))
        .collect();
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &allowed,
        &format!("{}: the documented client errors", doc.cite(ep)),
    ))
}

// The SMS sign-in flow.

#[given("the client has requested an SMS code for the test telephone")]
async fn has_requested_sms(w: &mut ConformanceWorld) -> Result<(), Failure> {
    send(w, "POST /sso/sms", Variation::default()).await?;
    ensure_done(w, "requesting an SMS code (POST /sso/sms)")
}

#[when("the client requests an SMS code for the test telephone")]
async fn requests_sms(w: &mut ConformanceWorld) -> Result<(), Failure> {
    send(w, "POST /sso/sms", Variation::default()).await
}

fn wrong_code(w: &ConformanceWorld) -> String {
    let real = sms_code(w).unwrap_or_default();
    let wrong = if real == "000001" { "000002" } else { "000001" };
    wrong.to_owned()
}

#[when("the client checks the SMS code")]
async fn checks_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    sms_code(w)?;
    send(w, "POST /sso/code", Variation::default()).await
}

#[when("the client checks a wrong SMS code")]
async fn checks_wrong_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let v = Variation {
        set: Some(("code".to_owned(), json!(wrong_code(w)))),
        ..Variation::default()
    };
    send(w, "POST /sso/code", v).await
}

#[when("the client signs in with the SMS code")]
async fn signs_in(w: &mut ConformanceWorld) -> Result<(), Failure> {
    sms_code(w)?;
    send(w, "POST /sso/auth", Variation::default()).await
}

#[when("the client signs in with a wrong SMS code")]
async fn signs_in_wrong(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let v = Variation {
        set: Some(("code".to_owned(), json!(wrong_code(w)))),
        ..Variation::default()
    };
    send(w, "POST /sso/auth", v).await
}

#[given("the test user has signed in with the SMS code")]
async fn has_signed_in(w: &mut ConformanceWorld) -> Result<(), Failure> {
    sign_in(w).await
}

#[then("the answer carries an auth code")]
async fn carries_auth_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    take_auth_code(w)
}

#[when("the client fetches the user with the auth code")]
async fn fetches_user(w: &mut ConformanceWorld) -> Result<(), Failure> {
    send(w, "POST /sso/user", Variation::default()).await
}

#[when("the client reads the user with the auth code")]
async fn reads_user(w: &mut ConformanceWorld) -> Result<(), Failure> {
    send(w, "GET /sso/user", Variation::default()).await
}

#[when("the client fetches the user with the auth code but another telephone as username")]
async fn fetches_other_user(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let v = Variation {
        set: Some(("username".to_owned(), json!(UNREGISTERED))),
        ..Variation::default()
    };
    send(w, "POST /sso/user", v).await
}

/// The telephone of the target's second registered user.
fn second_telephone(w: &ConformanceWorld) -> Result<String, Failure> {
    w.target()?.second_telephone.clone().ok_or_else(|| {
        Failure::new(
            "this step needs a second registered user: tag the scenario @needs-second-user",
        )
    })
}

#[when(
    regex = r"^the client (fetches|reads) the user with the auth code but the second registered user's telephone as username$"
)]
async fn uses_second_user(w: &mut ConformanceWorld, how: String) -> Result<(), Failure> {
    let endpoint = if how == "fetches" {
        "POST /sso/user"
    } else {
        "GET /sso/user"
    };
    let v = Variation {
        set: Some(("username".to_owned(), json!(second_telephone(w)?))),
        ..Variation::default()
    };
    send(w, endpoint, v).await
}

// Registration status of telephone numbers.

/// `n` numbers: the test telephone, then numbers no one can hold.
fn numbers(w: &ConformanceWorld, n: usize) -> Result<Vec<String>, Failure> {
    let mut out = vec![telephone(w)?];
    out.extend((1..n).map(|i| format!("+49000000{i:05}")));
    Ok(out)
}

async fn ask_status(w: &mut ConformanceWorld, numbers: Vec<String>) -> Result<(), Failure> {
    let v = Variation {
        set: Some(("user".to_owned(), json!(numbers))),
        ..Variation::default()
    };
    send(w, "POST /sso/user/status", v).await
}

#[when("the client asks whether the test telephone and an unregistered number are registered")]
async fn asks_two(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let asked = vec![telephone(w)?, UNREGISTERED.to_owned()];
    ask_status(w, asked).await
}

#[when(regex = r#"^the client asks about (-?[0-9]+) telephone numbers at once$"#)]
async fn asks_many(w: &mut ConformanceWorld, n: usize) -> Result<(), Failure> {
    let asked = numbers(w, n)?;
    ask_status(w, asked).await
}

/// The `isRegistered` the answer gives for `number`.
fn registration_of(w: &ConformanceWorld, number: &str) -> Result<(String, Value), Failure> {
    let body = w.last_json()?;
    let entries = body.as_array().ok_or_else(|| {
        Failure::new("the answer is not an array of {user, isRegistered} entries")
            .actual(body.to_string())
            .rule("interpretation: one {\"user\", \"isRegistered\"} object per number posted")
    });
    let entries = w.evidence(entries)?;
    for (i, e) in entries.iter().enumerate() {
        if e.get("user").and_then(Value::as_str) == Some(number) {
            let at = format!("/{i}/isRegistered");
            let value = e.get("isRegistered").cloned().unwrap_or(Value::Null);
            return Ok((at, value));
        }
    }
    w.evidence(Err(Failure::new(format!(
        "the answer has no entry for {number}"
    ))
    .expected(format!("an entry with \"user\": \"{number}\""))
    .actual(format!("{} entries", entries.len()))))
}

fn ensure_registration(w: &ConformanceWorld, number: &str, flag: u8) -> Result<(), Failure> {
    let (at, value) = registration_of(w, number)?;
    if value == json!(flag) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(format!(
        "isRegistered of {number} is not the one expected"
    ))
    .expected(flag.to_string())
    .actual(value.to_string())
    .at(at)
    .rule(
        "SSO (v1) documentation, UserStatus: \"1 for yes and 0 for not registered\"",
    )))
}

#[then("the answer says the test telephone is registered")]
async fn says_registered(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let tel = telephone(w)?;
    ensure_registration(w, &tel, 1)
}

#[then("the answer says the unregistered number is not registered")]
async fn says_unregistered(w: &mut ConformanceWorld) -> Result<(), Failure> {
    ensure_registration(w, UNREGISTERED, 0)
}

#[then(regex = r#"^the answer has one entry for each of the (-?[0-9]+) numbers$"#)]
async fn one_entry_each(w: &mut ConformanceWorld, n: usize) -> Result<(), Failure> {
    let body = w.last_json()?;
    let len = body.as_array().map(Vec::len);
    if len == Some(n) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "the answer does not have one entry per number",
    )
    .expected(format!("an array of {n} entries"))
    .actual(len.map_or_else(|| "not an array".to_owned(), |l| format!("{l} entries")))
    .rule(
        "interpretation: one {\"user\", \"isRegistered\"} object per number posted",
    )))
}

// E-mail address and opt-in.

async fn change_email(w: &mut ConformanceWorld) -> Result<(), Failure> {
    w.sso.email = Some(format!("{}@example.com", opaque("sso-conformance-")));
    send(w, "PATCH /sso/email", Variation::default()).await
}

#[when("the client changes the test user's e-mail address")]
async fn changes_email(w: &mut ConformanceWorld) -> Result<(), Failure> {
    change_email(w).await
}

#[given("the client has changed the test user's e-mail address")]
async fn has_changed_email(w: &mut ConformanceWorld) -> Result<(), Failure> {
    change_email(w).await?;
    ensure_done(w, "changing the e-mail address (PATCH /sso/email)")
}

#[given("the provider has sent an opt-in mail to the new address")]
#[then("the provider has sent an opt-in mail to the new address")]
async fn optin_sent(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?.clone();
    if !target.mock_control {
        return Err(Failure::new(
            "reading the opt-in mail needs the embedded mock; tag the scenario @mock-only",
        ));
    }
    let email = w
        .sso
        .email
        .clone()
        .ok_or_else(|| Failure::new("no e-mail address was changed before this step"))?;
    let url = url::Url::parse_with_params(&target.url("/__mock/optin-mail"), [("email", &email)])
        .map_err(|e| Failure::new(e.to_string()))?;
    // The mailbox read is not the provider's answer: keep the last provider exchange.
    let keep = w.last.take();
    let ex = w
        .send(Request::new(reqwest::Method::POST, url.to_string()))
        .await?
        .clone();
    w.last = keep;
    let code = ex
        .response
        .json()
        .ok()
        .and_then(|b| b.get("c").and_then(Value::as_str).map(str::to_owned));
    match code {
        Some(c) if ex.response.status == 200 => {
            w.sso.optin_code = Some(Secret::new(c));
            Ok(())
        }
        _ => w.evidence(Err(Failure::new("no opt-in mail reached the new address")
            .expected(format!("an opt-in mail to {email}"))
            .actual("none in the mock's mailbox")
            .rule("SSO (v1) documentation, PATCH /sso/email: \"send opt in mail for submitting the change\""))),
    }
}

#[when("the client confirms the new address with the opt-in code")]
async fn confirms_optin(w: &mut ConformanceWorld) -> Result<(), Failure> {
    if w.sso.optin_code.is_none() {
        return Err(Failure::new("no opt-in code was read before this step"));
    }
    send(w, "PATCH /sso/email-optin", Variation::default()).await
}

#[when("the client confirms an address with an opt-in code the provider never sent")]
async fn confirms_unknown_optin(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let v = Variation {
        set: Some(("c".to_owned(), json!(opaque("never-sent-")))),
        ..Variation::default()
    };
    send(w, "PATCH /sso/email-optin", v).await
}

#[when("the client asks for the status of the new e-mail address")]
async fn asks_email_status(w: &mut ConformanceWorld) -> Result<(), Failure> {
    if w.sso.email.is_none() {
        return Err(Failure::new(
            "no e-mail address was changed before this step",
        ));
    }
    send(w, "PATCH /sso/email-status", Variation::default()).await
}
