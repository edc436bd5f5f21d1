//! What a mock has issued and must remember (authorization codes, tokens, opt-in codes), bounded:
//! past [`CAPACITY`] values of one kind, the oldest is forgotten and answered from then on as a
//! value the mock never issued. A run issues a few hundred; a mock under load keeps its memory
//! flat instead of growing with every request (`tests/mock_load.rs`).

use std::collections::{HashMap, VecDeque};

/// Values of one kind a mock remembers at once.
pub const CAPACITY: usize = 4096;

/// A map from issued value to what the mock knows about it, forgetting the oldest past
/// [`CAPACITY`].
#[derive(Debug)]
pub struct Issued<V> {
    /// value -> (the generation it was inserted in, what the mock knows).
    map: HashMap<String, (u64, V)>,
    /// Insertion order; an entry whose generation no longer matches was removed or replaced.
    order: VecDeque<(String, u64)>,
    generation: u64,
}

impl<V> Default for Issued<V> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            generation: 0,
        }
    }
}

impl<V> Issued<V> {
    pub fn insert(&mut self, key: String, value: V) {
        self.generation += 1;
        self.order.push_back((key.clone(), self.generation));
        self.map.insert(key, (self.generation, value));
        while self.order.len() > CAPACITY {
            let Some((oldest, generation)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&oldest).is_some_and(|(g, _)| *g == generation) {
                self.map.remove(&oldest);
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key).map(|(_, v)| v)
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.map.remove(key).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.map.iter().map(|(k, (_, v))| (k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_values_are_forgotten_past_the_capacity_and_the_rest_kept() {
        let mut issued = Issued::default();
        for i in 0..CAPACITY + 10 {
            issued.insert(format!("code-{i}"), i);
        }
        assert_eq!(issued.iter().count(), CAPACITY);
        assert_eq!(issued.get("code-9"), None);
        assert_eq!(issued.get("code-10"), Some(&10));
        assert_eq!(
            issued.get(&format!("code-{}", CAPACITY + 9)),
            Some(&(CAPACITY + 9))
        );
    }

    #[test]
    fn a_replaced_value_is_not_forgotten_with_its_first_insertion() {
        let mut issued = Issued::default();
        issued.insert("kept".to_owned(), 1);
        issued.insert("kept".to_owned(), 2);
        for i in 0..CAPACITY - 1 {
            issued.insert(format!("code-{i}"), 0);
        }
        // The first insertion of "kept" left the queue; its replacement is still remembered.
        assert_eq!(issued.get("kept"), Some(&2));
        assert!(issued.remove("kept").is_some());
        assert_eq!(issued.values().count(), CAPACITY - 1);
    }
}
