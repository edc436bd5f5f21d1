//! Authorization requests and the redirect back to the client (RFC 6749 §4.1.1-4.1.2).

use cucumber::{given, then, when};

use crate::contract::checks::{self, Failure};
use crate::contract::world::{Authorization, ConformanceWorld};
use crate::mocks::opaque;
use crate::providers::Pkce;
use crate::secret::Secret;
use crate::targets::authorization::{Capture, Completed, Hop};
use crate::targets::http::Request;

/// Which authorization parameters a request leaves out, adds or replaces.
#[derive(Default)]
struct Variation<'a> {
    omit: &'a [&'a str],
    /// Added to the request; a parameter of the same name is replaced.
    extra: &'a [(&'a str, &'a str)],
    without_optional: bool,
    /// A user completes this authorization (through the target's strategy), rather than the
    /// harness reading the provider's immediate answer.
    by_user: bool,
    /// Send no PKCE challenge (the request names its own in `extra`).
    without_pkce: bool,
}

/// RFC 7636 §4.1: a code verifier of 43 to 128 unreserved characters (here 72 random ones of 36
/// kinds, some 370 bits of entropy), and the challenge for `method` (§4.2).
fn pkce_pair(method: Pkce) -> Option<(Secret, String)> {
    let verifier = Secret::new([opaque(""), opaque(""), opaque("")].concat());
    let challenge = match method {
        Pkce::None => return None,
        Pkce::Plain => verifier.expose().to_owned(),
        Pkce::S256 => crate::mocks::oauth2::s256(verifier.expose()),
    };
    Some((verifier, challenge))
}

async fn request_authorization(
    w: &mut ConformanceWorld,
    scope: &str,
    v: Variation<'_>,
) -> Result<(), Failure> {
    let target = w.target()?.clone();
    let dialect = w.dialect()?;
    let state = opaque("st-");
    let mut params: Vec<(&str, String)> = vec![
        ("client_id", target.client_id.clone()),
        ("state", state.clone()),
    ];
    // RFC 6749 §3.3: scope is optional; a dialect without a default scope sends none.
    if !scope.is_empty() {
        params.push(("scope", scope.to_owned()));
    }
    if dialect.authorize_sends_response_type {
        params.push(("response_type", "code".to_owned()));
    }
    if dialect.authorize_sends_redirect_uri {
        params.push(("redirect_uri", target.redirect_uri.clone()));
    }
    let pkce = if v.without_pkce {
        None
    } else {
        pkce_pair(dialect.extensions.pkce)
    };
    if let Some((_, challenge)) = &pkce {
        params.push(("code_challenge", challenge.clone()));
        let method = match dialect.extensions.pkce {
            Pkce::Plain => "plain",
            _ => "S256",
        };
        params.push(("code_challenge_method", method.to_owned()));
    }
    if !v.without_optional {
        params.extend(
            dialect
                .authorize_extra
                .iter()
                .map(|(k, val)| (*k, (*val).to_owned())),
        );
    }
    // An extra parameter replaces the dialect's value: RFC 6749 §3.1 forbids sending one twice,
    // and a provider refusing the duplicate would pass a scenario for the wrong reason.
    params.retain(|(k, _)| !v.extra.iter().any(|(e, _)| e == k));
    params.extend(v.extra.iter().map(|(k, val)| (*k, (*val).to_owned())));
    params.retain(|(k, _)| !v.omit.contains(k));
    let mut url = url::Url::parse(&target.authorize_url(dialect.authorize_path))
        .map_err(|e| Failure::new(format!("the authorize URL is invalid: {e}")))?;
    url.query_pairs_mut()
        .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    let (redirect, state) = if !v.by_user {
        let exchange = w
            .send(Request::new(reqwest::Method::GET, url.as_str()))
            .await?;
        (checks::parse_redirect(&exchange.response), state)
    } else if target.authorization.is_direct() {
        (capture(w, &target, url).await?, state)
    } else {
        let provider = target.provider.name();
        match target.authorization.complete(provider, url.as_str()).await {
            Ok(Completed::Redirect(r)) => (Some(r), state),
            // Obtained outside the run: the state is the one the person's request carried.
            Ok(Completed::Supplied(r)) => {
                let state = r.state.clone().unwrap_or_default();
                (Some(r), state)
            }
            Err(e) => {
                let message = format!(
                    "environment error: the {} authorization strategy obtained no \
                     authorization: {e}",
                    target.authorization.name()
                );
                return Err(w.environment_error(message));
            }
        }
    };
    w.code_issued = Some(std::time::Instant::now());
    w.authorization = Some(Authorization {
        state,
        scope: scope.to_owned(),
        code: redirect
            .as_ref()
            .and_then(|r| r.code.clone())
            .map(Secret::new),
        returned_state: redirect.as_ref().and_then(|r| r.state.clone()),
        redirect,
        verifier: pkce.map(|(verifier, _)| verifier),
    });
    Ok(())
}

/// redirect-capture: follows the provider's own redirects (its cookies kept for this
/// authorization alone) until it redirects to the client's redirect URI; `None` when the
/// provider refused the request with an error status.
async fn capture(
    w: &mut ConformanceWorld,
    target: &crate::targets::Target,
    first: url::Url,
) -> Result<Option<checks::Redirect>, Failure> {
    let mut capture = Capture::new(
        &first,
        &[&target.base_url, &target.authorize_base_url],
        &target.redirect_uri,
    );
    let mut url = first;
    loop {
        let mut request = Request::new(reqwest::Method::GET, url.as_str());
        if let Some(cookies) = capture.cookies(&url) {
            request = request.header("cookie", cookies);
        }
        let exchange = w.send(request).await?;
        match capture.next(&url, &exchange.response) {
            Ok(Hop::Done(redirect)) => {
                if let Some(code) = &redirect.code {
                    crate::secret::register(code);
                }
                return Ok(Some(redirect));
            }
            Ok(Hop::Refused) => return Ok(None),
            Ok(Hop::Follow(next)) => url = next,
            Err(e) => return Err(w.environment_error(format!("environment error: {e}"))),
        }
    }
}

/// An authorization the scenario's user completes: through the target's strategy when the
/// scenario checks that redirect (`@needs-redirect`), else the provider's immediate answer.
fn as_scenario_says(w: &ConformanceWorld) -> Variation<'static> {
    Variation {
        by_user: w.authorization_by_user,
        ..Variation::default()
    }
}

/// A precondition: the user has completed an authorization, through the target's strategy.
fn by_user() -> Variation<'static> {
    Variation {
        by_user: true,
        ..Variation::default()
    }
}

#[given(regex = r#"^the user has authorized the client with scope "([^"]*)"$"#)]
async fn user_has_authorized(w: &mut ConformanceWorld, scope: String) -> Result<(), Failure> {
    request_authorization(w, &scope, by_user()).await?;
    ensure_code_issued(w)
}

#[given("the user has authorized the client")]
async fn user_has_authorized_default(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    request_authorization(w, scope, by_user()).await?;
    ensure_code_issued(w)
}

#[when("the client requests authorization")]
async fn requests(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    let v = as_scenario_says(w);
    request_authorization(w, scope, v).await
}

#[when(regex = r#"^the client requests authorization with scope "([^"]*)"$"#)]
async fn requests_with_scope(w: &mut ConformanceWorld, scope: String) -> Result<(), Failure> {
    let v = as_scenario_says(w);
    request_authorization(w, &scope, v).await
}

#[when(regex = r#"^the client requests authorization with scope "([^"]*)" and country "([^"]*)"$"#)]
async fn requests_with_country(
    w: &mut ConformanceWorld,
    scope: String,
    country: String,
) -> Result<(), Failure> {
    let extra = [("country", country.as_str())];
    let v = Variation {
        extra: &extra,
        ..as_scenario_says(w)
    };
    request_authorization(w, &scope, v).await
}

#[when(
    regex = r#"^the client requests authorization with scope "([^"]*)" and no optional parameter$"#
)]
async fn requests_without_optional(w: &mut ConformanceWorld, scope: String) -> Result<(), Failure> {
    let v = Variation {
        without_optional: true,
        ..as_scenario_says(w)
    };
    request_authorization(w, &scope, v).await
}

/// RFC 6749 §3.1: "The authorization server MUST ignore unrecognized request parameters."
#[when("the client requests authorization with a parameter the RFC does not define")]
async fn requests_with_unrecognized(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    let extra = [("x_idp_conformance_unrecognized", "ignored")];
    let v = Variation {
        extra: &extra,
        ..as_scenario_says(w)
    };
    request_authorization(w, scope, v).await
}

#[when(regex = r#"^the client requests authorization without the "([^"]*)" parameter$"#)]
async fn requests_without(w: &mut ConformanceWorld, param: String) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    let omit = [param.as_str()];
    let v = Variation {
        omit: &omit,
        ..as_scenario_says(w)
    };
    request_authorization(w, scope, v).await
}

/// An authorization with the dialect's default scope and one parameter set to `value`.
pub(super) async fn request_with(
    w: &mut ConformanceWorld,
    name: &str,
    value: &str,
) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    let extra = [(name, value)];
    request_authorization(
        w,
        scope,
        Variation {
            extra: &extra,
            ..Variation::default()
        },
    )
    .await
}

/// A redirect URI on a host the client never registered.
const UNREGISTERED_REDIRECT_URI: &str = "https://unregistered.invalid/callback";

#[when("the client requests authorization with a redirect URI other than the registered one")]
async fn requests_with_other_redirect_uri(w: &mut ConformanceWorld) -> Result<(), Failure> {
    request_with(w, "redirect_uri", UNREGISTERED_REDIRECT_URI).await
}

#[when("the client requests authorization with a client_id the provider does not know")]
async fn requests_with_unknown_client(w: &mut ConformanceWorld) -> Result<(), Failure> {
    request_with(w, "client_id", &opaque("unknown-client-")).await
}

#[then("the provider does not redirect to the unregistered redirect URI")]
async fn not_to_unregistered(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    let Some(redirect) = checks::parse_redirect(&ex.response) else {
        return Ok(());
    };
    if !redirect.location.starts_with(UNREGISTERED_REDIRECT_URI) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "the provider redirected to a redirect URI the client never registered",
    )
    .expected("an error shown to the user, no redirect to it")
    .actual(crate::secret::redact_url(&redirect.location))
    .rule(
        "RFC 6749 §4.1.2.1: the server MUST NOT automatically redirect to an invalid \
         redirection URI",
    )))
}

#[when(regex = r#"^the client requests authorization with response_type "([^"]*)"$"#)]
async fn requests_with_response_type(
    w: &mut ConformanceWorld,
    response_type: String,
) -> Result<(), Failure> {
    request_with(w, "response_type", &response_type).await
}

fn ensure_code_issued(w: &ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?;
    let rule = "RFC 6749 §4.1.2 (authorization response)";
    let Some(redirect) = &w.authorization()?.redirect else {
        let actual = match w.last() {
            Ok(ex) => format!("HTTP {}", ex.response.status),
            Err(_) => "no redirect".to_owned(),
        };
        return w.evidence(Err(Failure::new(
            "the provider did not redirect back to the client",
        )
        .expected(format!(
            "a redirect to {}?code=...&state=...",
            target.redirect_uri
        ))
        .actual(actual)
        .rule(rule)));
    };
    if !redirect.location.starts_with(&target.redirect_uri) {
        return w.evidence(Err(Failure::new(
            "the redirect does not go to the client's callback",
        )
        .expected(format!("a URL starting with {}", target.redirect_uri))
        .actual(crate::secret::redact_url(&redirect.location))
        .rule(rule)));
    }
    if redirect.code.as_deref().is_none_or(str::is_empty) {
        let actual = match &redirect.error {
            Some(e) => format!("error={e} and no code"),
            None => "no code parameter".to_owned(),
        };
        return w.evidence(Err(Failure::new(
            "the redirect carries no authorization code",
        )
        .expected("a code parameter")
        .actual(actual)
        .rule(rule)));
    }
    Ok(())
}

#[then("the provider redirects to the callback with a code")]
async fn redirects_with_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    ensure_code_issued(w)
}

#[then("the callback carries the same state")]
async fn same_state(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let auth = w.authorization()?;
    if auth.returned_state.as_deref() == Some(auth.state.as_str()) {
        return Ok(());
    }
    let actual = match &auth.returned_state {
        Some(s) => format!("state={s}"),
        None => "no state parameter".to_owned(),
    };
    w.evidence(Err(Failure::new(
        "the callback does not carry the state the client sent",
    )
    .expected(format!("state={}", auth.state))
    .actual(actual)
    .rule("RFC 6749 §4.1.2: state is returned exactly as received")))
}

/// RFC 6749 §4.1.2.1: an error the client can be told of goes back to the redirect URI as
/// `error`, with `state` "if present in the client authorization request", and no code.
#[then(
    regex = r#"^the provider redirects to the callback with error "([^"]*)" and the same state$"#
)]
async fn redirects_with_error(w: &mut ConformanceWorld, error: String) -> Result<(), Failure> {
    let rule = "RFC 6749 §4.1.2.1 (error response)";
    let auth = w.authorization()?;
    let Some(redirect) = &auth.redirect else {
        let status = w.last().map(|ex| ex.response.status).unwrap_or_default();
        return w.evidence(Err(Failure::new(
            "the provider did not redirect the error back to the client",
        )
        .expected(format!("a redirect carrying error={error}"))
        .actual(format!("HTTP {status}"))
        .rule(rule)));
    };
    let problem = if redirect.code.is_some() {
        Some((
            "the error redirect carries a code",
            "no code".to_owned(),
            "a code".to_owned(),
        ))
    } else if redirect.error.as_deref() != Some(error.as_str()) {
        Some((
            "the redirect carries another error",
            format!("error={error}"),
            format!("error={}", redirect.error.as_deref().unwrap_or("(none)")),
        ))
    } else if redirect.state.as_deref() != Some(auth.state.as_str()) {
        Some((
            "the error redirect does not carry the state the client sent",
            format!("state={}", auth.state),
            format!("state={}", redirect.state.as_deref().unwrap_or("(none)")),
        ))
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some((title, expected, actual)) => w.evidence(Err(Failure::new(title)
            .expected(expected)
            .actual(actual)
            .rule(rule))),
    }
}

#[then("the provider refuses the authorization without issuing a code")]
async fn refuses_without_code(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_no_code_issued(
        &ex.response,
        "RFC 6749 §4.1.2.1 (error response)",
    ))
}

#[then("the provider does not redirect to the callback")]
async fn no_redirect(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    if checks::parse_redirect(&ex.response).is_none() && ex.response.status >= 400 {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "the provider redirected a request whose client it cannot identify",
    )
    .expected("an error shown to the user (4xx), no redirect")
    .actual(format!("HTTP {}", ex.response.status))
    .rule(
        "RFC 6749 §4.1.2.1: without a valid client_id the server MUST NOT redirect",
    )))
}

/// RFC 7636 §4.4.1: a server that does not support the requested transformation refuses it;
/// one whose metadata lists only S256 does not support `plain`.
#[when("the client requests authorization with a plain PKCE challenge")]
async fn requests_with_plain_challenge(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    let challenge = opaque("plain-challenge-verifier-of-43-characters-");
    let extra = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "plain"),
    ];
    request_authorization(
        w,
        scope,
        Variation {
            extra: &extra,
            without_pkce: true,
            ..Variation::default()
        },
    )
    .await
}

/// RFC 9207 §2: "the authorization server MUST include the iss parameter" in its authorization
/// responses once it advertises `authorization_response_iss_parameter_supported`; its value is
/// the issuer identifier (compared as a simple string, §2.4).
#[then("the callback carries the issuer as iss")]
async fn carries_iss(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?;
    let Some(discovery) = &target.discovery else {
        return Err(Failure::new(
            "the target names no issuer: set issuer in the target file (@needs-iss-parameter)",
        ));
    };
    let auth = w.authorization()?;
    let iss = auth.redirect.as_ref().and_then(|r| r.iss.as_deref());
    if iss == Some(discovery.issuer.as_str()) {
        return Ok(());
    }
    w.evidence(Err(Failure::new(
        "the authorization response does not name the issuer",
    )
    .expected(format!("iss={}", discovery.issuer))
    .actual(iss.map_or("no iss parameter".to_owned(), |i| format!("iss={i}")))
    .rule("RFC 9207 §2 (iss in the authorization response)")))
}
