//! The token endpoint: exchanging an authorization code (RFC 6749 §4.1.3-4.1.4, §5).

use cucumber::{given, then, when};

use super::{RFC6749_ERRORS, parse_statuses};
use crate::checks::{self, Failure};
use crate::http::{Body, Request};
use crate::mocks::opaque;
use crate::providers::{ClientAuth, Encoding};
use crate::secret::Secret;
use crate::world::ConformanceWorld;

/// How a token request departs from a correct one.
#[derive(Default)]
struct Variation<'a> {
    code: Option<String>,
    secret: Option<String>,
    grant_type: Option<&'a str>,
    redirect_uri: Option<&'a str>,
    omit: Option<&'a str>,
    /// Send no client credentials: only the client id in the body, as a public client does.
    no_client_auth: bool,
}

async fn exchange_code(w: &mut ConformanceWorld, v: Variation<'_>) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let d = w.dialect()?;
    let code = match v.code {
        Some(c) => c,
        None => w.code()?.expose().to_owned(),
    };
    let secret = v
        .secret
        .unwrap_or_else(|| target.client_secret.expose().to_owned());
    let mut fields: Vec<(String, String)> = vec![
        (
            d.grant_type_field.into(),
            v.grant_type.unwrap_or(d.grant_type_value).into(),
        ),
        (d.code_field.into(), code),
    ];
    let mut basic = None;
    match d.client_auth {
        // Named as a public client names itself (RFC 6749 §4.1.3), with no secret.
        _ if v.no_client_auth => fields.push((d.client_id_field.into(), target.client_id.clone())),
        ClientAuth::Post => {
            fields.push((d.client_id_field.into(), target.client_id.clone()));
            fields.push((d.client_secret_field.into(), secret));
        }
        ClientAuth::Basic => basic = Some(basic_credentials(&target.client_id, &secret)),
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
    w.send(request).await?;
    Ok(())
}

/// `Basic base64(id:secret)`, each form-urlencoded first (RFC 6749 §2.3.1); registered as a
/// secret.
fn basic_credentials(client_id: &str, secret: &str) -> String {
    use base64::Engine as _;
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(client_id), encode(secret));
    crate::secret::register(&pair);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
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

#[when(expr = "the client exchanges the authorization code without the {string} field")]
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

#[when(expr = "the client exchanges the authorization code with grant_type {string}")]
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
            no_client_auth: true,
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
    regex = r#"^the provider refuses it with status (\d{3}(?:(?:, | or )\d{3})*) and error "([a-z_]+)"$"#
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
