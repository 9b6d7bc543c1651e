#![no_main]
//! A socket session as bytes: WebSocket frames (text and binary) decoded by the core and fed,
//! with the clock, reconnects, cancels and the HTTP answers the tracker asks for, to a
//! `JobTracker`. Decoding answers a message or a typed error; the tracker never panics.
//!
//! Input: one config byte, then records `op: u8, len: u16 LE, payload[len]` (a short last
//! payload takes what is left). `fuzz/scripts/seeds.py` writes captured sessions in this form.
//!
//! | op % 8 | payload | does |
//! |---|---|---|
//! | 0 | UTF-8 text | text frame → `ServerMessage::from_text` → `on_message` |
//! | 1 | bytes | binary frame → `ServerMessage::from_binary` → `on_message` |
//! | 2 | u64 LE (up to 8 bytes) | the clock advances by it (saturating), then `poll` |
//! | 3 | prompt id | `watch` (total nodes = op >> 3, deadline when op & 0x80) |
//! | 4 | prompt id | `submitted` |
//! | 5 | — | `connected` (a reconnect after the first) |
//! | 6 | prompt id | `cancel`, then `dequeued` |
//! | 7 | JSON body | answer to the last action asked: history, queue or task info |
//!
//! Config: bit 0 hosted profile (task polling), bit 1 watch every prompt id a frame names,
//! bit 2 start connected.
use comfywire::protocol::hosted::task_info_response;
use comfywire::protocol::response::{history_response, queue_response};
use comfywire::protocol::{Action, HttpResponse, JobTracker, ServerMessage, TrackerConfig};
use libfuzzer_sys::fuzz_target;

struct Session {
    tracker: JobTracker,
    now: u64,
    auto_watch: bool,
    finished: std::collections::HashSet<String>,
    last_action: Option<Action>,
}

impl Session {
    fn absorb(&mut self, events: Vec<(String, comfywire::protocol::JobEvent)>) {
        for (id, event) in events {
            let json = comfywire::js::event_json(&id, &event, None);
            assert!(json.is_object());
            if let comfywire::protocol::JobEvent::Finished(result) = event {
                assert_eq!(result.prompt_id, id);
                assert!(
                    !self.tracker.is_watching(&id),
                    "{id} finished but still watched"
                );
                self.finished.insert(id);
            }
        }
        let actions = self.tracker.take_actions();
        if let Some(last) = actions.last() {
            self.last_action = Some(last.clone());
        }
        let _ = self.tracker.next_wakeup();
    }

    fn message(&mut self, decoded: comfywire::Result<ServerMessage>) {
        let Ok(message) = decoded else {
            return;
        };
        let _ = comfywire::js::message_json(&message);
        if self.auto_watch {
            if let Some(id) = message.prompt_id() {
                if !self.tracker.is_watching(id) && !self.finished.contains(id) {
                    let id = id.to_string();
                    self.tracker.watch(&id, 3, self.now, None);
                    self.tracker.submitted(&id, self.now);
                }
            }
        }
        let events = self.tracker.on_message(&message, self.now);
        self.absorb(events);
    }

    fn answer(&mut self, body: &[u8]) {
        let resp = HttpResponse {
            status: 200,
            body: body.to_vec(),
        };
        let events = match self.last_action.clone() {
            Some(Action::FetchHistory { prompt_id }) => match history_response(&resp) {
                Ok(entries) => self.tracker.on_history(&prompt_id, &entries, self.now),
                Err(_) => return,
            },
            Some(Action::FetchTaskInfo { .. }) => match task_info_response(&resp) {
                Ok(tasks) => self.tracker.on_task_info(&tasks, self.now),
                Err(_) => return,
            },
            Some(Action::FetchQueue) | None => match queue_response(&resp) {
                Ok(queue) => {
                    let _ = comfywire::js::queue_json(&queue);
                    self.tracker.on_queue(&queue, self.now)
                }
                Err(_) => return,
            },
        };
        self.absorb(events);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&config, mut rest)) = data.split_first() else {
        return;
    };
    let tracker_config = if config & 1 != 0 {
        TrackerConfig::hosted(1_000)
    } else {
        TrackerConfig::default()
    };
    let mut s = Session {
        tracker: JobTracker::new(tracker_config),
        now: 1,
        auto_watch: config & 2 != 0,
        finished: Default::default(),
        last_action: None,
    };
    if config & 4 != 0 {
        s.tracker.connected(s.now);
    }
    while let Some((&op, tail)) = rest.split_first() {
        let len = match tail {
            [a, b, ..] => u16::from_le_bytes([*a, *b]) as usize,
            _ => tail.len(),
        };
        let tail = tail.get(2..).unwrap_or_default();
        let (payload, next) = tail.split_at(len.min(tail.len()));
        rest = next;
        let id = || String::from_utf8_lossy(payload).into_owned();
        match op % 8 {
            0 => {
                if let Ok(text) = std::str::from_utf8(payload) {
                    s.message(ServerMessage::from_text(text));
                }
            }
            1 => s.message(ServerMessage::from_binary(payload)),
            2 => {
                let mut le = [0u8; 8];
                let n = payload.len().min(8);
                le[..n].copy_from_slice(&payload[..n]);
                s.now = s.now.saturating_add(u64::from_le_bytes(le));
                let events = s.tracker.poll(s.now);
                s.absorb(events);
            }
            3 => {
                let deadline = (op & 0x80 != 0).then(|| s.now.saturating_add(60_000));
                s.tracker
                    .watch(&id(), usize::from((op >> 3) & 0x0f), s.now, deadline);
            }
            4 => {
                s.tracker.submitted(&id(), s.now);
                s.absorb(Vec::new());
            }
            5 => {
                s.tracker.connected(s.now);
                s.absorb(Vec::new());
            }
            6 => {
                let id = id();
                let _ = s.tracker.cancel(&id);
                let events = s.tracker.dequeued(&id);
                s.absorb(events);
            }
            _ => s.answer(payload),
        }
    }
    for id in s
        .tracker
        .unfinished()
        .map(str::to_string)
        .collect::<Vec<_>>()
    {
        assert!(!s.finished.contains(&id) || s.tracker.is_watching(&id));
    }
});
