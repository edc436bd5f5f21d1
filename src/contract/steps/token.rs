//! The token endpoint: exchanging an authorization code (RFC 6749 §4.1.3-4.1.4, §5).

use cucumber::gherkin::Step;
use cucumber::{given, then, when};

use super::{RFC6749_ERRORS, parse_statuses};
use crate::contract::checks::{self, Failure};
use crate::contract::world::{ConformanceWorld, TokenIssued};
use crate::mocks::opaque;
use crate::providers::{ClientAuth, Encoding};
use crate::secret::Secret;
use crate::targets::http::{Body, Request};

/// Where a token request carries the client credentials.
#[derive(Clone, Copy, Default, PartialEq)]
enum Credentials {
    /// Where the dialect's `client_auth` puts them (Basic, or the body's fields).
    #[default]
    Dialect,
    /// In `Authorization: Basic` (where the dialect says the provider takes it).
    Basic,
    /// Only the client id in the body, as a public client names itself.
    PublicClient,
    /// Nowhere.
    Absent,
}

/// How a token request departs from a correct one.
#[derive(Default)]
struct Variation<'a> {
    code: Option<String>,
    client_id: Option<String>,
    secret: Option<String>,
    grant_type: Option<&'a str>,
    redirect_uri: Option<&'a str>,
    omit: Option<&'a str>,
    credentials: Credentials,
    verifier: Verifier,
}

/// The PKCE code verifier a token request carries, when the authorization sent a challenge.
#[derive(Clone, Copy, Default, PartialEq)]
enum Verifier {
    /// The authorization's own (RFC 7636 §4.5).
    #[default]
    Right,
    /// One that does not match the challenge.
    Wrong,
    /// None at all.
    Omitted,
}

impl Variation<'_> {
    /// Is this the plain exchange, with the target file's client credentials? Then an
    /// invalid_client answer means the file's client is wrong, not that the provider fails
    /// (see [`checks::MISCONFIGURED_CLIENT`]). Any variation may be refused with invalid_client
    /// by a document's own reading, so only the plain request is diagnosed.
    fn is_plain(&self) -> bool {
        matches!(
            self,
            Variation {
                code: None,
                client_id: None,
                secret: None,
                grant_type: None,
                redirect_uri: None,
                omit: None,
                credentials: Credentials::Dialect,
                verifier: Verifier::Right,
            }
        )
    }
}

/// The diagnosis of a plain exchange refused with invalid_client: the keys to check.
fn misconfigured(target: &crate::targets::Target) -> String {
    let name = target.provider.name();
    let auth = match target.dialect.client_auth {
        ClientAuth::Basic => "basic",
        ClientAuth::Post => "post",
    };
    let dialect = if target.provider.dialect_from_target_file() {
        format!(
            ", and [providers.{name}.dialect] client_auth (now \"{auth}\"; the server may want \
             the other of \"basic\" and \"post\")"
        )
    } else {
        String::new()
    };
    format!(
        "environment error: {}: the token endpoint refused the configured client \
         credentials with invalid_client on a plain authorization-code exchange, so no scenario \
         can tell whether {name} conforms. Check [providers.{name}] client_id and the secret in \
         the environment variable its client_secret_env names{dialect}.",
        checks::MISCONFIGURED_CLIENT
    )
}

async fn exchange_code(w: &mut ConformanceWorld, v: Variation<'_>) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let d = w.dialect()?;
    let plain = v.is_plain();
    let own_code = v.code.is_none();
    let code = match v.code {
        Some(c) => c,
        None => w.code()?.expose().to_owned(),
    };
    let secret = v
        .secret
        .unwrap_or_else(|| target.client_secret.expose().to_owned());
    let client_id = v.client_id.unwrap_or_else(|| target.client_id.clone());
    let mut fields: Vec<(String, String)> = vec![
        (
            d.grant_type_field.into(),
            v.grant_type.unwrap_or(d.grant_type_value).into(),
        ),
        (d.code_field.into(), code),
    ];
    let mut basic = None;
    match (v.credentials, d.client_auth) {
        (Credentials::Dialect, ClientAuth::Post) => {
            fields.push((d.client_id_field.into(), client_id));
            fields.push((d.client_secret_field.into(), secret));
        }
        (Credentials::Basic, _) if !d.token_basic_auth => {
            return Err(Failure::new(format!(
                "the {} document does not say its token endpoint takes HTTP Basic: fix the feature",
                target.provider.name()
            )));
        }
        (Credentials::Dialect, ClientAuth::Basic) | (Credentials::Basic, _) => {
            basic = Some(basic_credentials(&client_id, &secret))
        }
        // Named as a public client names itself (RFC 6749 §4.1.3), with no secret.
        (Credentials::PublicClient, _) => fields.push((d.client_id_field.into(), client_id)),
        (Credentials::Absent, _) => {}
    }
    if let Some(f) = d.state_field {
        fields.push((f.into(), w.authorization()?.state.clone()));
    }
    match (d.redirect_uri_field, v.redirect_uri) {
        (Some(f), other) => {
            let uri = other.unwrap_or(&target.redirect_uri);
            fields.push((f.into(), uri.to_owned()));
        }
        (None, Some(_)) => {
            return Err(Failure::new(format!(
                "the {} token request carries no redirect URI",
                target.provider.name()
            )));
        }
        (None, None) => {}
    }
    // RFC 7636 §4.5: the verifier of the authorization's challenge, in the RFC's name.
    let verifier = match w.authorization.as_ref().and_then(|a| a.verifier.as_ref()) {
        Some(_) if !own_code => None,
        Some(right) => match v.verifier {
            Verifier::Right => Some(right.expose().to_owned()),
            Verifier::Wrong => Some(
                Secret::new([opaque(""), opaque("")].concat())
                    .expose()
                    .to_owned(),
            ),
            Verifier::Omitted => None,
        },
        None if v.verifier != Verifier::Right => {
            return Err(Failure::new(
                "the authorization sent no PKCE challenge: the target's dialect has pkce = \"none\" \
                 (tag the scenario @needs-pkce)",
            ));
        }
        None => None,
    };
    if let Some(verifier) = verifier {
        fields.push(("code_verifier".into(), verifier));
    }
    if let Some(omit) = v.omit {
        if !fields.iter().any(|(k, _)| k == omit) {
            return Err(Failure::new(format!(
                "the {} token request has no field \"{omit}\"",
                target.provider.name()
            )));
        }
        fields.retain(|(k, _)| k != omit);
    }
    let body = match d.token_encoding {
        Encoding::Json => Body::Json(serde_json::Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
        )),
        Encoding::Form => Body::Form(fields),
        Encoding::Multipart => Body::Multipart(fields),
    };
    let mut request = Request::new(reqwest::Method::POST, target.url(d.token_path)).body(body);
    if let Some(credentials) = basic {
        request = request.header("Authorization", credentials);
    }
    let ex = w.send(request).await?;
    if plain && checks::ensure_oauth_error(&ex.response, &[400, 401], "invalid_client", "").is_ok()
    {
        return Err(w.environment_error(misconfigured(&target)));
    }
    Ok(())
}

/// `Basic base64(id:secret)`, each form-urlencoded first (RFC 6749 §2.3.1; the same as the
/// plain pair for the unreserved characters client ids and secrets are usually made of).
fn basic_credentials(client_id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    crate::targets::http::basic_auth(&encode(client_id), &encode(secret))
}

/// Reads the access token out of a successful answer and keeps it (as a secret).
fn take_access_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let field = w.dialect()?.access_token_field;
    let ex = w.last()?;
    w.evidence(checks::ensure_status(
        &ex.response,
        &[200],
        "RFC 6749 §5.1 (successful response)",
    ))?;
    let body = w.last_json()?;
    for name in ["access_token", "refresh_token", "token", "id_token"] {
        if let Some(v) = body.get(name).and_then(|v| v.as_str()) {
            crate::secret::register(v);
        }
    }
    if let Some(refresh) = body.get("refresh_token").and_then(|v| v.as_str()) {
        w.refresh_token = Some(Secret::new(refresh));
    }
    let token = body
        .get(field)
        .and_then(|v| v.as_str())
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return w.evidence(Err(Failure::new(format!(
            "the token response has no \"{field}\""
        ))
        .expected(format!("a non-empty string at /{field}"))
        .actual("nothing")
        .at(format!("/{field}"))
        .rule("RFC 6749 §5.1")));
    };
    w.access_token = Some(Secret::new(token));
    w.token_issued = Some(TokenIssued {
        at: std::time::Instant::now(),
        expires_in: body.get("expires_in").cloned(),
    });
    Ok(())
}

#[given("the client has exchanged the authorization code for an access token")]
async fn has_exchanged(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(w, Variation::default()).await?;
    take_access_token(w)
}

#[when("the client exchanges the authorization code")]
async fn exchanges(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(w, Variation::default()).await
}

#[when("the client exchanges the authorization code a second time")]
async fn exchanges_twice(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(w, Variation::default()).await?;
    take_access_token(w)?;
    exchange_code(w, Variation::default()).await
}

#[when("the client exchanges the authorization code with a wrong client secret")]
async fn exchanges_wrong_secret(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let wrong = Secret::new(opaque("wrong-secret-"));
    exchange_code(
        w,
        Variation {
            secret: Some(wrong.expose().to_owned()),
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges the authorization code with its credentials in HTTP Basic")]
async fn exchanges_with_basic(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            credentials: Credentials::Basic,
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges the authorization code with a wrong client secret in HTTP Basic")]
async fn exchanges_wrong_basic(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let wrong = Secret::new(opaque("wrong-secret-"));
    exchange_code(
        w,
        Variation {
            secret: Some(wrong.expose().to_owned()),
            credentials: Credentials::Basic,
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges the authorization code with a client id the provider does not know")]
async fn exchanges_unknown_client(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            client_id: Some(opaque("unknown-client-")),
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges the authorization code without client credentials")]
async fn exchanges_without_credentials(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            credentials: Credentials::Absent,
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges a code the provider never issued")]
async fn exchanges_unknown_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let forged = Secret::new(opaque("never-issued-"));
    exchange_code(
        w,
        Variation {
            code: Some(forged.expose().to_owned()),
            ..Variation::default()
        },
    )
    .await
}

#[when(regex = r#"^the client exchanges the authorization code without the "([^"]*)" field$"#)]
async fn exchanges_without(w: &mut ConformanceWorld, field: String) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            omit: Some(&field),
            ..Variation::default()
        },
    )
    .await
}

#[when(regex = r#"^the client exchanges the authorization code with grant_type "([^"]*)"$"#)]
async fn exchanges_with_grant_type(w: &mut ConformanceWorld, grant: String) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            grant_type: Some(&grant),
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges the authorization code without client authentication")]
async fn exchanges_unauthenticated(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            credentials: Credentials::PublicClient,
            ..Variation::default()
        },
    )
    .await
}

/// A token request without one of its parameters, named as RFC 6749 §4.1.3 names it; the field
/// is the dialect's spelling of it.
#[when(regex = r"^the client exchanges the authorization code without the (grant type|code)$")]
async fn exchanges_without_parameter(
    w: &mut ConformanceWorld,
    parameter: String,
) -> Result<(), Failure> {
    let d = w.dialect()?;
    let field = if parameter == "code" {
        d.code_field
    } else {
        d.grant_type_field
    };
    exchange_code(
        w,
        Variation {
            omit: Some(field),
            ..Variation::default()
        },
    )
    .await
}

/// Exchanges the scenario's code naming `redirect_uri` in the token request.
pub(super) async fn exchange_with_redirect_uri(
    w: &mut ConformanceWorld,
    redirect_uri: &str,
) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            redirect_uri: Some(redirect_uri),
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges the authorization code with a redirect URI other than the one used")]
async fn exchanges_with_other_redirect_uri(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            redirect_uri: Some("https://unregistered.invalid/callback"),
            ..Variation::default()
        },
    )
    .await
}

#[when(
    "the client exchanges the authorization code with the second registered client's credentials"
)]
async fn exchanges_as_second_client(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let (id, secret) = w.target()?.second_client.clone().ok_or_else(|| {
        Failure::new(
            "this step needs a second registered client: tag the scenario @needs-second-client",
        )
    })?;
    exchange_code(
        w,
        Variation {
            client_id: Some(id),
            secret: Some(secret.expose().to_owned()),
            ..Variation::default()
        },
    )
    .await
}

#[then("the token endpoint answers with an access token")]
async fn answers_with_token(w: &mut ConformanceWorld) -> Result<(), Failure> {
    take_access_token(w)
}

/// RFC 6749 §5.2, invalid_client: "The authorization server MAY return an HTTP 401 ... If the
/// client attempted to authenticate via the "Authorization" request header field, the
/// authorization server MUST respond with an HTTP 401 (Unauthorized) status code and include the
/// "WWW-Authenticate" response header field".
#[then("the provider refuses the client authentication as RFC 6749 §5.2 requires")]
async fn refuses_client_authentication(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let basic = w.dialect()?.client_auth == ClientAuth::Basic;
    let ex = w.last()?;
    let rule = "RFC 6749 §5.2 (invalid_client)";
    let statuses: &[u16] = if basic { &[401] } else { &[400, 401] };
    w.evidence(checks::ensure_oauth_error(
        &ex.response,
        statuses,
        "invalid_client",
        rule,
    ))?;
    if basic && ex.response.header("www-authenticate").is_none() {
        return w.evidence(Err(Failure::new(
            "the refusal of HTTP Basic client credentials carries no challenge",
        )
        .expected("a WWW-Authenticate header")
        .actual("none")
        .rule(rule)));
    }
    Ok(())
}

#[then(
    regex = r#"^the provider refuses it with status ([0-9]{3}(?:(?:, | or )[0-9]{3})*) and error "([a-z_]+)"$"#
)]
async fn refuses_with_error(
    w: &mut ConformanceWorld,
    statuses: String,
    error: String,
) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_oauth_error(
        &ex.response,
        &parse_statuses(&statuses),
        &error,
        RFC6749_ERRORS,
    ))
}

/// One answer of a "refuses it with one of" table: the statuses and the error code.
fn alternatives(step: &Step) -> Result<Vec<(Vec<u16>, String)>, Failure> {
    let table = step.table.as_ref().ok_or_else(|| {
        Failure::new("this step needs a table | status | error | of the accepted answers")
    })?;
    Ok(table
        .rows
        .iter()
        .skip(1)
        .filter_map(|row| match row.as_slice() {
            [status, error] => Some((parse_statuses(status), error.trim().to_owned())),
            _ => None,
        })
        .collect())
}

/// Where the document allows more than one error for a request, any one of them passes.
#[then("the provider refuses it with one of")]
async fn refuses_with_one_of(w: &mut ConformanceWorld, step: &Step) -> Result<(), Failure> {
    let accepted = alternatives(step)?;
    let ex = w.last()?;
    let mut shown = Vec::new();
    for (statuses, error) in &accepted {
        if checks::ensure_oauth_error(&ex.response, statuses, error, RFC6749_ERRORS).is_ok() {
            return Ok(());
        }
        let list: Vec<String> = statuses.iter().map(u16::to_string).collect();
        shown.push(format!("HTTP {} with error \"{error}\"", list.join(" or ")));
    }
    let actual = match ex.response.json() {
        Ok(body) => format!(
            "HTTP {} with error {}",
            ex.response.status,
            body.get("error")
                .map_or("(none)".to_owned(), |e| e.to_string())
        ),
        Err(why) => format!("HTTP {} ({why})", ex.response.status),
    };
    w.evidence(Err(Failure::new(
        "the refusal is none of the answers the document allows",
    )
    .expected(shown.join(", or "))
    .actual(actual)
    .rule(RFC6749_ERRORS)))
}

#[when("the client exchanges the authorization code with a wrong code verifier")]
async fn exchanges_wrong_verifier(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            verifier: Verifier::Wrong,
            ..Variation::default()
        },
    )
    .await
}

#[when("the client exchanges the authorization code without the code verifier")]
async fn exchanges_without_verifier(w: &mut ConformanceWorld) -> Result<(), Failure> {
    exchange_code(
        w,
        Variation {
            verifier: Verifier::Omitted,
            ..Variation::default()
        },
    )
    .await
}

/// RFC 6749 §4.1.3: redirect_uri is "REQUIRED, if the "redirect_uri" parameter was included in
/// the authorization request".
#[when("the client exchanges the authorization code without the redirect URI")]
async fn exchanges_without_redirect_uri(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let Some(field) = w.dialect()?.redirect_uri_field else {
        return Err(Failure::new(
            "the dialect's token request carries no redirect URI (redirect_uri_field = \"\")",
        ));
    };
    exchange_code(
        w,
        Variation {
            omit: Some(field),
            ..Variation::default()
        },
    )
    .await
}

/// The target's second registered client (`second_client_id`): its id and secret.
fn second_client(w: &ConformanceWorld) -> Result<(String, String), Failure> {
    let target = w.target()?;
    target
        .second_client
        .as_ref()
        .map(|(id, secret)| (id.clone(), secret.expose().to_owned()))
        .ok_or_else(|| {
            Failure::new(
                "the target names no second client: set second_client_id and \
                 second_client_secret_env (@needs-second-client)",
            )
        })
}

/// RFC 6749 §6: `grant_type=refresh_token` and the refresh token, with the client's
/// authentication (§6: "the client MUST authenticate"), form-encoded in the RFC's names; the
/// target's client unless `client` names another.
async fn refresh(
    w: &mut ConformanceWorld,
    refresh_token: &str,
    client: Option<(String, String)>,
) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let d = w.dialect()?;
    let mut fields = vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), refresh_token.to_owned()),
    ];
    let (client_id, secret) = client.unwrap_or_else(|| {
        (
            target.client_id.clone(),
            target.client_secret.expose().to_owned(),
        )
    });
    let mut request = Request::new(reqwest::Method::POST, target.url(d.token_path));
    match d.client_auth {
        ClientAuth::Basic => {
            request = request.header("Authorization", basic_credentials(&client_id, &secret));
        }
        ClientAuth::Post => {
            fields.push((d.client_id_field.into(), client_id));
            fields.push((d.client_secret_field.into(), secret));
        }
    }
    w.send(request.body(Body::Form(fields))).await?;
    Ok(())
}

#[when("the client refreshes the access token")]
async fn refreshes(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let Some(token) = w.refresh_token.as_ref().map(|t| t.expose().to_owned()) else {
        let ex = w.last()?;
        return w.evidence(Err(Failure::new(
            "the token response carries no refresh token",
        )
        .expected("a refresh_token (the server's metadata lists the refresh_token grant)")
        .actual("none")
        .at("/refresh_token")
        .rule("RFC 6749 §5.1, §6")
        .with_exchange(ex.excerpt())));
    };
    refresh(w, &token, None).await
}

#[when("the client refreshes with a refresh token the provider never issued")]
async fn refreshes_with_invented(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let invented = Secret::new(opaque("never-issued-refresh-"));
    refresh(w, invented.expose(), None).await
}

/// RFC 6749 §4.1.3: the server MUST "ensure that the authorization code was issued to the
/// authenticated confidential client".
#[when("the second client exchanges the authorization code")]
async fn second_client_exchanges(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let (id, secret) = second_client(w)?;
    exchange_code(
        w,
        Variation {
            client_id: Some(id),
            secret: Some(secret),
            ..Variation::default()
        },
    )
    .await
}

/// RFC 6749 §6: the server MUST "ensure that the refresh token was issued to the authenticated
/// client".
#[when("the second client refreshes with the first client's refresh token")]
async fn second_client_refreshes(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let client = second_client(w)?;
    let Some(token) = w.refresh_token.as_ref().map(|t| t.expose().to_owned()) else {
        return Err(
            Failure::new("the token response carried no refresh token").rule("RFC 6749 §5.1, §6")
        );
    };
    refresh(w, &token, Some(client)).await
}
