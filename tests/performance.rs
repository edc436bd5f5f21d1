//! The performance invariants, proved on a whole run's own counters (`run --stats`): every schema
//! compiled once, every exchange counted, connections reused per target. (Step regexes: the unit
//! test `stats::tests::every_step_regex_is_compiled_once_per_process_and_every_step_registers`.)

mod common;

use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct RunStats {
    schemas_compiled: usize,
    schema_files: usize,
    exchanges: usize,
    mocks: Vec<MockStats>,
}

#[derive(Debug, Deserialize)]
struct MockStats {
    provider: String,
    connections: usize,
    requests: usize,
}

fn run_with_stats(extra: &[&str]) -> RunStats {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("stats.json");
    let mut args = vec!["--stats", stats.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = common::run(&args, &dir.path().join("reports"));
    assert_eq!(common::code(&out), 0, "{}", common::text(&out));
    serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap()
}

fn count_files(dir: &Path, ext: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                count_files(&p, ext)
            } else {
                usize::from(p.extension().is_some_and(|e| e == ext))
            }
        })
        .sum()
}

#[test]
fn a_run_compiles_each_schema_once_and_counts_every_exchange_of_every_provider() {
    let stats = run_with_stats(&[]);
    let files = count_files(&common::root().join("schemas"), "json");
    assert_eq!(stats.schema_files, files);
    assert_eq!(stats.schemas_compiled, files, "a schema was compiled twice");

    // Every provider with features has a mock, and the mocks served exactly what the client sent.
    let mut with_features: Vec<String> = std::fs::read_dir(common::root().join("features"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    with_features.sort();
    let mut mocked: Vec<String> = stats.mocks.iter().map(|m| m.provider.clone()).collect();
    mocked.sort();
    assert_eq!(mocked, with_features);
    let served: usize = stats.mocks.iter().map(|m| m.requests).sum();
    assert_eq!(served, stats.exchanges, "{stats:?}");
    assert!(stats.exchanges > 100, "{stats:?}");

    // Connections are pooled per target and reused (the bounds: the tests below).
    for m in &stats.mocks {
        assert!(m.connections < m.requests, "{m:?}");
    }
}

/// A target's connections are pooled and reused: each scenario in flight holds at most one, plus
/// at most one on its way back to the pool (hyper returns a finished connection on its own task,
/// so a request sent the instant the previous answer ends can find the pool empty and open
/// another). Without reuse, every request would be a connection.
fn assert_connections_bounded_by(jobs: usize) {
    let stats = run_with_stats(&["--jobs", &jobs.to_string()]);
    for m in &stats.mocks {
        assert!(
            m.connections <= 2 * jobs,
            "{} opened {} connections for {} requests with --jobs {jobs}",
            m.provider,
            m.connections,
            m.requests
        );
        // Enough requests that the bound means reuse: three per allowed connection at least.
        assert!(m.requests >= 6 * jobs, "{m:?}");
    }
}

#[test]
fn one_scenario_at_a_time_reuses_its_connections_per_target() {
    assert_connections_bounded_by(1);
}

#[test]
fn four_scenarios_at_a_time_share_at_most_eight_connections_per_target() {
    assert_connections_bounded_by(4);
}
