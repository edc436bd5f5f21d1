//! Run statistics, the evidence behind the performance claims (`BENCHMARKS.md`): how many schemas
//! a run compiled, how many HTTP exchanges it made, and what each embedded mock served over how
//! many TCP connections. `run --stats FILE` writes them; the benchmarks replay the exchange mix.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::mocks::RunningMock;
use crate::providers::Provider;

static SCHEMAS_COMPILED: AtomicUsize = AtomicUsize::new(0);
static EXCHANGES: AtomicUsize = AtomicUsize::new(0);

/// A schema validator was built (`schema.rs`).
pub fn schema_compiled() {
    SCHEMAS_COMPILED.fetch_add(1, Ordering::Relaxed);
}

/// The harness's HTTP client sent a request and read its answer (`http.rs`).
pub fn exchange() {
    EXCHANGES.fetch_add(1, Ordering::Relaxed);
}

/// Distinct routes one server records before it lumps the rest together: garbage paths (the
/// robustness tests send them) must not grow the table.
const MAX_ROUTES: usize = 64;

/// What one loopback server (a mock or the receiver) served.
#[derive(Debug, Default)]
pub struct ServerStats {
    connections: AtomicUsize,
    requests: Mutex<Vec<RouteCount>>,
}

/// How many requests one route got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteCount {
    pub method: String,
    /// The request's path (never the query string, which can carry secrets).
    pub path: String,
    pub count: usize,
}

impl ServerStats {
    /// A TCP connection was accepted.
    pub fn connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// A request arrived for `path`. Past [`MAX_ROUTES`] distinct routes, new ones count as
    /// `* (other)`.
    pub fn request(&self, method: &str, path: &str) {
        let mut routes = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
        {
            r.count += 1;
            return;
        }
        let (method, path) = if routes.len() < MAX_ROUTES {
            (method, path)
        } else {
            ("*", "(other)")
        };
        match routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
        {
            Some(r) => r.count += 1,
            None => routes.push(RouteCount {
                method: method.to_owned(),
                path: path.to_owned(),
                count: 1,
            }),
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    pub fn routes(&self) -> Vec<RouteCount> {
        let mut routes = self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        routes.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        routes
    }
}

/// What `run --stats FILE` writes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunStats {
    /// Schema validators built during the run; equals `schema_files` when each is compiled once.
    pub schemas_compiled: usize,
    pub schema_files: usize,
    /// HTTP exchanges the harness's client made (requests sent and answered).
    pub exchanges: usize,
    /// Per embedded mock: what it served, over how many connections.
    pub mocks: Vec<MockStats>,
    /// When each phase of the run ended, in milliseconds since the run began.
    #[serde(default)]
    pub phases_ms: Phases,
}

/// The phases of a run, each the milliseconds from the start of the run to its end: what the
/// benchmark prints beside the profile.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Phases {
    /// Features parsed, schemas and step patterns compiled, every selected step checked, the
    /// targets set up: the first scenario starts.
    pub started: f64,
    /// Every scenario finished.
    pub scenarios: f64,
    /// Every report written.
    pub reports: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MockStats {
    pub provider: String,
    pub connections: usize,
    pub requests: usize,
    pub routes: Vec<RouteCount>,
}

impl RunStats {
    /// The counters as they stand, with the embedded mocks' tallies.
    pub fn collect(
        schema_files: usize,
        mocks: &[(Provider, &RunningMock)],
        phases_ms: Phases,
    ) -> Self {
        Self {
            phases_ms,
            schemas_compiled: SCHEMAS_COMPILED.load(Ordering::Relaxed),
            schema_files,
            exchanges: EXCHANGES.load(Ordering::Relaxed),
            mocks: mocks
                .iter()
                .map(|(p, m)| {
                    let routes = m.stats.routes();
                    MockStats {
                        provider: p.name().to_owned(),
                        connections: m.stats.connections(),
                        requests: routes.iter().map(|r| r.count).sum(),
                        routes,
                    }
                })
                .collect(),
        }
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text)
    }
}

/// The largest instance validated against a schema, kept only when the in-process benchmark
/// asks for it (`bench pieces`), so that it times validation of the run's real largest response.
static CAPTURE: AtomicBool = AtomicBool::new(false);
static LARGEST: Mutex<Option<(usize, String, Arc<Value>)>> = Mutex::new(None);

pub fn capture_largest_validated() {
    CAPTURE.store(true, Ordering::Relaxed);
}

/// Called for every schema check; a no-op unless capturing.
pub fn observe_validated(schema: &str, instance: &Value) {
    if !CAPTURE.load(Ordering::Relaxed) {
        return;
    }
    let size = instance.to_string().len();
    let mut largest = LARGEST.lock().unwrap_or_else(|e| e.into_inner());
    if largest.as_ref().is_none_or(|(s, _, _)| size > *s) {
        *largest = Some((size, schema.to_owned(), Arc::new(instance.clone())));
    }
}

/// The largest validated instance: (serialized bytes, schema name, instance).
pub fn largest_validated() -> Option<(usize, String, Arc<Value>)> {
    LARGEST.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every step definition's regex, as cucumber's `World::collection()` would fetch it: each
    /// `fn() -> Regex` that `#[given]`/`#[when]`/`#[then]` registered.
    fn step_regex_fns() -> Vec<cucumber::codegen::LazyRegex> {
        use cucumber::codegen::{StepConstructor as _, WorldInventory, inventory};
        type W = crate::world::ConformanceWorld;
        let mut fns = Vec::new();
        fns.extend(
            inventory::iter::<<W as WorldInventory>::Given>
                .into_iter()
                .map(|s| s.inner().1),
        );
        fns.extend(
            inventory::iter::<<W as WorldInventory>::When>
                .into_iter()
                .map(|s| s.inner().1),
        );
        fns.extend(
            inventory::iter::<<W as WorldInventory>::Then>
                .into_iter()
                .map(|s| s.inner().1),
        );
        fns
    }

    #[test]
    fn every_step_regex_is_compiled_once_per_process_and_every_step_registers() {
        let fns = step_regex_fns();
        // Each call hands out the same compiled regex: a fresh compile would allocate a new
        // pattern (`Regex::as_str` points into the compiled regex's shared pattern).
        for f in &fns {
            let (first, second) = (f(), f());
            assert!(
                std::ptr::eq(first.as_str(), second.as_str()),
                "step regex {} was compiled twice",
                first.as_str()
            );
        }
        // And none went missing at link time: one registration per step attribute in src/steps.
        let attributes: usize = crate::files::with_extension(Path::new("src/steps"), "rs")
            .unwrap()
            .iter()
            .map(|p| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .filter(|l| {
                        let l = l.trim_start();
                        ["#[given(", "#[when(", "#[then("]
                            .iter()
                            .any(|a| l.starts_with(a))
                    })
                    .count()
            })
            .sum();
        assert_eq!(fns.len(), attributes);
    }

    #[test]
    fn routes_are_counted_and_garbage_paths_do_not_grow_the_table() {
        let s = ServerStats::default();
        s.request("GET", "/a");
        s.request("GET", "/a");
        s.request("POST", "/a");
        for i in 0..200 {
            s.request("GET", &format!("/garbage/{i}"));
        }
        let routes = s.routes();
        assert_eq!(routes.len(), MAX_ROUTES + 1, "{routes:?}");
        assert_eq!(routes.iter().map(|r| r.count).sum::<usize>(), 203);
        assert!(routes.contains(&RouteCount {
            method: "GET".into(),
            path: "/a".into(),
            count: 2
        }));
    }
}
