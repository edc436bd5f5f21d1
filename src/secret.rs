//! Secrets: values that must never reach output, and the redaction every output passes through.
//!
//! Two layers work together. Structural redaction masks values by *where* they stand (a JSON key,
//! a form field, a query parameter or a header whose name says it holds a secret). Value
//! redaction masks every value the run has learned is secret (client secrets, codes, tokens,
//! Basic credentials) wherever it appears, including its base64 and URL-encoded forms.

use std::fmt;
use std::sync::{LazyLock, RwLock};

use base64::Engine as _;
use serde_json::Value;

/// What a redacted value is replaced with.
pub const MASK: &str = "[REDACTED]";

/// Values shorter than this are not registered: masking "1" everywhere would shred the output.
const MIN_SECRET_LEN: usize = 4;

/// A secret value. `Debug` and `Display` print [`MASK`]; the value itself is only reachable
/// through [`Secret::expose`], and creating one registers it for value redaction.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

static REGISTERED: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Registers `value` (and its encoded forms) so that [`redact`] masks it from now on.
pub fn register(value: &str) {
    if value.len() < MIN_SECRET_LEN {
        return;
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let mut forms = vec![value.to_owned(), engine.encode(value)];
    let url_encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    forms.push(url_encoded);
    let mut registered = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if !registered.contains(&form) {
            registered.push(form);
        }
    }
    // Longest first, so that a secret containing another is masked whole.
    registered.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Registers the Basic credentials `id:secret` in every form a report could show them.
pub fn register_basic(client_id: &str, secret: &str) {
    register(&format!("{client_id}:{secret}"));
}

/// A session cookie as the browser sends it, `name=value`: the whole pair and the value alone
/// are registered.
pub fn cookie(pair: &str) -> Secret {
    let pair = pair.trim();
    if let Some((_, value)) = pair.split_once('=') {
        register(value);
    }
    Secret::new(pair)
}

/// Masks every registered secret value in `text`.
pub fn redact(text: &str) -> String {
    let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_owned();
    for secret in registered.iter() {
        if !out.contains(secret.as_str()) {
            continue;
        }
        out = if secret.bytes().all(|b| b.is_ascii_digit()) {
            replace_digits(&out, secret)
        } else {
            out.replace(secret.as_str(), MASK)
        };
    }
    out
}

/// Masks the all-digit secret `digits` (an SMS code, a PIN) where it stands as a number of its
/// own: inside a longer run of digits (a duration, a telephone number) it is another number,
/// and masking it would corrupt the report (`"duration": 12[REDACTED]7` is not JSON).
fn replace_digits(text: &str, digits: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(digits) {
        let end = at + digits.len();
        let before = rest[..at].bytes().next_back();
        let after = rest[end..].bytes().next();
        let standalone = !before.is_some_and(|b| b.is_ascii_digit())
            && !after.is_some_and(|b| b.is_ascii_digit());
        out.push_str(&rest[..at]);
        out.push_str(if standalone { MASK } else { digits });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Whether a response field of this name hands out a secret (a narrower list than
/// [`is_secret_key`]: a response's `code` or `c` may be an error code, which must stay readable).
fn is_issued_secret_key(name: &str) -> bool {
    is_secret_key(name) && !matches!(key_form(name).as_str(), "code" | "c")
}

/// A field name as the secret lists spell it: lower case, without `-` and `_`.
fn key_form(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '_'], "")
}

/// Registers the secrets a response hands out, so that value redaction masks them wherever they
/// reappear (a later request, a log line, a non-JSON body): string values under secret keys of
/// a JSON body (at any depth), the values of cookies it sets, and the secret parameters of the
/// URL it redirects to (query and fragment).
pub fn learn_from_response<'a>(
    set_cookies: impl IntoIterator<Item = &'a str>,
    location: Option<&str>,
    body: &[u8],
) {
    for cookie in set_cookies {
        let pair = cookie.split(';').next().unwrap_or_default();
        if let Some((_, value)) = pair.split_once('=') {
            register(value.trim().trim_matches('"'));
        }
    }
    if let Some(url) = location.and_then(|l| url::Url::parse(l).ok()) {
        let query = url::form_urlencoded::parse(url.query().unwrap_or_default().as_bytes());
        let fragment = url::form_urlencoded::parse(url.fragment().unwrap_or_default().as_bytes());
        for (k, v) in query.chain(fragment) {
            if is_secret_key(&k) {
                register(&v);
            }
        }
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        learn_from_json(&value);
    }
}

fn learn_from_json(value: &Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if is_issued_secret_key(k) => register(s),
                    other => learn_from_json(other),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(learn_from_json),
        _ => {}
    }
}

/// Whether a field, parameter or header of this name carries a secret.
pub fn is_secret_key(name: &str) -> bool {
    matches!(
        key_form(name).as_str(),
        "clientsecret"
            | "secret"
            | "accesstoken"
            | "refreshtoken"
            | "idtoken"
            | "token"
            | "code"
            | "authcode"
            | "password"
            | "authorization"
            | "cookie"
            | "setcookie"
            | "c"
    )
}

/// A copy of `value` with every value under a secret key masked (at any depth).
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) && !v.is_null() {
                        Value::String(MASK.to_owned())
                    } else {
                        redact_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// A URL with the values of secret query parameters masked.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.query().is_some() => {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if is_secret_key(&k) {
                        MASK.to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
            redact(url.as_str())
        }
        _ => redact(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_and_display_are_masked() {
        let s = Secret::new("s3cr3t-value-for-debug");
        assert_eq!(format!("{s:?} {s}"), format!("{MASK} {MASK}"));
        assert_eq!(s.expose(), "s3cr3t-value-for-debug");
    }

    #[test]
    fn registered_values_and_their_encodings_are_masked() {
        register("topsecret-42/+");
        let b64 = base64::engine::general_purpose::STANDARD.encode("topsecret-42/+");
        let text = format!("a topsecret-42/+ b {b64} c topsecret-42%2F%2B");
        assert_eq!(redact(&text), format!("a {MASK} b {MASK} c {MASK}"));
    }

    #[test]
    fn a_numeric_secret_is_masked_only_as_a_number_of_its_own() {
        register("739146");
        assert_eq!(
            redact(r#"code 739146, "duration":127391468, tel +49739146"#),
            format!(r#"code {MASK}, "duration":127391468, tel +49739146"#)
        );
    }

    #[test]
    fn json_is_masked_by_key_at_any_depth() {
        let v = serde_json::json!({"Verification": {"Password": "x", "Email": "e"}, "token": "t"});
        let r = redact_json(&v);
        assert_eq!(r["Verification"]["Password"], MASK);
        assert_eq!(r["Verification"]["Email"], "e");
        assert_eq!(r["token"], MASK);
    }

    #[test]
    fn secrets_a_response_hands_out_are_learned() {
        learn_from_response(
            ["sid=cookie-value-42; HttpOnly; Path=/"],
            Some("https://app.example/cb?code=learned-code-7&state=s#access_token=frag-token-9"),
            br#"{"access_token": "learned-at-1", "nested": [{"Password": "learned-pw-2"}],
                 "code": "error_code_stays", "expires_in": 3600}"#,
        );
        let text = "cookie-value-42 learned-code-7 frag-token-9 learned-at-1 learned-pw-2 \
                    error_code_stays";
        assert_eq!(
            redact(text),
            format!("{MASK} {MASK} {MASK} {MASK} {MASK} error_code_stays")
        );
    }

    #[test]
    fn a_cookie_is_masked_whole_and_by_value() {
        let c = cookie(" sid=cookie-value-4242 ");
        assert_eq!(c.expose(), "sid=cookie-value-4242");
        assert_eq!(
            redact("Cookie: sid=cookie-value-4242"),
            format!("Cookie: {MASK}")
        );
        assert_eq!(redact("v cookie-value-4242"), format!("v {MASK}"));
    }

    #[test]
    fn url_query_secrets_are_masked() {
        let r = redact_url("https://app.example/cb?code=abc123&state=xyz");
        assert!(r.contains("state=xyz"), "{r}");
        assert!(!r.contains("abc123"), "{r}");
    }
}
