//! The standalone mock (`idp-conformance mock PROVIDER`) says at start which test identities it
//! accepts (pinned per provider by an insta snapshot), and logs each request it answers on
//! stderr: method, route and status, never a secret, a code, a token or a query.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};

use base64::Engine as _;
use std::process::{Child, Stdio};

/// A test value, not a credential.
const SECRET: &str = "standalone-secret-4711";

/// A standalone mock and the lines it printed before serving; killed when dropped.
struct Running {
    child: Child,
    banner: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the mock of `provider` with the default log filter (no RUST_LOG).
fn start(provider: &str) -> Running {
    let child = common::bin()
        .args(["mock", provider, "--port", "0"])
        .env("MOCK_CLIENT_SECRET", SECRET)
        .env_remove("MOCK_DEVELOPER_SESSION")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the mock starts");
    let mut mock = Running {
        child,
        banner: Vec::new(),
    };
    let mut stdout = BufReader::new(mock.child.stdout.take().expect("piped"));
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("the mock stopped after:\n{}", mock.banner.join(""));
        }
        let last = line.starts_with("each request is logged");
        mock.banner.push(line);
        if last {
            return mock;
        }
    }
}

/// Sends one HTTP/1.1 request and returns the raw answer.
fn send(addr: &str, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// Stops the mock and returns everything it logged.
fn stop(mut mock: Running) -> String {
    let _ = mock.child.kill();
    let mut log = String::new();
    let stderr = mock.child.stderr.take();
    stderr.expect("piped").read_to_string(&mut log).unwrap();
    log
}

#[test]
fn the_banner_names_each_providers_test_identities() {
    for (provider, _) in common::providers() {
        let mock = start(&provider);
        let text = mock.banner.join("");
        stop(mock);
        assert!(
            !text.contains(SECRET),
            "the client secret is not printed:\n{text}"
        );
        insta::with_settings!({filters => vec![(r"(listening on http://127\.0\.0\.1:)\d+", "$1[PORT]")]}, {
            insta::assert_snapshot!(format!("banner_{provider}"), text);
        });
    }
}

#[test]
fn each_request_is_logged_with_method_route_and_status_and_no_secret() {
    let mock = start("oauth2");
    let addr = mock.banner[0]
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .to_owned();
    let redirect = "http%3A%2F%2F127.0.0.1%3A9999%2Fcallback";
    let (status, location) = common::http_get(&format!(
        "http://{addr}/authorize?response_type=code&client_id=40&redirect_uri={redirect}&state=st4te-value"
    ));
    assert_eq!(status, 302);
    let location = location.expect("the code comes in the redirect");
    let code = location
        .split("code=")
        .nth(1)
        .and_then(|c| c.split('&').next())
        .expect("a code")
        .to_owned();
    let form = format!("grant_type=authorization_code&code={code}&redirect_uri={redirect}");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("40:{SECRET}"));
    let answer = send(
        &addr,
        &format!(
            "POST /token HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {basic}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    let token = answer
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap_or_else(|| panic!("a token:\n{answer}"))
        .to_owned();
    let answer = send(
        &addr,
        &format!(
            "GET /resource HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Connection: close\r\n\r\n"
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A path no route serves, carrying the secret percent-encoded and a terminal escape.
    let (status, _) = common::http_get(&format!(
        "http://{addr}/nowhere/%73tandalone-secret-4711/%1b%5b31m"
    ));
    assert_eq!(status, 404);

    let log = stop(mock);
    for line in [
        "method=GET path=/authorize}",
        "status=302",
        "method=POST path=/token}",
        "method=GET path=/resource}",
        "status=200",
        "method=GET path=/nowhere/[REDACTED]/\\u{1b}[31m}",
        "status=404",
    ] {
        assert!(log.contains(line), "{line:?} logged:\n{log}");
    }
    assert_eq!(
        log.lines().filter(|l| l.contains(" INFO ")).count(),
        4,
        "{log}"
    );
    for leaked in [SECRET, &code, &token, &basic, "st4te-value", "\u{1b}"] {
        assert!(!log.contains(leaked), "{leaked:?} logged:\n{log}");
    }
}
