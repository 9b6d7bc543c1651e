//! The prompt queue: a binary min-heap laid out exactly as Python's `heapq` lays out its list.
//!
//! `GET /queue` returns the server's raw heap array as `queue_pending` (observed
//! `[-67, 1.5, 66, 65, 64]`), so clients that forget to sort by `number` see the same disorder
//! here. Items order by `number` (a float), then by `prompt_id` (string order), as Python
//! compares the tuples.

use serde_json::{Value, json};

/// What the emulator knows about the client that submitted a prompt.
#[derive(Debug, Clone, PartialEq)]
pub enum Client {
    /// No `client_id`: progress and previews are broadcast, `execution_*` messages are not sent.
    None,
    /// A string `client_id`: its socket gets the prompt's messages.
    Id(String),
    /// A `client_id` that is not a string: no socket id can equal it, so messages are dropped.
    Unroutable,
}

/// One queued prompt.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// `number` as answered: an int from the counter, or the float the client gave.
    pub number: Value,
    /// `number` as Python compares it.
    pub key: f64,
    pub prompt_id: String,
    /// The stored prompt (coerced as validation does).
    pub prompt: Value,
    /// `extra_data` with the client id; what `GET /queue` shows.
    pub extra_data: Value,
    /// `extra_data` without the sensitive keys; what history keeps.
    pub public_extra_data: Value,
    pub outputs: Vec<String>,
    pub client: Client,
    /// Unique per submission (a `prompt_id` may be reused): lets `POST /prompt` wait for its job.
    pub seq: u64,
}

impl QueueItem {
    /// The `[number, prompt_id, prompt, extra_data, outputs_to_execute]` tuple of `GET /queue`.
    pub fn queue_tuple(&self) -> Value {
        json!([
            self.number,
            self.prompt_id,
            self.prompt,
            self.extra_data,
            self.outputs
        ])
    }

    /// The same tuple as history stores it (sensitive `extra_data` keys removed).
    pub fn history_tuple(&self) -> Value {
        json!([
            self.number,
            self.prompt_id,
            self.prompt,
            self.public_extra_data,
            self.outputs
        ])
    }

    fn less(&self, other: &QueueItem) -> bool {
        self.key < other.key || (self.key == other.key && self.prompt_id < other.prompt_id)
    }
}

/// A heap with `heapq`'s push, pop, heapify and list layout.
#[derive(Debug, Default)]
pub struct Heap {
    items: Vec<QueueItem>,
}

impl Heap {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The raw array, in heap order.
    pub fn items(&self) -> &[QueueItem] {
        &self.items
    }

    pub fn push(&mut self, item: QueueItem) {
        self.items.push(item);
        let last = self.items.len() - 1;
        self.sift_down(0, last);
    }

    pub fn pop(&mut self) -> Option<QueueItem> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.items[0], last);
        self.sift_up(0);
        Some(top)
    }

    /// Removes the first item (in array order) matching `pred`, then re-heapifies, as the
    /// server's `delete_queue_item` does. Returns whether one was removed.
    pub fn remove_first(&mut self, pred: impl Fn(&QueueItem) -> bool) -> bool {
        let Some(i) = self.items.iter().position(pred) else {
            return false;
        };
        self.items.remove(i);
        for j in (0..self.items.len() / 2).rev() {
            self.sift_up(j);
        }
        true
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Moves the item at `pos` towards the root while it is smaller than its parent.
    fn sift_down(&mut self, start: usize, mut pos: usize) {
        while pos > start {
            let parent = (pos - 1) / 2;
            if self.items[pos].less(&self.items[parent]) {
                self.items.swap(pos, parent);
                pos = parent;
            } else {
                break;
            }
        }
    }

    /// `heapq`'s variant: bubble the smaller child up all the way to a leaf, then settle the
    /// moved item with `sift_down`. It gives a different (but valid) layout than the textbook
    /// sift, and the layout is what clients see.
    fn sift_up(&mut self, mut pos: usize) {
        let end = self.items.len();
        let start = pos;
        let mut child = 2 * pos + 1;
        while child < end {
            let right = child + 1;
            if right < end && !self.items[child].less(&self.items[right]) {
                child = right;
            }
            self.items.swap(pos, child);
            pos = child;
            child = 2 * pos + 1;
        }
        self.sift_down(start, pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: f64, id: &str) -> QueueItem {
        QueueItem {
            number: crate::pyjson::float_value(key),
            key,
            prompt_id: id.into(),
            prompt: json!({}),
            extra_data: json!({}),
            public_extra_data: json!({}),
            outputs: vec![],
            client: Client::None,
            seq: 0,
        }
    }

    #[test]
    fn layout_matches_the_captured_heap() {
        // queue_ops: 64, 65, 66 pushed, then front (-67), then number 1.5.
        let mut h = Heap::default();
        for (k, id) in [
            (64.0, "p1"),
            (65.0, "p2"),
            (66.0, "p3"),
            (-67.0, "p4"),
            (1.5, "p5"),
        ] {
            h.push(item(k, id));
        }
        let keys: Vec<f64> = h.items().iter().map(|i| i.key).collect();
        assert_eq!(keys, [-67.0, 1.5, 66.0, 65.0, 64.0]);
        let order: Vec<String> = std::iter::from_fn(|| h.pop())
            .map(|i| i.prompt_id)
            .collect();
        assert_eq!(order, ["p4", "p5", "p1", "p2", "p3"]);
    }

    #[test]
    fn ties_by_prompt_id_and_removal() {
        let mut h = Heap::default();
        for id in ["c", "a", "b"] {
            h.push(item(1.0, id));
        }
        assert!(h.remove_first(|i| i.prompt_id == "a"));
        assert!(!h.remove_first(|i| i.prompt_id == "zz"));
        assert_eq!(h.pop().unwrap().prompt_id, "b");
        assert_eq!(h.pop().unwrap().prompt_id, "c");
        assert!(h.pop().is_none());
    }
}
