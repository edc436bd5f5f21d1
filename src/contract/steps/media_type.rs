//! Content negotiation and the lists a provider's document gives per endpoint: the Accept and
//! Content-Type a request may carry, the statuses and Content-Type an answer may have, the
//! Allow header. The lists come from `documents/`; the checks are generic.

use cucumber::{then, when};

use super::sso::{self, Variation, doc_for};
use crate::contract::checks::{self, Failure};
use crate::contract::world::ConformanceWorld;

#[when(regex = r#"^the client sends "([^"]*)" with Accept "([^"]*)"$"#)]
async fn with_accept(
    w: &mut ConformanceWorld,
    endpoint: String,
    accept: String,
) -> Result<(), Failure> {
    let v = Variation {
        accept: Some(accept),
        ..Variation::default()
    };
    sso::send(w, &endpoint, v).await
}

#[when(regex = r#"^the client sends "([^"]*)" with Content-Type "([^"]*)"$"#)]
async fn with_content_type(
    w: &mut ConformanceWorld,
    endpoint: String,
    content_type: String,
) -> Result<(), Failure> {
    let v = Variation {
        content_type: Some(content_type),
        ..Variation::default()
    };
    sso::send(w, &endpoint, v).await
}

#[then(regex = r#"^"([^"]*)" refuses the media type its document does not list$"#)]
async fn refuses_media_type(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    let ex = w.last()?;
    let sent = |name: &str| {
        ex.request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .or_else(|| match &ex.request.body {
                crate::targets::http::Body::Raw(ct, _) if name == "content-type" => {
                    Some(ct.clone())
                }
                _ => None,
            })
    };
    let listed = |list: &[String], value: &Option<String>| {
        value
            .as_ref()
            .is_some_and(|v| list.iter().any(|l| *l == checks::essence(v)))
    };
    let accept = sent("accept");
    let content_type = sent("content-type");
    let (status, rule) = if !listed(&ep.accept, &accept) {
        (
            406,
            format!(
                "{}: Accept {}; 406 Not Acceptable",
                doc.cite(ep),
                ep.accept.join(", ")
            ),
        )
    } else if !ep.content_type.is_empty() && !listed(&ep.content_type, &content_type) {
        (
            415,
            format!(
                "{}: Content-Type {}; 415 Unsupported Media Type",
                doc.cite(ep),
                ep.content_type.join(", ")
            ),
        )
    } else {
        return Err(Failure::new(
            "the request's Accept and Content-Type are both listed: nothing to refuse",
        ));
    };
    w.evidence(checks::ensure_status(&ex.response, &[status], &rule))
}

#[then(regex = r#"^the status is one the document lists for "([^"]*)"$"#)]
async fn documented_status(w: &mut ConformanceWorld, endpoint: String) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    let ex = w.last()?;
    w.evidence(checks::ensure_documented_status(
        &ex.response,
        &endpoint,
        &ep.statuses,
        &format!("{}: Status Codes", doc.cite(ep)),
    ))
}

#[then(regex = r#"^the response Content-Type is one the document lists for "([^"]*)"$"#)]
async fn documented_content_type(
    w: &mut ConformanceWorld,
    endpoint: String,
) -> Result<(), Failure> {
    let (doc, ep) = doc_for(w, &endpoint)?;
    let ex = w.last()?;
    w.evidence(checks::ensure_documented_content_type(
        &ex.response,
        &ep.response_content_type,
        &format!("{}: response header Content-Type", doc.cite(ep)),
    ))
}

/// `JSON`: application/json or a structured `+json` type (RFC 6839 §3.1); `"TYPE"`: exactly that
/// media type, parameters aside. The rule the expectation comes from is the step's last words.
#[then(regex = r#"^the response Content-Type is (JSON|"[^"]+") \((.+)\)$"#)]
async fn content_type_is(
    w: &mut ConformanceWorld,
    expected: String,
    rule: String,
) -> Result<(), Failure> {
    let listed = match expected.trim_matches('"') {
        "JSON" => vec![
            "application/json".to_owned(),
            "application/*+json".to_owned(),
        ],
        exact => vec![exact.to_owned()],
    };
    let ex = w.last()?;
    w.evidence(checks::ensure_documented_content_type(
        &ex.response,
        &listed,
        &rule,
    ))
}

#[then("the response Content-Type is one the request's Accept allows")]
async fn content_type_accepted(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    let accept = ex
        .request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("accept"))
        .map(|(_, v)| v.clone())
        .ok_or_else(|| Failure::new("the last request carried no Accept header"))?;
    w.evidence(checks::ensure_content_type_accepted(
        &ex.response,
        &accept,
        "RFC 9110 §12.5.1: the answer is in a media type the Accept header allows",
    ))
}

#[then("the Allow header, if sent, lists the method used")]
async fn allow_lists_method(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    let method = ex.request.method.as_str().to_owned();
    w.evidence(checks::ensure_allow_lists(
        &ex.response,
        &method,
        "SSO (v1) documentation: response header Allow, \"Comma-separated list of all HTTP methods \
         allowed\"",
    ))
}
