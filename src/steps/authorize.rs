//! Authorization requests and the redirect back to the client (RFC 6749 §4.1.1-4.1.2).

use cucumber::{given, then, when};

use crate::checks::{self, Failure};
use crate::http::Request;
use crate::mocks::opaque;
use crate::secret::Secret;
use crate::target::AuthorizationStrategy;
use crate::world::{Authorization, ConformanceWorld};

/// Which authorization parameters a request leaves out, adds or replaces.
#[derive(Default)]
struct Variation<'a> {
    omit: &'a [&'a str],
    /// Added to the request; a parameter of the same name is replaced.
    extra: &'a [(&'a str, &'a str)],
    without_optional: bool,
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
    // A dialect without a default scope sends none (its document names no scope).
    if !scope.is_empty() {
        params.push(("scope", scope.to_owned()));
    }
    if dialect.authorize_sends_response_type {
        params.push(("response_type", "code".to_owned()));
    }
    if dialect.authorize_sends_redirect_uri {
        params.push(("redirect_uri", target.redirect_uri.clone()));
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
    match target.authorization {
        AuthorizationStrategy::RedirectCapture => {
            let exchange = w
                .send(Request::new(reqwest::Method::GET, url.as_str()))
                .await?;
            let redirect = checks::parse_redirect(&exchange.response);
            let (code, returned_state) = match redirect {
                Some(r) => (r.code.map(Secret::new), r.state),
                None => (None, None),
            };
            w.authorization = Some(Authorization {
                state,
                scope: scope.to_owned(),
                code,
                returned_state,
            });
        }
    }
    Ok(())
}

#[given(expr = "the user has authorized the client with scope {string}")]
async fn user_has_authorized(w: &mut ConformanceWorld, scope: String) -> Result<(), Failure> {
    request_authorization(w, &scope, Variation::default()).await?;
    ensure_code_issued(w)
}

#[given("the user has authorized the client")]
async fn user_has_authorized_default(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    request_authorization(w, scope, Variation::default()).await?;
    ensure_code_issued(w)
}

#[when("the client requests authorization")]
async fn requests_default(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    request_authorization(w, scope, Variation::default()).await
}

#[when(expr = "the client requests authorization with scope {string}")]
async fn requests_with_scope(w: &mut ConformanceWorld, scope: String) -> Result<(), Failure> {
    request_authorization(w, &scope, Variation::default()).await
}

#[when(expr = "the client requests authorization with scope {string} and country {string}")]
async fn requests_with_country(
    w: &mut ConformanceWorld,
    scope: String,
    country: String,
) -> Result<(), Failure> {
    let extra = [("country", country.as_str())];
    request_authorization(
        w,
        &scope,
        Variation {
            extra: &extra,
            ..Variation::default()
        },
    )
    .await
}

#[when(expr = "the client requests authorization with scope {string} and no optional parameter")]
async fn requests_without_optional(w: &mut ConformanceWorld, scope: String) -> Result<(), Failure> {
    request_authorization(
        w,
        &scope,
        Variation {
            without_optional: true,
            ..Variation::default()
        },
    )
    .await
}

#[when(expr = "the client requests authorization without the {string} parameter")]
async fn requests_without(w: &mut ConformanceWorld, param: String) -> Result<(), Failure> {
    let scope = w.dialect()?.default_scope;
    let omit = [param.as_str()];
    request_authorization(
        w,
        scope,
        Variation {
            omit: &omit,
            ..Variation::default()
        },
    )
    .await
}

/// An authorization with the dialect's default scope and one parameter set to `value`.
async fn request_with(w: &mut ConformanceWorld, name: &str, value: &str) -> Result<(), Failure> {
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

#[when(expr = "the client requests authorization with response_type {string}")]
async fn requests_with_response_type(
    w: &mut ConformanceWorld,
    response_type: String,
) -> Result<(), Failure> {
    request_with(w, "response_type", &response_type).await
}

fn ensure_code_issued(w: &ConformanceWorld) -> Result<(), Failure> {
    let target = w.target()?;
    let ex = w.last()?;
    let rule = "RFC 6749 §4.1.2 (authorization response)";
    let Some(redirect) = checks::parse_redirect(&ex.response) else {
        return w.evidence(Err(Failure::new(
            "the provider did not redirect back to the client",
        )
        .expected(format!(
            "a redirect to {}?code=...&state=...",
            target.redirect_uri
        ))
        .actual(format!("HTTP {}", ex.response.status))
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
        let actual = match redirect.error {
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
