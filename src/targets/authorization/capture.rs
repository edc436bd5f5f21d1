//! `redirect-capture`: the harness plays the user agent of a sandbox that signs its test user in
//! on its own. It follows the provider's own redirects (an interaction page that logs the test
//! user in, a resume URL), with a cookie jar of its own per authorization and at most
//! [`MAX_HOPS`] of them, until the provider redirects to the client's redirect URI, which is
//! read and never followed. How a server authenticates its user is outside RFC 6749 (§3.1):
//! an HTML page for a person (a login form), the hop limit or a redirect to another host stops
//! the capture as an environment error that names the strategies that fit, never as a verdict.

use std::sync::Arc;

use reqwest::cookie::{CookieStore as _, Jar};
use url::Url;

use crate::contract::checks::Redirect;
use crate::secret::redact_url;
use crate::targets::http::Response;

/// The provider's redirects followed before the capture gives up (the redirect to the client
/// not counted). A certified provider's sandbox needs three.
pub const MAX_HOPS: usize = 10;

/// What to do after one answer of the provider.
#[derive(Debug)]
pub enum Hop {
    /// The provider redirected to the client's redirect URI: the authorization's outcome.
    Done(Redirect),
    /// The provider redirected to one of its own URLs: request it (with the jar's cookies).
    Follow(Url),
    /// The provider answered without a redirect and without a page for a person (an error
    /// status, a JSON body): a verdict for the scenario's checks, not a question of strategy.
    Refused,
}

/// One authorization's user agent: its cookies, the hosts it may follow, the hops so far.
#[derive(Debug)]
pub struct Capture {
    jar: Arc<Jar>,
    /// The provider's origins: its base URL's, its authorization endpoint's, and the first
    /// request's.
    origins: Vec<url::Origin>,
    redirect_uri: String,
    hops: usize,
}

/// The strategies that fit when the provider wants a person or another host.
const WHAT_FITS: &str = "set [providers.NAME.authorization] strategy = \"callback-listener\" \
     (a person signs in at a browser) or strategy = \"command\" (your own browser automation \
     signs the test user in); see docs/target-files.md";

impl Capture {
    /// A capture for an authorization that starts at `first`; `provider_urls` are the provider's
    /// other base URLs.
    pub fn new(first: &Url, provider_urls: &[&str], redirect_uri: &str) -> Self {
        let mut origins = vec![first.origin()];
        for u in provider_urls {
            if let Ok(u) = Url::parse(u) {
                origins.push(u.origin());
            }
        }
        Self {
            jar: Arc::new(Jar::default()),
            origins,
            redirect_uri: redirect_uri.to_owned(),
            hops: 0,
        }
    }

    /// The `Cookie` header to send to `url`, if the jar holds any for it.
    pub fn cookies(&self, url: &Url) -> Option<String> {
        self.jar
            .cookies(url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
    }

    /// Reads the provider's answer to a request of `url`: keeps its cookies, then says what
    /// comes next. An error is an environment error's message.
    pub fn next(&mut self, url: &Url, response: &Response) -> Result<Hop, String> {
        let mut set = response.headers.get_all("set-cookie").iter();
        self.jar.set_cookies(&mut set, url);
        let kind = response.header("content-type").unwrap_or_default();
        let html = kind.split(';').next().map(str::trim).is_some_and(|t| {
            t.eq_ignore_ascii_case("text/html") || t.eq_ignore_ascii_case("application/xhtml+xml")
        });
        if (200..300).contains(&response.status) && html {
            return Err(format!(
                "redirect-capture stopped at a page for a person (HTTP {}, {kind}) at {}: the \
                 provider does not sign its test user in on its own; {WHAT_FITS}",
                response.status,
                redact_url(url.as_str())
            ));
        }
        let location = match response.header("location") {
            Some(l) if (300..400).contains(&response.status) => l,
            _ => return Ok(Hop::Refused),
        };
        let Ok(to) = url.join(location) else {
            return Ok(Hop::Refused);
        };
        if to.as_str().starts_with(&self.redirect_uri) {
            return Ok(Redirect::from_location(to.as_str()).map_or(Hop::Refused, Hop::Done));
        }
        if !self.origins.contains(&to.origin()) {
            return Err(format!(
                "redirect-capture will not follow the provider to another host: {} redirected \
                 to {}, neither the provider nor the redirect URI {}; {WHAT_FITS}",
                redact_url(url.as_str()),
                redact_url(to.as_str()),
                self.redirect_uri
            ));
        }
        self.hops += 1;
        if self.hops > MAX_HOPS {
            return Err(format!(
                "redirect-capture followed {MAX_HOPS} redirects of the provider without reaching \
                 the redirect URI {} (the last to {}); {WHAT_FITS}",
                self.redirect_uri,
                redact_url(to.as_str())
            ));
        }
        Ok(Hop::Follow(to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer(status: u16, headers: &[(&'static str, &str)]) -> Response {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        Response {
            status,
            headers: map,
            body: Vec::new(),
            truncated: false,
            elapsed: std::time::Duration::ZERO,
            parsed: Default::default(),
            held: None,
        }
    }

    fn capture() -> (Capture, Url) {
        let first = Url::parse("https://idp.example/authorize?client_id=c").unwrap();
        let c = Capture::new(
            &first,
            &["https://api.example"],
            "https://app.example/callback",
        );
        (c, first)
    }

    #[test]
    fn relative_redirects_of_the_provider_are_followed_with_its_cookies() {
        let (mut c, first) = capture();
        let hop = c
            .next(
                &first,
                &answer(
                    303,
                    &[
                        ("location", "/interaction/abc"),
                        ("set-cookie", "_interaction=xyz; Path=/; HttpOnly"),
                    ],
                ),
            )
            .unwrap();
        let Hop::Follow(to) = hop else {
            panic!("{hop:?}")
        };
        assert_eq!(to.as_str(), "https://idp.example/interaction/abc");
        assert_eq!(c.cookies(&to).as_deref(), Some("_interaction=xyz"));
        assert_eq!(
            c.cookies(&Url::parse("https://other.example/").unwrap()),
            None
        );
        let done = c
            .next(
                &to,
                &answer(
                    302,
                    &[("location", "https://app.example/callback?code=k1&state=s")],
                ),
            )
            .unwrap();
        let Hop::Done(r) = done else {
            panic!("{done:?}")
        };
        assert_eq!(
            (r.code.as_deref(), r.state.as_deref()),
            (Some("k1"), Some("s"))
        );
    }

    #[test]
    fn a_page_a_foreign_host_or_too_many_hops_name_the_strategies_that_fit() {
        let (mut c, first) = capture();
        let e = c
            .next(&first, &answer(200, &[("content-type", "text/html")]))
            .unwrap_err();
        assert!(
            e.contains("page for a person") && e.contains("callback-listener"),
            "{e}"
        );
        let e = c
            .next(
                &first,
                &answer(302, &[("location", "https://login.other.example/")]),
            )
            .unwrap_err();
        assert!(
            e.contains("another host") && e.contains("\"command\""),
            "{e}"
        );
        // The API's own host is the provider's too.
        assert!(matches!(
            c.next(
                &first,
                &answer(302, &[("location", "https://api.example/x")])
            ),
            Ok(Hop::Follow(_))
        ));
        let mut last = Ok(Hop::Refused);
        for _ in 0..MAX_HOPS {
            last = c.next(&first, &answer(302, &[("location", "/again")]));
        }
        let e = last.unwrap_err();
        assert!(e.contains("followed 10 redirects"), "{e}");
    }

    #[test]
    fn an_error_or_an_answer_that_is_no_page_is_left_to_the_checks() {
        let (mut c, first) = capture();
        assert!(matches!(
            c.next(&first, &answer(400, &[])),
            Ok(Hop::Refused)
        ));
        let json = answer(200, &[("content-type", "application/json")]);
        assert!(matches!(c.next(&first, &json), Ok(Hop::Refused)));
        let page = answer(200, &[("content-type", "text/html; charset=utf-8")]);
        assert!(c.next(&first, &page).is_err());
    }
}
