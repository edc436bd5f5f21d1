//! Shared test resources. A scenario tagged `@resource-<name>` changes something of its target
//! that other scenarios read back: the SSO v1 test user's pending e-mail address
//! (`@resource-test-user-email`), the LoginSign test user's connection
//! (`@resource-connection`). The runner never runs two scenarios that declare the same resource
//! of the same provider at once; every other scenario stays concurrent. A scenario takes its
//! resources when it starts (cucumber's `before` hook) in name order, so two scenarios that
//! declare several never wait for each other in a circle, and gives them back when it finishes
//! (the `after` hook). A waiting scenario holds one of the `--jobs` slots; the holder runs, so
//! the wait always ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use super::shard;
use crate::providers::Provider;

/// The tag prefix that declares a resource: `@resource-test-user-email`.
pub const PREFIX: &str = "resource-";

/// The resources a scenario declares, as `provider/name`, sorted (the order they are taken in).
pub fn declared(tags: &[String]) -> Vec<String> {
    let provider = Provider::from_tags(tags).map_or("", |p| p.name());
    let mut names: Vec<String> = tags
        .iter()
        .filter_map(|t| t.strip_prefix(PREFIX))
        .filter(|name| !name.is_empty())
        .map(|name| format!("{provider}/{name}"))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// One lock per declared resource, and the locks each running scenario holds.
#[derive(Default)]
pub struct Resources {
    locks: Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
    held: Mutex<HashMap<shard::Key, Vec<OwnedMutexGuard<()>>>>,
}

impl Resources {
    fn lock(&self, resource: &str) -> Arc<AsyncMutex<()>> {
        self.locks
            .lock()
            .unwrap()
            .entry(resource.to_owned())
            .or_default()
            .clone()
    }

    /// Waits until the scenario `key` holds every resource its `tags` declare.
    pub async fn acquire(&self, key: shard::Key, tags: &[String]) {
        let resources = declared(tags);
        if resources.is_empty() {
            return;
        }
        let mut guards = Vec::with_capacity(resources.len());
        for r in &resources {
            guards.push(self.lock(r).lock_owned().await);
        }
        self.held.lock().unwrap().insert(key, guards);
    }

    /// Gives back what the scenario `key` holds (nothing if it declared nothing).
    pub fn release(&self, key: &shard::Key) {
        self.held.lock().unwrap().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn declared_resources_are_per_provider_and_sorted() {
        let t = tags(&[
            "sso_v1",
            "resource-b",
            "documented",
            "resource-a",
            "resource-a",
        ]);
        assert_eq!(declared(&t), ["sso_v1/a", "sso_v1/b"]);
        assert!(declared(&tags(&["sso_v1", "changes-profile"])).is_empty());
        assert_ne!(
            declared(&tags(&["sso_v1", "resource-x"])),
            declared(&tags(&["loginsign", "resource-x"]))
        );
    }

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_releases_and_others_do_not_wait() {
        let r = Arc::new(Resources::default());
        let key = |line| ("f.feature".to_owned(), line);
        let email = tags(&["sso_v1", "resource-test-user-email"]);
        r.acquire(key(1), &email).await;
        // Another resource, or none: no wait.
        tokio::time::timeout(Duration::from_secs(1), async {
            r.acquire(key(2), &tags(&["sso_v1", "resource-other"]))
                .await;
            r.acquire(key(3), &tags(&["sso_v1"])).await;
        })
        .await
        .expect("an undeclared or other resource never waits");
        let second = tokio::spawn({
            let r = r.clone();
            let email = email.clone();
            async move { r.acquire(key(4), &email).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished(), "two holders of one resource at once");
        r.release(&key(1));
        tokio::time::timeout(Duration::from_secs(1), second)
            .await
            .expect("the release lets the waiting scenario in")
            .unwrap();
    }
}
