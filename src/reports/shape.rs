//! Response shapes: per provider, endpoint and status, the field names and JSON types (with a
//! format where a string has a recognisable one) of every answer a run saw. Never a value: a
//! shape says `/access_token: string(jwt)`, not the token, so no secret can reach it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::targets::http::Exchange;

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
        let Some(endpoint) = endpoint(provider, base_urls, exchange) else {
            return;
        };
        let key = (provider.to_owned(), endpoint, exchange.response.status);
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        body_kinds(exchange, log.entry(key).or_default());
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

/// Shapes of several runs of one suite (the shards of a run) as one run's: per provider,
/// endpoint and status, every pointer with the kinds any of them saw there, sorted as
/// [`ShapeLog::shapes`] sorts them.
pub fn merge(shapes: impl IntoIterator<Item = EndpointShape>) -> Vec<EndpointShape> {
    let mut log: BTreeMap<Key, Kinds> = BTreeMap::new();
    for s in shapes {
        let fields = log.entry((s.provider, s.endpoint, s.status)).or_default();
        for (pointer, kinds) in s.fields {
            fields
                .entry(pointer)
                .or_default()
                .extend(kinds.split('|').map(|k| Cow::Owned(k.to_owned())));
        }
    }
    log.into_iter()
        .map(|((provider, endpoint, status), fields)| EndpointShape {
            provider,
            endpoint,
            status,
            fields: fields.iter().map(|(p, k)| (p.clone(), merged(k))).collect(),
        })
        .collect()
}

/// The kinds seen at one pointer, joined by `|`. A string format is claimed only when every
/// string seen there had that one format; otherwise the strings count as plain `string`.
fn merged(kinds: &BTreeSet<Cow<'static, str>>) -> String {
    let formats: BTreeSet<&str> = kinds
        .iter()
        .filter(|k| k.starts_with("string"))
        .map(|k| k.as_ref())
        .collect();
    let mut out: BTreeSet<&str> = kinds
        .iter()
        .filter(|k| !k.starts_with("string"))
        .map(|k| k.as_ref())
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

/// `METHOD /path` of the request, the path relative to the first base URL that prefixes it;
/// `None` for the mocks' control routes. A path one of the provider's route templates matches
/// is keyed by that template (`PATCH /api/developer/applications/{appId}/users/{connectionId}`),
/// any other by itself: an id is never guessed from how a segment looks (a generated id is
/// sometimes mostly digits and sometimes not, and the same endpoint then had two keys).
fn endpoint(provider: &str, base_urls: &[&str], exchange: &Exchange) -> Option<String> {
    let url = exchange.request.url.as_str();
    let full = path_of(url);
    let mut path = full;
    for base in base_urls {
        let base_path = path_of(base).trim_end_matches('/');
        if url.starts_with(base) && !base_path.is_empty() {
            path = full.strip_prefix(base_path).unwrap_or(full);
            break;
        }
    }
    if path.starts_with(MOCK_CONTROL_PREFIX) {
        return None;
    }
    let method = exchange.request.method.as_str();
    let templates = TEMPLATES
        .get(provider)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let route = templates
        .iter()
        .filter(|t| t.method == method && t.matches(path))
        .max_by_key(|t| t.literals())
        .map_or(path, |t| t.path.as_str());
    Some(format!("{method} {route}"))
}

/// A route with parameters (`/api/applications/{appId}/users`), as a provider's document lists
/// it (`documents/*.toml`, written `:appId` there).
#[derive(Debug)]
struct Template {
    method: String,
    /// Written with `{name}` parameters.
    path: String,
}

impl Template {
    fn new(endpoint: &str) -> Option<Self> {
        let (method, path) = endpoint.split_once(' ')?;
        let path = path
            .split('/')
            .map(|s| match s.strip_prefix(':') {
                Some(name) => format!("{{{name}}}"),
                None => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        Some(Self {
            method: method.to_owned(),
            path,
        })
    }

    fn is_parameter(segment: &str) -> bool {
        segment.starts_with('{') && segment.ends_with('}')
    }

    /// Each literal segment equal, each parameter a non-empty segment.
    fn matches(&self, path: &str) -> bool {
        let (mut want, mut got) = (self.path.split('/'), path.split('/'));
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if Self::is_parameter(w) && !g.is_empty() => {}
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }

    fn literals(&self) -> usize {
        self.path
            .split('/')
            .filter(|s| !Self::is_parameter(s))
            .count()
    }
}

/// Per provider name, the route templates its document lists (those with a parameter).
static TEMPLATES: std::sync::LazyLock<std::collections::HashMap<&'static str, Vec<Template>>> =
    std::sync::LazyLock::new(|| {
        crate::providers::Provider::all()
            .into_iter()
            .filter_map(|p| {
                let doc = crate::contract::documents::document(p)?;
                let templates = doc
                    .endpoints
                    .keys()
                    .filter_map(|e| Template::new(e))
                    .filter(|t| t.path.split('/').any(Template::is_parameter))
                    .collect();
                Some((p.name(), templates))
            })
            .collect()
    });

/// The path of an absolute URL as the client sent it (`/` when it has none), without the query
/// and fragment. The harness's URLs come from `url::Url`, so they are already normalised: no
/// second parse is needed (it was a third of the recorder's cost).
fn path_of(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return "/";
    };
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    rest.find('/').map_or("/", |at| &rest[at..])
}

/// An object key that is data rather than a name: digits, a UUID, a long token.
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
    let mut root = |kind: Cow<'static, str>| out.entry(String::new()).or_default().insert(kind);
    if response.body.is_empty() {
        root(Cow::Borrowed("empty"));
        return;
    }
    match response.json_ref() {
        Ok(value) => walk(value, &mut String::new(), out),
        Err(_) => {
            let media = response
                .header("content-type")
                .and_then(|c| c.split(';').next())
                .map(|m| m.trim().to_ascii_lowercase())
                .unwrap_or_else(|| "no content-type".to_owned());
            root(Cow::Owned(format!("not JSON ({media})")));
        }
    }
}

type Kinds = BTreeMap<String, BTreeSet<Cow<'static, str>>>;

/// The most field pointers kept per endpoint and status: a server answering objects of
/// thousands of fields, named anew in each answer, cannot grow the run's memory (or `run.json`)
/// with them. What did not fit is one entry, [`MORE_FIELDS`].
const MAX_POINTERS: usize = 512;
/// The entry standing for the fields past [`MAX_POINTERS`] (no JSON pointer looks like it).
pub const MORE_FIELDS: &str = "(more fields, not recorded)";

/// Records the kind of `value` at `pointer`, then of everything inside it; `pointer` is one
/// buffer extended and cut back on the way down.
fn walk(value: &Value, pointer: &mut String, out: &mut Kinds) {
    let kind = Cow::Borrowed(kind_of(value));
    let full = out.len() >= MAX_POINTERS;
    match out.get_mut(pointer.as_str()) {
        Some(kinds) => {
            kinds.insert(kind);
        }
        None if !full => {
            out.insert(pointer.clone(), BTreeSet::from([kind]));
        }
        None => {
            out.entry(MORE_FIELDS.to_owned())
                .or_insert_with(|| BTreeSet::from([Cow::Borrowed("not recorded")]));
            return;
        }
    }
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                pointer.push('/');
                if looks_like_id(key) {
                    pointer.push_str("{key}");
                } else {
                    for c in key.chars() {
                        match c {
                            '~' => pointer.push_str("~0"),
                            '/' => pointer.push_str("~1"),
                            // A field name is shown in reports and pages: a control character
                            // (NUL, ESC, a line break) is written escaped, `\u{0}`.
                            c if c.is_control() => pointer.extend(c.escape_unicode()),
                            c => pointer.push(c),
                        }
                    }
                }
                walk(v, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            pointer.push_str("/*");
            for v in items {
                walk(v, pointer, out);
            }
            pointer.truncate(len);
        }
        _ => {}
    }
}

/// The JSON type of `value`; a string with a recognisable format says which (`string(uuid)`).
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(s) => string_format(s).unwrap_or("string"),
        Value::Array(_) => "array",
        Value::Object(_) => "object",
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
        return Some("string(date)");
    }
    if is_date && matches!(b[10], b'T' | b't' | b' ') && digits(11..13) && b.get(13) == Some(&b':')
    {
        return Some("string(date-time)");
    }
    let is_hex = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| is_hex(p))
    {
        return Some("string(uuid)");
    }
    let b64url = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let segments: Vec<&str> = s.split('.').collect();
    if s.starts_with("eyJ") && segments.len() == 3 && b64url(segments[0]) && b64url(segments[1]) {
        return Some("string(jwt)");
    }
    if s.starts_with("https://") || s.starts_with("http://") {
        return Some("string(uri)");
    }
    let (local, domain) = s.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !s.contains(' ')).then_some("string(email)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::http::{Request, Response};
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
                parsed: Default::default(),
                held: None,
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
    fn an_endpoint_keeps_a_bounded_number_of_fields_named_without_control_characters() {
        let log = ShapeLog::default();
        let base = "http://127.0.0.1:4000";
        for answer in 0..3 {
            let fields: serde_json::Map<String, Value> = (0..1000)
                .map(|i| (format!("a{answer}f{i}"), json!(i)))
                .collect();
            let body = Value::Object(fields).to_string();
            let ex = exchange(reqwest::Method::GET, &format!("{base}/me"), 200, &body);
            log.record("p", &[base], &ex);
        }
        let shapes = log.shapes();
        assert_eq!(shapes[0].fields.len(), MAX_POINTERS + 1);
        assert_eq!(shapes[0].fields[MORE_FIELDS], "not recorded");
        assert_eq!(shapes[0].fields["/a0f0"], "integer");

        let log = ShapeLog::default();
        let body = json!({"a\u{0}b\nc\u{1b}": 1}).to_string();
        log.record(
            "p",
            &[base],
            &exchange(reqwest::Method::GET, &format!("{base}/me"), 200, &body),
        );
        let fields: Vec<_> = log.shapes()[0].fields.keys().cloned().collect();
        assert_eq!(fields, ["", "/a\\u{0}b\\u{a}c\\u{1b}"]);
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
        assert_eq!(
            items.endpoint, "GET /users/12345/items",
            "no template: the path as sent, no id guessed"
        );
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
    fn a_path_is_keyed_by_the_route_template_its_document_lists() {
        let base = "http://127.0.0.1:4000";
        let key = |path: &str| {
            let ex = exchange(reqwest::Method::PATCH, &format!("{base}{path}"), 404, "");
            endpoint("loginsign", &[base], &ex).unwrap()
        };
        // Generated ids, mostly digits or not, and a placeholder: one endpoint.
        for id in [
            "conn_47cyb8tiilx6k3w6li4fumpo",
            "conn_1234567890123abc",
            "unknown",
        ] {
            assert_eq!(
                key(&format!(
                    "/api/developer/applications/app-1/users/{id}/email"
                )),
                "PATCH /api/developer/applications/{appId}/users/{connectionId}/email"
            );
        }
        assert_eq!(
            key("/api/developer/applications/app-1/users/conn_1"),
            "PATCH /api/developer/applications/{appId}/users/{connectionId}"
        );
        // A route no document lists is the path as sent.
        assert_eq!(key("/api/other/123456"), "PATCH /api/other/123456");
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
            endpoint("p", &["https://idp.example/api"], &ex).unwrap(),
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
