//! The embedded mocks survive garbage: property tests send every standalone mock
//! (`idp-conformance mock PROVIDER`, every provider the binary knows) sequences of requests with
//! arbitrary methods, paths (every route any mock serves, mangled), query parameters, headers
//! and bodies over raw TCP. Values mix garbage with the mock's own client credentials and the
//! codes and tokens earlier answers handed out, so requests also reach the handlers' later
//! stages (a code exchanged after the clock moved). Each request gets an HTTP answer below 500
//! (garbage gets a 4xx; a request that happens to be valid may get a 2xx or 3xx), never a 5xx,
//! a dropped connection or a dead process, and the mock answers a request afterwards.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Cases (request sequences) per provider: every route with many shapes, a few seconds in all.
const CASES: u32 = 300;

/// The standalone mock's development defaults (README): client id, secret, redirect URI.
const CLIENT_ID: &str = "40";
const CLIENT_SECRET: &str = "mock-client-secret";
const REDIRECT_URI: &str = "http://127.0.0.1:9999/callback";

/// A value replaced, when sent, by the n-th value an earlier answer handed out.
fn learned(n: usize) -> String {
    format!("{{learned:{n}}}")
}

/// Every path a mock routes (`.route("...")` in src/mocks), with `{param}`s as written.
fn routes() -> Vec<String> {
    let mut routes = Vec::new();
    for entry in std::fs::read_dir(common::root().join("src/mocks")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in text.split(".route(").skip(1) {
            let Some(path) = part.trim_start().strip_prefix('"') else {
                continue;
            };
            let path = path.split('"').next().unwrap_or_default();
            if path.starts_with('/') && !routes.iter().any(|r| r == path) {
                routes.push(path.to_owned());
            }
        }
    }
    assert!(routes.len() >= 10, "{routes:?}");
    routes.sort();
    routes
}

/// One raw HTTP/1.1 request.
#[derive(Clone, Debug)]
struct Garbage {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Garbage {
    fn bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "{} {} HTTP/1.1\r\nhost: 127.0.0.1\r\n",
            self.method, self.target
        );
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            self.body.len()
        ));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

const NAMES: &[&str] = &[
    "client_id",
    "clientId",
    "client_secret",
    "clientSecret",
    "code",
    "state",
    "scope",
    "redirect_uri",
    "redirectUri",
    "response_type",
    "grant_type",
    "grantType",
    "token",
    "access_token",
    "locale",
    "country",
    "secs",
    "telephone",
    "username",
    "authCode",
    "user",
    "email",
    "c",
    "agb",
    "nickname",
    "url",
];

/// Values that break parsers: empty, huge, negative, unicode, control characters, wrong types.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("9223372036854775807".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("-1".to_owned()),
        Just("1e308".to_owned()),
        Just("null".to_owned()),
        Just("\u{0}\u{7f}".to_owned()),
        Just("ünïcödé ✓ 🙂".to_owned()),
        Just(REDIRECT_URI.to_owned()),
        Just(CLIENT_ID.to_owned()),
        Just(CLIENT_SECRET.to_owned()),
        Just("authorization_code".to_owned()),
        (0..4usize).prop_map(learned),
        (0..4usize).prop_map(learned),
        Just("+4915100000001".to_owned()),
        Just("x".repeat(5000)),
        "[a-z0-9_]{0,12}".prop_map(|s| s),
        any::<i64>().prop_map(|n| n.to_string()),
        prop::collection::vec(any::<u8>(), 0..24)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((prop::sample::select(NAMES), value()), 0..6)
        .prop_map(|v| v.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn encode(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT", "get",
            "PROPFIND",
        ])
        .prop_map(str::to_owned),
        "[A-Z]{1,12}",
    ]
}

fn target(routes: Vec<String>) -> impl Strategy<Value = String> {
    let path = prop_oneof![
        4 => prop::sample::select(routes.clone()),
        1 => (prop::sample::select(routes), "[a-zA-Z0-9%._~-]{1,16}")
            .prop_map(|(r, s)| format!("{r}/{s}")),
        1 => "(/[a-zA-Z0-9%._~-]{0,12}){1,4}",
        1 => Just("//..//%2e%2e/%00".to_owned()),
    ];
    (path, pairs(), any::<bool>()).prop_map(|(path, query, with_query)| {
        let path = path.replace(['{', '}'], "x");
        if with_query {
            format!("{path}?{}", encode(&query))
        } else {
            path
        }
    })
}

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/vnd.sso.v1+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data",
    "text/plain",
    "application/json; charset=utf-16",
    "*/*",
    "garbage",
];

const ACCEPTS: &[&str] = &[
    "application/json",
    "application/vnd.sso.v1+json",
    "text/html",
    "*/*",
    "application/*+json;q=0.5, text/*;q=oops",
    "",
];

fn authorization() -> impl Strategy<Value = String> {
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    prop_oneof![
        "[a-zA-Z0-9]{0,20}".prop_map(|t| format!("Bearer {t}")),
        (value(), value()).prop_map(move |(u, p)| format!("Basic {}", b64(format!("{u}:{p}")))),
        value().prop_map(move |v| format!("Basic {}", b64(v))),
        Just("Basic !!!not-base64".to_owned()),
        Just("Digest username=\"40\"".to_owned()),
        Just(format!(
            "Basic {}",
            b64(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        )),
        (0..4usize).prop_map(|n| format!("Bearer {}", learned(n))),
        Just("Bearer".to_owned()),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::option::of(prop::sample::select(CONTENT_TYPES)),
        prop::option::of(prop::sample::select(ACCEPTS)),
        prop::option::of(authorization()),
        prop::collection::vec(("x-[a-z]{1,8}", "[ -~]{0,32}"), 0..3),
    )
        .prop_map(|(ct, accept, auth, extra)| {
            let mut headers = Vec::new();
            if let Some(ct) = ct {
                headers.push(("content-type".to_owned(), ct.to_owned()));
            }
            if let Some(a) = accept {
                headers.push(("accept".to_owned(), a.to_owned()));
            }
            if let Some(a) = auth {
                // A header value must not contain control characters, or it is not HTTP at all.
                let a: String = a.chars().filter(|c| !c.is_control()).collect();
                headers.push(("authorization".to_owned(), a));
            }
            headers.extend(extra);
            headers
        })
}

/// A JSON value whose fields are the ones the mocks read, with values of any type.
fn json_body() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        value().prop_map(serde_json::Value::String),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        any::<bool>().prop_map(serde_json::Value::Bool),
        Just(serde_json::Value::Null),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec((prop::sample::select(NAMES), inner), 0..5).prop_map(|f| {
                serde_json::Value::Object(f.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    });
    value.prop_map(|v| v.to_string().into_bytes())
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        json_body(),
        pairs().prop_map(|p| encode(&p).into_bytes()),
        pairs().prop_map(|p| {
            let mut out = String::new();
            for (k, v) in p {
                out.push_str(&format!(
                    "--XyZ\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                ));
            }
            out.push_str("--XyZ--\r\n");
            out.into_bytes()
        }),
        prop::collection::vec(any::<u8>(), 0..512),
        Just(b"{\"telephone\": [".to_vec()),
    ]
}

fn garbage(routes: Vec<String>) -> impl Strategy<Value = Garbage> {
    (method(), target(routes), headers(), body()).prop_map(|(method, target, headers, body)| {
        Garbage {
            method,
            target,
            headers,
            body,
        }
    })
}

/// Sends `request` and returns the status line's code and the whole answer, or why there was
/// none.
fn send(addr: &str, request: &[u8]) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(request)
        .map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let head = String::from_utf8_lossy(&answer[..answer.len().min(64)]).into_owned();
    let status = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no HTTP answer (got {head:?})"))?;
    Ok((status, String::from_utf8_lossy(&answer).into_owned()))
}

/// The codes, states and tokens an answer hands out: in its Location and in its JSON body.
fn handed_out(answer: &str, learned: &mut Vec<String>) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("location")
            && let Ok(url) = url::Url::parse(value.trim())
        {
            learned.extend(url.query_pairs().map(|(_, v)| v.into_owned()));
        }
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(body) {
        learned.extend(map.values().filter_map(|v| v.as_str().map(str::to_owned)));
    }
}

/// `request` with its `{learned:n}` placeholders (plain or URL-encoded) replaced by the values
/// handed out so far, the latest first.
fn with_learned(request: &Garbage, learned: &[String]) -> Garbage {
    let fill = |text: &str| {
        let mut text = text.to_owned();
        for n in 0..4 {
            let Some(value) = learned.iter().rev().nth(n % learned.len().max(1)) else {
                break;
            };
            text = text
                .replace(&self::learned(n), value)
                .replace(&encode_value(&self::learned(n)), &encode_value(value));
        }
        text
    };
    Garbage {
        method: request.method.clone(),
        target: fill(&request.target),
        headers: request
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), fill(v)))
            .collect(),
        body: match std::str::from_utf8(&request.body) {
            Ok(text) => fill(text).into_bytes(),
            Err(_) => request.body.clone(),
        },
    }
}

fn encode_value(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[test]
fn every_mock_answers_garbage_below_500_and_keeps_serving() {
    let routes = routes();
    for (provider, _) in common::providers() {
        let (mut mock, url) = common::start_mock(&provider, &[], &[]);
        let addr = url.trim_start_matches("http://").to_owned();
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let sequences = prop::collection::vec(garbage(routes.clone()), 1..5);
        let result = runner.run(&sequences, |requests| {
            let mut learned = Vec::new();
            for request in &requests {
                let bytes = with_learned(request, &learned).bytes();
                let (status, answer) = send(&addr, &bytes).map_err(TestCaseError::fail)?;
                prop_assert!(
                    status < 500,
                    "{provider} answered {status} to\n{}",
                    String::from_utf8_lossy(&bytes)
                );
                handed_out(&answer, &mut learned);
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{provider}: {e}");
        }
        assert!(mock.is_running(), "the {provider} mock died");
        let probe = Garbage {
            method: "GET".to_owned(),
            target: "/__mock/no-such-route".to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        assert_eq!(
            send(&addr, &probe.bytes()).map(|(status, _)| status),
            Ok(404),
            "the {provider} mock keeps serving"
        );
    }
}

/// Control values that would move a mock's clock past what its arithmetic holds are refused;
/// accepted, they made the next code exchange overflow and drop the connection. A random
/// sequence seldom reaches that exchange with a valid code, so the extremes are sent directly.
#[test]
fn the_mock_clock_refuses_extreme_moves() {
    for (provider, _) in common::providers() {
        let (_mock, url) = common::start_mock(&provider, &[], &[]);
        let addr = url.trim_start_matches("http://").to_owned();
        for secs in [i64::MAX, i64::MIN, -i64::MAX, 4_000_000_000] {
            let request = Garbage {
                method: "POST".to_owned(),
                target: format!("/__mock/clock/advance?secs={secs}"),
                headers: Vec::new(),
                body: Vec::new(),
            };
            let status = send(&addr, &request.bytes()).map(|(status, _)| status);
            assert!(
                status.as_ref().is_ok_and(|s| (400..500).contains(s)),
                "{provider}: moving the clock by {secs} s answered {status:?}"
            );
        }
    }
}
