//! Run statistics, the evidence behind the invariants of `ARCHITECTURE.md` (`tests/performance.rs`):
//! how many schemas a run compiled, how many HTTP exchanges it made, and what each embedded mock
//! served over how many TCP connections. The hidden `run --stats FILE` writes them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::mocks::RunningMock;
use crate::providers::Provider;

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
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MockStats {
    pub provider: String,
    pub connections: usize,
    pub requests: usize,
}

impl RunStats {
    /// The counters as they stand, with the embedded mocks' tallies.
    pub fn collect(schema_files: usize, mocks: &[(Provider, &RunningMock)]) -> Self {
        Self {
            schemas_compiled: crate::contract::schema::compiled(),
            schema_files,
            exchanges: crate::targets::http::exchanges(),
            mocks: mocks
                .iter()
                .map(|(p, m)| MockStats {
                    provider: p.name().to_owned(),
                    connections: m.stats.connections(),
                    requests: m.stats.requests(),
                })
                .collect(),
        }
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every step definition's regex, as cucumber's `World::collection()` would fetch it: each
    /// `fn() -> Regex` that `#[given]`/`#[when]`/`#[then]` registered.
    fn step_regex_fns() -> Vec<cucumber::codegen::LazyRegex> {
        use cucumber::codegen::{StepConstructor as _, WorldInventory, inventory};
        type W = crate::contract::world::ConformanceWorld;
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
        // And none went missing at link time: one registration per step attribute in src/contract/steps.
        let attributes: usize =
            crate::contract::files::with_extension(Path::new("src/contract/steps"), "rs")
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
}
