//! The embedded mocks under a bounded loopback load: 64 connections running the token exchange
//! flow lose no request, and the mock's memory stays flat once its stores of issued codes and
//! tokens are full (`mocks/issued.rs`). The figures under a longer load on the release build are
//! `cargo bench`'s (BENCHMARKS.md).

mod common;
mod loadgen;

use std::path::PathBuf;
use std::time::Duration;

/// Codes and tokens a mock remembers of each kind (`mocks::issued::CAPACITY`).
const CAPACITY: u64 = 4096;

fn bin() -> PathBuf {
    std::env::var_os("IDP_CONFORMANCE_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_idp-conformance").into())
        .into()
}

fn load(max_exchanges: u64, seconds: u64) -> loadgen::Load {
    loadgen::Load {
        connections: 64,
        duration: Duration::from_secs(seconds),
        max_exchanges,
        sample_every: Duration::from_millis(250),
    }
}

#[test]
fn sixty_four_connections_lose_no_request_and_the_mock_memory_stays_flat() {
    let mock = loadgen::MockProcess::start(&bin(), "losgehts");

    // Fill the mock's stores: after this, every new code or token replaces the oldest.
    let warm = loadgen::run(mock.addr, mock.pid(), load(2 * CAPACITY, 60));
    assert_eq!(warm.errors, 0, "{:?}", warm.first_error);
    assert_eq!(warm.token_exchanges, 2 * CAPACITY);
    let full = mock.rss_kib();

    // Then a bounded load: at most 10 s and 30,000 exchanges.
    let r = loadgen::run(mock.addr, mock.pid(), load(30_000, 10));
    assert_eq!(r.errors, 0, "{:?}", r.first_error);
    // Every request got its expected answer: a 302 with a code, then a 200 with a token.
    assert_eq!(r.requests, 2 * r.token_exchanges);
    assert!(r.token_exchanges >= 2 * CAPACITY, "{r:?}");
    let end = mock.rss_kib();
    let peak = r.rss_samples.iter().map(|s| s.1).max().unwrap_or(end);
    assert!(
        peak.saturating_sub(full) < 4 * 1024,
        "the mock grew from {full} KiB to {peak} KiB over {} exchanges: {:?}",
        r.token_exchanges,
        r.rss_samples
    );
    eprintln!(
        "{} exchanges in {:.1} s ({:.0} requests/s, debug build), p99 {} us; mock RSS {full} -> {end} KiB",
        r.token_exchanges,
        r.elapsed.as_secs_f64(),
        r.requests_per_sec(),
        r.token_latency_percentile(99.0)
    );
}
