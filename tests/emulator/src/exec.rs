//! The worker: one job at a time, in queue order, with the server's message sequence.
//!
//! For each job: `execution_start`, `execution_cached` (nodes whose class and inputs, upstream
//! included, equal a node of the previous job), then each node to run in the server's order:
//! `progress_state` running → `executing` → (`progress` steps, previews) → `executed` for nodes
//! with a `ui` → `progress_state` finished. Then `execution_success` (or `execution_error` /
//! `execution_interrupted`), history, `status`, and `executing {node: null}`.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::faults::Faults;
use crate::files::save_path;
use crate::image::{capped, solid_jpeg, solid_png};
use crate::nodes::{Effect, Failure, Img, Input, Val, evaluate, is_sampler, sampler_steps};
use crate::pyjson;
use crate::queue::{Client, QueueItem};
use crate::state::{Out, Running, Shared, State};

/// Results of earlier jobs, by node signature.
pub type Cache = HashMap<u64, CachedNode>;

#[derive(Debug, Clone)]
pub struct CachedNode {
    outputs: Vec<Val>,
    ui: Option<Value>,
}

/// Runs queued jobs until the task is aborted (a restart spawns a new worker).
pub async fn worker(shared: Arc<Shared>) {
    loop {
        let notified = shared.queue_changed.notified();
        tokio::pin!(notified);
        // Registered before looking at the queue, so a prompt queued in between still wakes us.
        notified.as_mut().enable();
        let epoch = shared.epoch.load(Ordering::SeqCst);
        let item = {
            let mut st = shared.lock();
            let item = st.queue.pop();
            if let Some(item) = &item {
                st.running = Some(Running {
                    item: item.clone(),
                    node: None,
                });
                st.broadcast_status();
            }
            item
        };
        match item {
            Some(item) => Job::new(&shared, item, epoch).run().await,
            None => notified.await,
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Why a job stopped early.
enum Stop {
    Error {
        node: String,
        failure: Failure,
        inputs: Map<String, Value>,
    },
    Interrupted {
        node: String,
    },
}

/// `[from_node_id, output_index]` with a string id that names a node of the prompt.
fn link<'p>(prompt: &'p Map<String, Value>, v: &Value) -> Option<(&'p str, usize)> {
    let pair = v.as_array().filter(|a| a.len() == 2)?;
    let (id, _) = prompt.get_key_value(pair[0].as_str()?)?;
    Some((id.as_str(), pair[1].as_u64()? as usize))
}

fn class_of<'p>(prompt: &'p Map<String, Value>, id: &str) -> &'p str {
    prompt
        .get(id)
        .and_then(|n| n.get("class_type"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn inputs_of<'p>(prompt: &'p Map<String, Value>, id: &str) -> Option<&'p Map<String, Value>> {
    prompt.get(id)?.get("inputs")?.as_object()
}

/// Classes whose `IS_CHANGED` changes on every call, so they always run.
const NEVER_CACHED: [&str; 1] = ["SaveImageWebsocket"];

/// A node's identity for caching: its class, its literal inputs and the identities of the nodes
/// its links come from (so any upstream change invalidates it). LoadImage also depends on the
/// file, as its `IS_CHANGED` makes it on the server.
fn signatures(prompt: &Map<String, Value>, shared: &Shared) -> HashMap<String, u64> {
    fn sig(
        id: &str,
        prompt: &Map<String, Value>,
        shared: &Shared,
        memo: &mut HashMap<String, u64>,
        visiting: &mut HashSet<String>,
    ) -> u64 {
        if let Some(s) = memo.get(id) {
            return *s;
        }
        if !visiting.insert(id.to_string()) {
            return 0; // a cycle: never executed, any stable value will do
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let class = class_of(prompt, id);
        class.hash(&mut h);
        if NEVER_CACHED.contains(&class) {
            // Its `IS_CHANGED` returns the time: a fresh identity on every run.
            SystemTime::now().hash(&mut h);
            uuid::Uuid::new_v4().hash(&mut h);
        }
        if let Some(inputs) = inputs_of(prompt, id) {
            let mut names: Vec<&String> = inputs.keys().collect();
            names.sort();
            for name in names {
                name.hash(&mut h);
                let v = &inputs[name];
                match link(prompt, v) {
                    Some((src, idx)) => {
                        sig(src, prompt, shared, memo, visiting).hash(&mut h);
                        idx.hash(&mut h);
                    }
                    None => v.to_string().hash(&mut h),
                }
            }
            if matches!(class, "LoadImage" | "LoadImageMask")
                && let Some(name) = inputs.get("image").and_then(Value::as_str)
            {
                let (file, kind) = crate::files::annotation(name);
                let meta = shared
                    .dirs
                    .of_type(kind.unwrap_or("input"))
                    .and_then(|b| crate::files::inside(&b, file))
                    .and_then(|p| std::fs::metadata(p).ok());
                if let Some(meta) = meta {
                    meta.len().hash(&mut h);
                    meta.modified().ok().hash(&mut h);
                }
            }
        }
        visiting.remove(id);
        let s = h.finish();
        memo.insert(id.to_string(), s);
        s
    }
    let mut memo = HashMap::new();
    let mut visiting = HashSet::new();
    for id in prompt.keys() {
        sig(id, prompt, shared, &mut memo, &mut visiting);
    }
    memo
}

/// The server's execution list: nodes are discovered from the outputs through their uncached
/// inputs; among the nodes whose inputs are ready, output nodes go first, then nodes feeding
/// an output, then nodes two links away from one, then discovery order.
struct Plan {
    pending: IndexMap<String, ()>,
    waiting_on: HashMap<String, HashSet<String>>,
    blocks: HashMap<String, Vec<String>>,
}

impl Plan {
    fn new(prompt: &Map<String, Value>, outputs: &[String], cached: &HashSet<String>) -> Plan {
        let mut plan = Plan {
            pending: IndexMap::new(),
            waiting_on: HashMap::new(),
            blocks: HashMap::new(),
        };
        for o in outputs {
            plan.add(prompt, o, cached);
        }
        plan
    }

    fn add(&mut self, prompt: &Map<String, Value>, id: &str, cached: &HashSet<String>) {
        if self.pending.contains_key(id) || !prompt.contains_key(id) {
            return;
        }
        self.pending.insert(id.to_string(), ());
        self.waiting_on.entry(id.to_string()).or_default();
        let mut sources = Vec::new();
        for v in inputs_of(prompt, id).into_iter().flat_map(|i| i.values()) {
            if let Some((src, _)) = link(prompt, v)
                && !cached.contains(src)
            {
                self.waiting_on
                    .entry(id.to_string())
                    .or_default()
                    .insert(src.to_string());
                self.blocks
                    .entry(src.to_string())
                    .or_default()
                    .push(id.to_string());
                sources.push(src.to_string());
            }
        }
        for src in sources {
            self.add(prompt, &src, cached);
        }
    }

    fn next(&self, is_output: impl Fn(&str) -> bool) -> Option<String> {
        let available: Vec<&String> = self
            .pending
            .keys()
            .filter(|k| self.waiting_on.get(*k).is_none_or(HashSet::is_empty))
            .collect();
        let blocked = |id: &str| self.blocks.get(id).map(Vec::as_slice).unwrap_or(&[]);
        available
            .iter()
            .find(|id| is_output(id))
            .or_else(|| {
                available
                    .iter()
                    .find(|id| blocked(id).iter().any(|b| is_output(b)))
            })
            .or_else(|| {
                available.iter().find(|id| {
                    blocked(id)
                        .iter()
                        .any(|b| blocked(b).iter().any(|b2| is_output(b2)))
                })
            })
            .or(available.first())
            .map(|s| s.to_string())
    }

    fn done(&mut self, id: &str) {
        self.pending.shift_remove(id);
        for b in self.blocks.get(id).into_iter().flatten() {
            if let Some(w) = self.waiting_on.get_mut(b) {
                w.remove(id);
            }
        }
    }
}

/// One job being executed.
struct Job<'s> {
    shared: &'s Shared,
    item: QueueItem,
    prompt: Map<String, Value>,
    epoch: u64,
    messages: Vec<Value>,
    /// `progress_state.nodes`: every node that started in this job, in start order.
    progress: Map<String, Value>,
    executed: Vec<String>,
    ui_outputs: Map<String, Value>,
    meta: Map<String, Value>,
    values: HashMap<String, Vec<Val>>,
    sigs: HashMap<String, u64>,
    new_cache: Cache,
    dropped_sockets: bool,
}

impl<'s> Job<'s> {
    fn new(shared: &'s Shared, item: QueueItem, epoch: u64) -> Job<'s> {
        let prompt = item.prompt.as_object().cloned().unwrap_or_default();
        Job {
            shared,
            item,
            prompt,
            epoch,
            messages: Vec::new(),
            progress: Map::new(),
            executed: Vec::new(),
            ui_outputs: Map::new(),
            meta: Map::new(),
            values: HashMap::new(),
            sigs: HashMap::new(),
            new_cache: Cache::new(),
            dropped_sockets: false,
        }
    }

    /// The state, unless a restart happened since this job started (then the job is a ghost
    /// whose effects must not reach the new state).
    fn with_state(&self, f: impl FnOnce(&mut State)) {
        let mut st = self.shared.lock();
        if self.shared.epoch.load(Ordering::SeqCst) == self.epoch {
            f(&mut st);
        }
    }

    fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Where a message goes: the prompt's client, or every socket for messages the server
    /// broadcasts when the prompt has no client (`None` here: not sent at all).
    fn target(&self, broadcast_without_client: bool) -> Option<Option<String>> {
        match &self.item.client {
            Client::Id(s) => Some(Some(s.clone())),
            Client::None if broadcast_without_client => Some(None),
            Client::None | Client::Unroutable => None,
        }
    }

    fn emit(&self, event: &str, data: Value, broadcast_without_client: bool) {
        if let Some(to) = self.target(broadcast_without_client) {
            self.with_state(|st| st.send_json(event, data, to.as_deref()));
        }
    }

    fn emit_binary(&self, bytes: &[u8], broadcast_without_client: bool) {
        if let Some(to) = self.target(broadcast_without_client) {
            self.with_state(|st| st.send_binary(bytes, to.as_deref()));
        }
    }

    /// A message that is also recorded in history's `status.messages`.
    fn add_message(&mut self, event: &str, mut data: Value, broadcast: bool) {
        data["timestamp"] = now_ms().into();
        self.messages.push(json!([event, data]));
        self.emit(event, data, broadcast);
    }

    fn set_progress(&mut self, node: &str, value: Value, max: Value, state: &str) {
        let pid = self.item.prompt_id.clone();
        self.progress.insert(
            node.to_string(),
            json!({
                "value": value, "max": max, "state": state, "node_id": node, "prompt_id": pid,
                "display_node_id": node, "parent_node_id": null, "real_node_id": node,
            }),
        );
        let data = json!({"prompt_id": pid, "nodes": self.progress});
        self.emit("progress_state", data, true);
        self.maybe_drop_sockets();
    }

    /// The injected "connection lost mid-job": once per job, after its first progress message.
    fn maybe_drop_sockets(&mut self) {
        if !self.dropped_sockets && self.faults().ws_drop_mid_job {
            self.dropped_sockets = true;
            self.with_state(State::close_all_sockets);
        }
    }

    /// One progress step, with its preview: a type-4 frame before the `progress` message when
    /// the client negotiated metadata, else a type-1 frame after it.
    fn progress_step(
        &mut self,
        node: &str,
        value: u64,
        max: u64,
        preview: Option<(Vec<u8>, bool)>,
    ) {
        self.set_progress(node, value.into(), max.into(), "running");
        let metadata = {
            let st = self.shared.lock();
            st.wants_metadata(&self.item.client)
        };
        let pid = self.item.prompt_id.clone();
        if let Some((bytes, png)) = &preview
            && metadata
        {
            let meta = pyjson::dumps(&json!({
                "node_id": node, "prompt_id": pid, "display_node_id": node,
                "parent_node_id": null, "real_node_id": node,
                "image_type": if *png { "image/png" } else { "image/jpeg" },
            }));
            let mut frame = 4u32.to_be_bytes().to_vec();
            frame.extend_from_slice(&(meta.len() as u32).to_be_bytes());
            frame.extend_from_slice(meta.as_bytes());
            frame.extend_from_slice(bytes);
            self.emit_binary(&frame, true);
        }
        self.emit(
            "progress",
            json!({"value": value, "max": max, "prompt_id": pid, "node": node}),
            true,
        );
        if let Some((bytes, png)) = &preview
            && !metadata
        {
            let mut frame = 1u32.to_be_bytes().to_vec();
            frame.extend_from_slice(&(if *png { 2u32 } else { 1u32 }).to_be_bytes());
            frame.extend_from_slice(bytes);
            self.emit_binary(&frame, true);
        }
    }

    fn interrupted(&self) -> bool {
        // Raising clears the flag, as the server's check does.
        self.shared.interrupt.swap(false, Ordering::SeqCst)
    }

    async fn run(mut self) {
        // An interrupt that arrived while idle is forgotten when a job starts.
        self.shared.interrupt.store(false, Ordering::SeqCst);
        let pid = self.item.prompt_id.clone();
        if self.faults().garbage_ws_frames {
            // Truncated JSON, then a binary event type no client knows.
            if let Some(to) = self.target(true) {
                self.with_state(|st| {
                    st.send(
                        || Out::Text("{\"type\": \"status\", \"data\": {".into()),
                        to.as_deref(),
                    );
                    st.send_binary(&[0, 0, 0, 99, 0, 0, 0, 0, 0xde, 0xad], to.as_deref());
                });
            }
        }
        self.add_message("execution_start", json!({"prompt_id": pid}), false);
        self.sigs = signatures(&self.prompt, self.shared);
        let cached: Vec<String> = {
            let st = self.shared.lock();
            self.prompt
                .keys()
                .filter(|id| st.cache.contains_key(&self.sigs[*id]))
                .cloned()
                .collect()
        };
        {
            let st = self.shared.lock();
            for id in &cached {
                if let Some(c) = st.cache.get(&self.sigs[id]) {
                    self.values.insert(id.clone(), c.outputs.clone());
                }
            }
        }
        self.add_message(
            "execution_cached",
            json!({"nodes": cached, "prompt_id": pid}),
            false,
        );

        let outcome = self.run_nodes(&cached.iter().cloned().collect()).await;
        let (status_str, completed) = match outcome {
            Ok(()) => {
                self.add_message("execution_success", json!({"prompt_id": pid}), false);
                ("success", true)
            }
            Err(Stop::Error {
                node,
                failure,
                inputs,
            }) => {
                let data = json!({
                    "prompt_id": pid,
                    "node_id": node,
                    "node_type": class_of(&self.prompt, &node),
                    "executed": self.executed,
                    "exception_message": format!("{}\n", failure.message),
                    "exception_type": failure.exception_type,
                    "traceback": traceback(&self.shared.dirs.root, class_of(&self.prompt, &node)),
                    "current_inputs": inputs,
                    "current_outputs": self.prompt.keys().collect::<Vec<_>>(),
                });
                self.add_message("execution_error", data, false);
                ("error", false)
            }
            Err(Stop::Interrupted { node }) => {
                let data = json!({
                    "prompt_id": pid,
                    "node_id": node,
                    "node_type": class_of(&self.prompt, &node),
                    "executed": self.executed,
                });
                self.add_message("execution_interrupted", data, true);
                ("error", false)
            }
        };
        self.finish(status_str, completed);
    }

    /// History, cache, queue status, and the final `executing {node: null}`.
    fn finish(mut self, status_str: &str, completed: bool) {
        let entry = json!({
            "prompt": self.item.history_tuple(),
            "outputs": self.ui_outputs,
            "status": {"status_str": status_str, "completed": completed, "messages": self.messages},
            "meta": self.meta,
        });
        let keep: HashSet<u64> = self.sigs.values().copied().collect();
        let new_cache = std::mem::take(&mut self.new_cache);
        let pid = self.item.prompt_id.clone();
        let seq = self.item.seq;
        let target = self.target(false);
        self.with_state(|st| {
            st.record_history(&pid, entry);
            // Like the server's cache: entries of nodes no longer in the prompt go, this job's
            // results come in. `/free` during the job empties it afterwards.
            st.cache.retain(|k, _| keep.contains(k));
            st.cache.extend(new_cache);
            if std::mem::take(&mut st.free_pending) {
                st.cache.clear();
            }
            st.running = None;
            st.broadcast_status();
            if let Some(to) = &target {
                st.send_json(
                    "executing",
                    json!({"node": null, "prompt_id": pid}),
                    to.as_deref(),
                );
            }
            if let Some(waiter) = st.waiters.remove(&seq) {
                let _ = waiter.send(());
            }
        });
    }

    async fn run_nodes(&mut self, cached: &HashSet<String>) -> Result<(), Stop> {
        let mut plan = Plan::new(&self.prompt, &self.item.outputs, cached);
        let output_nodes: HashSet<String> = self
            .prompt
            .keys()
            .filter(|id| {
                self.shared
                    .catalog()
                    .get(class_of(&self.prompt, id))
                    .is_some_and(|d| d.output_node)
            })
            .cloned()
            .collect();
        while let Some(id) = plan.next(|id| output_nodes.contains(id)) {
            if cached.contains(&id) {
                self.replay_cached(&id);
            } else {
                self.execute_node(&id).await?;
            }
            self.executed.push(id.clone());
            plan.done(&id);
        }
        Ok(())
    }

    /// A cached output node: no `executing`; its cached `ui` is sent again.
    fn replay_cached(&mut self, id: &str) {
        let ui = {
            let st = self.shared.lock();
            st.cache.get(&self.sigs[id]).and_then(|c| c.ui.clone())
        };
        if let Some(ui) = ui {
            self.report_ui(id, ui);
            self.set_progress(id, 1.into(), 1.into(), "finished");
        }
    }

    /// `executed` (client only) and the history's `outputs` / `meta`.
    fn report_ui(&mut self, id: &str, ui: Value) {
        let pid = self.item.prompt_id.clone();
        self.emit(
            "executed",
            json!({"node": id, "display_node": id, "output": ui, "prompt_id": pid}),
            false,
        );
        self.ui_outputs.insert(id.to_string(), ui);
        self.meta.insert(
            id.to_string(),
            json!({"node_id": id, "display_node": id, "parent_node": null, "real_node_id": id}),
        );
    }

    async fn execute_node(&mut self, id: &str) -> Result<(), Stop> {
        let class = class_of(&self.prompt, id).to_string();
        let pid = self.item.prompt_id.clone();
        self.set_progress(
            id,
            pyjson::float_value(0.0),
            pyjson::float_value(1.0),
            "running",
        );
        let target = self.target(false);
        self.with_state(|st| {
            if let Some(r) = st.running.as_mut() {
                r.node = Some(id.to_string());
            }
            if let Some(to) = &target {
                st.send_json(
                    "executing",
                    json!({"node": id, "display_node": id, "prompt_id": pid}),
                    to.as_deref(),
                );
            }
        });
        // The server checks for an interrupt when a node starts, after announcing it.
        if self.interrupted() {
            return Err(Stop::Interrupted { node: id.into() });
        }
        let inputs = self.resolve_inputs(id);
        let shown_inputs: Map<String, Value> = inputs
            .iter()
            .map(|(k, v)| (k.clone(), json!([v.describe()])))
            .collect();
        let faults = self.faults();
        let fail = |failure: Failure| Stop::Error {
            node: id.into(),
            failure,
            inputs: shown_inputs.clone(),
        };
        if faults.fails(&class) {
            return Err(fail(Failure {
                message: format!("comfywire-emulator: injected failure in {class} (node {id})"),
                exception_type: "RuntimeError".into(),
            }));
        }
        let def = self.shared.catalog().get(&class);
        let result = evaluate(&class, def, &inputs, &self.shared.dirs).map_err(&fail)?;
        let duration = Duration::from_millis(faults.duration_ms(id, &class));

        let mut finished_at: (Value, Value) = (pyjson::float_value(1.0), pyjson::float_value(1.0));
        if is_sampler(&class) {
            let steps = sampler_steps(&inputs, faults.steps);
            let latent = result.outputs.first().and_then(img_of).unwrap_or_default();
            for step in 1..=steps {
                sleep(duration / steps as u32).await;
                if self.interrupted() {
                    return Err(Stop::Interrupted { node: id.into() });
                }
                let preview = self.faults().previews.then(|| {
                    // Latent previews are small JPEGs that brighten as sampling goes.
                    let (w, h) = capped(latent.width / 8, latent.height / 8);
                    let lift = |c: u8| (c as u64 * step / steps) as u8;
                    (solid_jpeg(w, h, latent.rgb.map(lift)), false)
                });
                self.progress_step(id, step, steps, preview);
            }
            finished_at = (steps.into(), steps.into());
        } else if let Effect::WebsocketImages(img) = &result.effect {
            // SaveImageWebsocket: one PNG frame per image, progress 0..n-1 (never n/n).
            let n = img.batch.max(1);
            let (w, h) = capped(img.width, img.height);
            for i in 0..n {
                sleep(duration / n as u32).await;
                if self.interrupted() {
                    return Err(Stop::Interrupted { node: id.into() });
                }
                self.progress_step(id, i, n, Some((solid_png(w, h, img.rgb), true)));
            }
            finished_at = (n.into(), n.into());
        } else {
            sleep(duration).await;
        }
        if let Some(text) = &result.progress_text {
            // Type-3 text frames go to every socket.
            let mut frame = 3u32.to_be_bytes().to_vec();
            frame.extend_from_slice(&(id.len() as u32).to_be_bytes());
            frame.extend_from_slice(id.as_bytes());
            frame.extend_from_slice(text.as_bytes());
            self.with_state(|st| st.send_binary(&frame, None));
        }
        let ui = self.write_outputs(&result.effect).map_err(&fail)?;
        if let Some(ui) = &ui {
            self.report_ui(id, ui.clone());
        }
        self.set_progress(id, finished_at.0, finished_at.1, "finished");
        self.new_cache.insert(
            self.sigs[id],
            CachedNode {
                outputs: result.outputs.clone(),
                ui,
            },
        );
        self.values.insert(id.to_string(), result.outputs);
        Ok(())
    }

    /// Literal inputs as given, links as the upstream node's output.
    fn resolve_inputs(&self, id: &str) -> IndexMap<String, Input> {
        inputs_of(&self.prompt, id)
            .into_iter()
            .flatten()
            .map(|(name, v)| {
                let input = match link(&self.prompt, v) {
                    Some((src, idx)) => Input::Linked(
                        self.values
                            .get(src)
                            .and_then(|outs| outs.get(idx))
                            .cloned()
                            .unwrap_or_else(|| Val::Opaque("*".into())),
                    ),
                    None => Input::Literal(v.clone()),
                };
                (name.clone(), input)
            })
            .collect()
    }

    /// Writes the files of an output node and returns its `ui`.
    fn write_outputs(&self, effect: &Effect) -> Result<Option<Value>, Failure> {
        let dirs = &self.shared.dirs;
        let ui = match effect {
            Effect::None | Effect::WebsocketImages(_) => return Ok(None),
            Effect::Text(text) => json!({"text": [text]}),
            Effect::SaveImages { images, prefix } => {
                let files =
                    self.save_pngs(&dirs.output(), prefix, images, "output", images.batch)?;
                json!({"images": files})
            }
            Effect::AnimatedPng { images, prefix } => {
                let files = self.save_pngs(&dirs.output(), prefix, images, "output", 1)?;
                json!({"images": files, "animated": [true]})
            }
            Effect::PreviewImages(images) => {
                // PreviewImage saves to temp/ under a random 5-letter suffix.
                let suffix: String = uuid::Uuid::new_v4()
                    .as_bytes()
                    .iter()
                    .take(5)
                    .map(|b| (b'a' + b % 26) as char)
                    .collect();
                let prefix = format!("ComfyUI_temp_{suffix}");
                let files = self.save_pngs(&dirs.temp(), &prefix, images, "temp", images.batch)?;
                json!({"images": files})
            }
        };
        Ok(Some(ui))
    }

    /// `count` PNGs named like the server's (`prefix_00001_.png` …), with the prompt and
    /// `extra_pnginfo` in text chunks.
    fn save_pngs(
        &self,
        root: &std::path::Path,
        prefix: &str,
        images: &Img,
        kind: &str,
        count: u64,
    ) -> Result<Vec<Value>, Failure> {
        let target = save_path(root, prefix).map_err(|message| Failure {
            message,
            exception_type: "Exception".into(),
        })?;
        std::fs::create_dir_all(&target.folder).map_err(io_failure)?;
        let (w, h) = capped(images.width, images.height);
        let png = solid_png(w, h, images.rgb);
        let mut texts = vec![("prompt".to_string(), pyjson::dumps(&self.item.prompt))];
        if let Some(info) = self
            .item
            .extra_data
            .get("extra_pnginfo")
            .and_then(Value::as_object)
        {
            texts.extend(info.iter().map(|(k, v)| (k.clone(), pyjson::dumps(v))));
        }
        let entries: Vec<(&str, &str)> = texts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        // A key the PNG format cannot hold (too long, NUL) is left out rather than failing.
        let png = comfywire::media::write_png_text(&png, &entries).unwrap_or(png);
        let mut files = Vec::new();
        for i in 0..count.clamp(1, 4096) {
            let name = format!("{}_{:05}_.png", target.base, target.counter + i);
            std::fs::write(target.folder.join(&name), &png).map_err(io_failure)?;
            files.push(json!({"filename": name, "subfolder": target.subfolder, "type": kind}));
        }
        Ok(files)
    }
}

fn io_failure(e: std::io::Error) -> Failure {
    Failure {
        message: e.to_string(),
        exception_type: "OSError".into(),
    }
}

fn img_of(v: &Val) -> Option<Img> {
    match v {
        Val::Image(i) | Val::Mask(i) | Val::Latent(i) => Some(*i),
        _ => None,
    }
}

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

/// A traceback shaped like the server's: its frames through `execution.py` (the 0.3.64 line
/// numbers), then the node's own, with paths under the emulator's root as the server's are under
/// its install folder. Clients print it, so its shape matters, not its content.
fn traceback(root: &std::path::Path, class: &str) -> Value {
    let execution = root.join("execution.py");
    let execution = execution.display();
    let node_file = root.join("nodes.py");
    json!([
        format!(
            "  File \"{execution}\", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n"
        ),
        format!(
            "  File \"{execution}\", line 315, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n"
        ),
        format!(
            "  File \"{execution}\", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n"
        ),
        format!(
            "  File \"{execution}\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n"
        ),
        format!(
            "  File \"{}\", line 1, in {class}\n    raise EmulatedFailure()  # comfywire-emulator\n",
            node_file.display()
        ),
    ])
}
