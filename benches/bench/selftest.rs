//! `cargo test --test bench_helpers`: the bench's own pieces (the RTT proxy, the Hurl file
//! reader), tested apart from the bench, which `cargo bench` runs without a test harness.

#![allow(dead_code, reason = "the bench uses what these tests leave aside")]

#[path = "hurl.rs"]
mod hurl;
#[path = "process.rs"]
mod process;
#[path = "rtt_proxy.rs"]
mod rtt_proxy;

use std::time::Duration;

use rtt_proxy::{RttProxy, calibrate, echo_server};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// Every committed Hurl file makes at least one exchange, and the critical path is longer than
/// any single exchange.
#[test]
fn the_hurl_files_make_exchanges() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/hurl/losgehts");
    let scenarios = hurl::scenarios(&dir);
    assert!(!scenarios.is_empty(), "no Hurl files in {}", dir.display());
    for s in &scenarios {
        assert!(s.exchanges >= 1, "{} makes no exchange", s.path.display());
    }
    assert!(hurl::chain(&scenarios) >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_connection_costs_two_round_trips_a_reused_one_one() {
    // The bounds tell one round trip from two, with a whole round trip of room for a busy
    // machine (a test binary shares the cores with the others).
    let rtt = Duration::from_millis(100);
    let echo = echo_server().await.unwrap();
    let proxy = RttProxy::start(echo, rtt).await.unwrap();
    let (first, second) = calibrate(&proxy).await.unwrap();
    assert!(first >= 2 * rtt, "a new connection took {first:?}");
    assert!(first < 3 * rtt, "a new connection took {first:?}");
    assert!(second >= rtt, "a reused connection took {second:?}");
    assert!(second < 2 * rtt, "a reused connection took {second:?}");
    assert_eq!(proxy.connections(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_keep_their_order_and_nothing_is_throttled() {
    let rtt = Duration::from_millis(20);
    let echo = echo_server().await.unwrap();
    let proxy = RttProxy::start(echo, rtt).await.unwrap();
    let mut s = TcpStream::connect(proxy.addr).await.unwrap();
    // 1 MiB in many writes: all of it back, in order, in about one handshake and one trip.
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let started = Instant::now();
    let (mut r, mut w) = s.split();
    let send = async {
        for piece in data.chunks(10_000) {
            w.write_all(piece).await.unwrap();
        }
    };
    let receive = async {
        let mut back = Vec::with_capacity(data.len());
        let mut buf = vec![0u8; 64 * 1024];
        while back.len() < data.len() {
            let n = r.read(&mut buf).await.unwrap();
            assert!(n > 0, "the proxy closed early");
            back.extend_from_slice(&buf[..n]);
        }
        back
    };
    let ((), back) = tokio::join!(send, receive);
    assert!(back == data, "bytes lost or reordered");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_closed_server_closes_the_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        s.write_all(b"bye").await.unwrap();
    });
    let proxy = RttProxy::start(upstream, Duration::from_millis(10))
        .await
        .unwrap();
    let mut s = TcpStream::connect(proxy.addr).await.unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).await.unwrap();
    assert_eq!(all, b"bye");
}

#[test]
fn hurl_entries_are_request_lines() {
    let text = "# a comment naming GET\nGET {{base}}/a\n[Query]\nx: GET y\nHTTP *\n\n\
                POST {{base}}/b\n{\n  \"GET\": 1\n}\n";
    assert_eq!(hurl::entries(text), 2);
}
