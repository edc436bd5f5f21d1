//! Response shapes: per provider, endpoint and status, the field names and JSON types (with a
//! format where a string has a recognisable one) of every answer a run saw. Never a value: a
//! shape says `/access_token: string(jwt)`, not the token, so no secret can reach it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::Exchange;

/// The path prefix of the embedded mocks' control routes: not the provider's API.
const MOCK_CONTROL_PREFIX: &str = "/__mock/";

/// The shape of one endpoint's answers with one status: JSON pointer (array items as `*`) to
/// the kinds seen there, e.g. `/expires_in` → `integer`, `/AuditData` → `null|string`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointShape {
    pub provider: String,
    /// `METHOD /path`, the path relative to the target's base URL.
    pub endpoint: String,
    pub status: u16,
    pub fields: BTreeMap<String, String>,
}

type Key = (String, String, u16);

/// Every shape a run observed; shared by all scenarios (in `RunContext`).
#[derive(Debug, Default)]
pub struct ShapeLog(Mutex<BTreeMap<Key, Kinds>>);

impl ShapeLog {
    /// Records the shape of `exchange`'s answer under `METHOD /path` relative to `base_urls`
    /// (the first that prefixes the request URL). Mock control exchanges are not recorded.
    pub fn record(&self, provider: &str, base_urls: &[&str], exchange: &Exchange) {
        let Some(endpoint) = endpoint(base_urls, exchange) else {
            return;
        };
        let mut fields = BTreeMap::new();
        body_kinds(exchange, &mut fields);
        let key = (provider.to_owned(), endpoint, exchange.response.status);
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = log.entry(key).or_default();
        for (pointer, kinds) in fields {
            entry.entry(pointer).or_default().extend(kinds);
        }
    }

    /// What was recorded, sorted by provider, endpoint and status.
    pub fn shapes(&self) -> Vec<EndpointShape> {
        let log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        log.iter()
            .map(|((provider, endpoint, status), fields)| EndpointShape {
                provider: provider.clone(),
                endpoint: endpoint.clone(),
                status: *status,
                fields: fields
                    .iter()
                    .map(|(p, kinds)| (p.clone(), merged(kinds)))
                    .collect(),
            })
            .collect()
    }
}

/// The kinds seen at one pointer, joined by `|`. A string format is claimed only when every
/// string seen there had that one format; otherwise the strings count as plain `string`.
fn merged(kinds: &BTreeSet<String>) -> String {
    let formats: BTreeSet<&str> = kinds
        .iter()
        .filter(|k| k.starts_with("string"))
        .map(String::as_str)
        .collect();
    let mut out: BTreeSet<&str> = kinds
        .iter()
        .filter(|k| !k.starts_with("string"))
        .map(String::as_str)
        .collect();
    match formats.len() {
        0 => {}
        1 => out.extend(formats),
        _ => {
            out.insert("string");
        }
    }
    out.into_iter().collect::<Vec<_>>().join("|")
}

/// `METHOD /path` of the request, the path relative to the first base URL that prefixes it,
/// with id-like segments replaced by `{id}`; `None` for the mocks' control routes.
fn endpoint(base_urls: &[&str], exchange: &Exchange) -> Option<String> {
    let url = url::Url::parse(&exchange.request.url).ok()?;
    let mut path = url.path().to_owned();
    for base in base_urls {
        let base_path = url::Url::parse(base)
            .map(|b| b.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        if exchange.request.url.starts_with(base) && !base_path.is_empty() {
            path = path.strip_prefix(&base_path).unwrap_or(&path).to_owned();
            break;
        }
    }
    if path.starts_with(MOCK_CONTROL_PREFIX) {
        return None;
    }
    let path: Vec<&str> = path
        .split('/')
        .map(|s| if looks_like_id(s) { "{id}" } else { s })
        .collect();
    Some(format!("{} {}", exchange.request.method, path.join("/")))
}

/// A path segment or object key that is data rather than a name: digits, a UUID, a long token.
fn looks_like_id(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (!s.is_empty()
        && s.trim_start_matches('+')
            .chars()
            .all(|c| c.is_ascii_digit()))
        || s.contains('@')
        || s.len() > 40
        || (s.len() >= 16 && digits * 4 >= s.len())
}

fn body_kinds(exchange: &Exchange, out: &mut Kinds) {
    let response = &exchange.response;
    let mut root = |kind: String| out.entry(String::new()).or_default().insert(kind);
    if response.body.is_empty() {
        root("empty".to_owned());
        return;
    }
    match response.json() {
        Ok(value) => walk(&value, String::new(), out),
        Err(_) => {
            let media = response
                .header("content-type")
                .and_then(|c| c.split(';').next())
                .map(|m| m.trim().to_ascii_lowercase())
                .unwrap_or_else(|| "no content-type".to_owned());
            root(format!("not JSON ({media})"));
        }
    }
}

type Kinds = BTreeMap<String, BTreeSet<String>>;

fn walk(value: &Value, pointer: String, out: &mut Kinds) {
    out.entry(pointer.clone())
        .or_default()
        .insert(kind_of(value));
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let key = if looks_like_id(key) {
                    "{key}".to_owned()
                } else {
                    key.replace('~', "~0").replace('/', "~1")
                };
                walk(v, format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for v in items {
                walk(v, format!("{pointer}/*"), out);
            }
        }
        _ => {}
    }
}

/// The JSON type of `value`; a string with a recognisable format says which.
pub fn kind_of(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(_) => "boolean".to_owned(),
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer".to_owned(),
        Value::Number(_) => "number".to_owned(),
        Value::String(s) => match string_format(s) {
            Some(f) => format!("string({f})"),
            None => "string".to_owned(),
        },
        Value::Array(_) => "array".to_owned(),
        Value::Object(_) => "object".to_owned(),
    }
}

fn string_format(s: &str) -> Option<&'static str> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let is_date = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    if is_date && b.len() == 10 {
        return Some("date");
    }
    if is_date && matches!(b[10], b'T' | b't' | b' ') && digits(11..13) && b.get(13) == Some(&b':')
    {
        return Some("date-time");
    }
    let is_hex = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| is_hex(p))
    {
        return Some("uuid");
    }
    let b64url = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let segments: Vec<&str> = s.split('.').collect();
    if s.starts_with("eyJ") && segments.len() == 3 && b64url(segments[0]) && b64url(segments[1]) {
        return Some("jwt");
    }
    if s.starts_with("https://") || s.starts_with("http://") {
        return Some("uri");
    }
    let (local, domain) = s.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !s.contains(' ')).then_some("email")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Request, Response};
    use serde_json::json;

    fn exchange(method: reqwest::Method, url: &str, status: u16, body: &str) -> Exchange {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        Exchange {
            request: Request::new(method, url),
            response: Response {
                status,
                headers,
                body: body.as_bytes().to_vec(),
                truncated: false,
                elapsed: std::time::Duration::ZERO,
            },
        }
    }

    #[test]
    fn kinds_name_types_and_formats_never_values() {
        for (value, kind) in [
            (json!("2024-02-29"), "string(date)"),
            (json!("2024-02-29T10:00:00Z"), "string(date-time)"),
            (
                json!("6f1c2a9e-1b2c-4d5e-8f90-0a1b2c3d4e5f"),
                "string(uuid)",
            ),
            (
                json!("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"),
                "string(jwt)",
            ),
            (json!("https://app.example/cb"), "string(uri)"),
            (json!("a@b.example"), "string(email)"),
            (json!("opaque-token-123"), "string"),
            (json!(3600), "integer"),
            (json!(1.5), "number"),
            (json!(null), "null"),
        ] {
            assert_eq!(kind_of(&value), kind, "{value}");
        }
    }

    #[test]
    fn a_log_merges_observations_per_endpoint_and_status() {
        let log = ShapeLog::default();
        let base = "http://127.0.0.1:4000";
        log.record(
            "p",
            &[base],
            &exchange(
                reqwest::Method::POST,
                &format!("{base}/oauth/token"),
                200,
                r#"{"access_token":"secret-value","expires_in":3600}"#,
            ),
        );
        log.record(
            "p",
            &[base],
            &exchange(
                reqwest::Method::POST,
                &format!("{base}/oauth/token"),
                200,
                r#"{"access_token":"x","scope":null}"#,
            ),
        );
        log.record(
            "p",
            &[base],
            &exchange(
                reqwest::Method::GET,
                &format!("{base}/users/12345/items"),
                200,
                r#"[{"a":1,"d":"2024-01-01"},{"a":"a@b.example","d":"2024-01-02"},{"a":"plain"}]"#,
            ),
        );
        log.record(
            "p",
            &[base],
            &exchange(
                reqwest::Method::POST,
                &format!("{base}/__mock/clock/advance"),
                204,
                "",
            ),
        );
        let shapes = log.shapes();
        assert_eq!(shapes.len(), 2, "{shapes:?}");
        let items = &shapes[0];
        assert_eq!(items.endpoint, "GET /users/{id}/items");
        assert_eq!(
            items.fields["/*/a"], "integer|string",
            "mixed formats are plain strings"
        );
        assert_eq!(items.fields["/*/d"], "string(date)");
        let token = &shapes[1];
        assert_eq!(token.endpoint, "POST /oauth/token");
        assert_eq!(token.fields["/access_token"], "string");
        assert_eq!(token.fields["/scope"], "null");
        assert_eq!(token.fields[""], "object");
        assert!(!format!("{shapes:?}").contains("secret-value"));
    }

    #[test]
    fn the_base_url_path_is_not_part_of_the_endpoint() {
        let ex = exchange(
            reqwest::Method::GET,
            "https://idp.example/api/v2/details?x=1",
            401,
            "",
        );
        assert_eq!(
            endpoint(&["https://idp.example/api"], &ex).unwrap(),
            "GET /v2/details"
        );
        let shape = {
            let log = ShapeLog::default();
            log.record("p", &["https://idp.example/api"], &ex);
            log.shapes()
        };
        assert_eq!(shape[0].fields[""], "empty");
    }
}
