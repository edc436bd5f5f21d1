//! The variations a subtly wrong provider gets wrong, usable by every provider: the registered
//! redirect URI changed in one part only (a suffix, another path, another query on the same
//! host), at the authorization and at the token request, and the media type a JSON answer
//! declares.

use cucumber::{then, when};

use super::authorize::request_with;
use super::token::exchange_with_redirect_uri;
use crate::contract::checks::{self, Failure};
use crate::contract::world::ConformanceWorld;

/// The registered redirect URI changed in exactly one way.
fn vary(registered: &str, how: &str) -> Result<String, Failure> {
    let mut url = url::Url::parse(registered).map_err(|e| {
        Failure::new(format!(
            "the target's redirect URI {registered} is not a URL ({e}): fix the target file"
        ))
    })?;
    match how {
        // A provider comparing prefixes accepts it.
        "with a suffix" => {
            let path = format!("{}.attacker", url.path());
            url.set_path(&path);
        }
        // A provider comparing hosts accepts it.
        "on another path" => url.set_path("/another/path"),
        // A provider ignoring the query accepts it.
        "with another query" => {
            url.query_pairs_mut().append_pair("next", "attacker");
        }
        other => return Err(Failure::new(format!("unknown variation \"{other}\""))),
    }
    Ok(url.into())
}

#[when(
    regex = r"^the client requests authorization with the registered redirect URI (with a suffix|on another path|with another query)$"
)]
async fn requests_with_varied_redirect_uri(
    w: &mut ConformanceWorld,
    how: String,
) -> Result<(), Failure> {
    let varied = vary(&w.target()?.redirect_uri, &how)?;
    request_with(w, "redirect_uri", &varied).await
}

#[when(
    regex = r"^the client exchanges the authorization code with the redirect URI used (with a suffix|on another path|with another query)$"
)]
async fn exchanges_with_varied_redirect_uri(
    w: &mut ConformanceWorld,
    how: String,
) -> Result<(), Failure> {
    let varied = vary(&w.target()?.redirect_uri, &how)?;
    exchange_with_redirect_uri(w, &varied).await
}

#[then("the response Content-Type is JSON")]
async fn content_type_is_json(w: &mut ConformanceWorld) -> Result<(), Failure> {
    let ex = w.last()?;
    w.evidence(checks::ensure_json_content_type(
        &ex.response,
        "RFC 6749 §5.1: the answer is sent \"using the application/json media type\" (and the \
         document's example answer is JSON)",
    ))
}

#[cfg(test)]
mod tests {
    use super::vary;

    #[test]
    fn each_variation_changes_one_part_of_the_registered_uri() {
        let r = "https://app.example/cb?x=1";
        assert_eq!(
            vary(r, "with a suffix").unwrap(),
            "https://app.example/cb.attacker?x=1"
        );
        assert_eq!(
            vary(r, "on another path").unwrap(),
            "https://app.example/another/path?x=1"
        );
        assert_eq!(
            vary(r, "with another query").unwrap(),
            "https://app.example/cb?x=1&next=attacker"
        );
        assert!(vary("not a url", "with a suffix").is_err());
    }
}
