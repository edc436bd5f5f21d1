//! `--shard I/N`: a CI matrix splits one run across N jobs. The scenarios the run selects (by
//! provider and tags, before any skip) are sorted by feature file and line and dealt out in
//! turn, so every job computes the same split: each scenario runs in exactly one shard, and the
//! shards together run them all. Each shard writes `shard.json` so `merge-reports` can prove it.

use std::collections::HashSet;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One job's part of a split run, 1-based: `2/4` is the second of four.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub total: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("--shard {s}: write I/N with 1 <= I <= N, e.g. --shard 2/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let total: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || total == 0 || index > total {
            return Err(bad());
        }
        Ok(Self { index, total })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

/// A scenario's identity across shards: its feature file and line.
pub type Key = (String, usize);

/// The name of the shard manifest in a shard's reports folder.
pub const MANIFEST: &str = "shard.json";

/// The key of a scenario (the same the reports use: the feature's path and the line).
pub fn key(feature: &cucumber::gherkin::Feature, scenario: &cucumber::gherkin::Scenario) -> Key {
    let file = feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    (file, scenario.position.line)
}

impl Shard {
    /// The keys of this shard among all `selected` ones (any order, no duplicates).
    pub fn pick(&self, mut selected: Vec<Key>) -> HashSet<Key> {
        selected.sort();
        selected
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.total == self.index - 1)
            .map(|(_, k)| k)
            .collect()
    }
}

/// `shard.json`: which part of the split a report holds, and how many scenarios the whole run
/// selected, so merging can tell a missing shard from an empty one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub index: usize,
    pub total: usize,
    /// Scenarios selected across all shards.
    pub selected: usize,
    /// Scenarios in this shard.
    pub in_shard: usize,
    /// The run's target label (for the merged summary).
    pub target: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, total: 4 }));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().unwrap_err().contains("I/N"), "{bad}");
        }
    }

    #[test]
    fn the_shards_cover_every_scenario_exactly_once() {
        let keys: Vec<Key> = (0..103)
            .map(|i| (format!("features/p/f{}.feature", i % 7), i))
            .collect();
        let mut seen = HashSet::new();
        let mut sizes = Vec::new();
        for index in 1..=4 {
            let part = Shard { index, total: 4 }.pick(keys.clone());
            sizes.push(part.len());
            for k in part {
                assert!(seen.insert(k), "a scenario in two shards");
            }
        }
        assert_eq!(seen.len(), keys.len(), "nothing lost");
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
        // The split does not depend on the order the scenarios were found in.
        let mut reversed = keys.clone();
        reversed.reverse();
        assert_eq!(
            Shard { index: 3, total: 4 }.pick(keys),
            Shard { index: 3, total: 4 }.pick(reversed)
        );
    }
}
