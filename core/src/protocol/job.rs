//! Following jobs to the end, without I/O: fed with WebSocket messages, HTTP answers and the
//! current time, it says what happened (events) and what to ask the server next (actions).
//!
//! Jobs are watched *before* they are submitted (the client picks the prompt id), so a job that
//! finishes before the submit call returns is not missed. Events of several jobs on one socket
//! are told apart by prompt id. After a reconnect or a silence the tracker asks for
//! `GET /history/{id}`, where `{}` means "not known yet", never "done"; a job that is neither in
//! the history nor in the queue was lost (the server restarted).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::hosted::{TaskInfo, TaskStatus};
use super::response::{HistoryEntry, QueueState};
use super::ws::ServerMessage;

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Success,
    /// `execution_error`: its payload (`node_id`, `node_type`, `exception_message`, `traceback`…).
    Failed {
        error: Value,
    },
    /// Interrupted by someone else.
    Interrupted {
        data: Value,
    },
    /// Stopped because this client cancelled it.
    Cancelled,
    /// `POST /prompt` refused it (the server's `error` and `node_errors`).
    Rejected {
        error: Value,
        node_errors: Value,
    },
    /// Neither queued nor in the history any more: the server restarted.
    Lost,
    /// The deadline passed first.
    TimedOut,
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Success => "SUCCESS",
            Outcome::Failed { .. } => "EXECUTION_ERROR",
            Outcome::Interrupted { .. } => "INTERRUPTED",
            Outcome::Cancelled => "CANCELLED",
            Outcome::Rejected { .. } => "PROMPT_REJECTED",
            Outcome::Lost => "JOB_LOST",
            Outcome::TimedOut => "TIMEOUT",
        }
    }
}

/// What a finished job produced.
#[derive(Debug, Clone, PartialEq)]
pub struct JobResult {
    pub prompt_id: String,
    pub outcome: Outcome,
    /// Node id → its `ui` output (`{"images": [...]}`…). Previews are never here.
    pub outputs: Map<String, Value>,
    /// The `node_errors` the server accepted the prompt with: outputs it dropped because they
    /// failed validation while others passed (ComfyUI's partial acceptance); `None` otherwise.
    pub dropped: Option<Box<Map<String, Value>>>,
    /// For a job whose deadline passed: whether the server confirmed stopping it.
    pub server_stop: ServerStop,
}

/// Whether the server confirmed stopping a job the client gave up on (its deadline passed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerStop {
    /// No stop was requested for this job (it did not time out, or it is too old to be
    /// remembered).
    #[default]
    NotRequested,
    /// The requests that stop it are not all answered (yet, or within the session's wait).
    Pending,
    /// Every stop request was answered with a 2xx status.
    Confirmed,
    /// A stop request failed or was refused: the job may still run on the server.
    Unconfirmed,
}

impl ServerStop {
    /// The name JavaScript and the CLI's JSON use; `None` when no stop was requested.
    pub fn code(self) -> Option<&'static str> {
        match self {
            ServerStop::NotRequested => None,
            ServerStop::Pending => Some("unanswered"),
            ServerStop::Confirmed => Some("confirmed"),
            ServerStop::Unconfirmed => Some("refused"),
        }
    }
}

impl JobResult {
    /// The result of a job whose end this client cannot know.
    pub fn lost(prompt_id: &str) -> JobResult {
        JobResult {
            prompt_id: prompt_id.to_string(),
            outcome: Outcome::Lost,
            outputs: Map::new(),
            dropped: None,
            server_stop: ServerStop::NotRequested,
        }
    }

    /// The output nodes partial acceptance dropped (each error's `dependent_outputs`), in order.
    pub fn dropped_outputs(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for node in self.dropped.iter().flat_map(|d| d.values()) {
            for id in node
                .get("dependent_outputs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = id.as_str().map_or_else(|| id.to_string(), str::to_string);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }
}

/// Something that happened to a job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// Position in the queue: 0 running, 1 next…
    Queued {
        position: usize,
    },
    Started,
    Cached {
        nodes: Vec<String>,
    },
    NodeStarted {
        node: String,
    },
    /// `overall` runs from 0 to 1 over the nodes the job executes.
    Progress {
        node: Option<String>,
        value: f64,
        max: f64,
        overall: f64,
    },
    Preview {
        node: Option<String>,
        mime: String,
        image: Vec<u8>,
    },
    Output {
        node: String,
        output: Value,
    },
    Text {
        node: String,
        text: String,
    },
    Finished(JobResult),
}

/// A request the driver should make and feed back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    FetchHistory {
        prompt_id: String,
    },
    FetchQueue,
    /// Hosted profile: ask `get_task_info` about these tasks.
    FetchTaskInfo {
        prompt_ids: Vec<String>,
    },
}

/// How the driver should cancel a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelPlan {
    /// Running: `POST /interrupt {"prompt_id"}` (never a global interrupt).
    Interrupt,
    /// Waiting: `POST /queue {"delete": [id]}`, then [`JobTracker::dequeued`].
    Dequeue,
    /// Already over (or unknown).
    Nothing,
}

/// Queue positions are refreshed at most this often: a burst of submissions or of `status`
/// messages (three per job on a busy server) would otherwise cost one `GET /queue` each, a
/// load on the server that grows with the square of the jobs waiting.
pub const QUEUE_REFRESH_MS: u64 = 250;

/// How long after a job went missing from both the history and the queue the history is asked
/// again before the job counts as lost. ComfyUI moves a job from the queue to the history in
/// one step, so the question must be asked after the queue answered; the margin keeps an older,
/// slow history answer (sent while the job still ran) from being taken for the new one.
pub const LOST_RECHECK_MS: u64 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LostCheck {
    None,
    /// Ask the history at this time.
    Due(u64),
    /// Asked: a `{}` now means lost.
    Asked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Submitting,
    Queued,
    Running,
}

#[derive(Debug, Clone)]
struct Job {
    phase: Phase,
    total_nodes: usize,
    done: HashSet<String>,
    current: Option<String>,
    outputs: Map<String, Value>,
    deadline: Option<u64>,
    last_activity: u64,
    /// Events may have been missed (reconnect): the history decides the end.
    gap: bool,
    history_asked: Option<u64>,
    /// The history answered `{}` since the last activity.
    unknown_to_history: bool,
    /// Neither in the history nor, afterwards, in the queue: finished in between, or lost.
    /// The history is asked again once `LOST_RECHECK_MS` have passed; `{}` then means lost.
    lost_check: LostCheck,
    position: Option<usize>,
    cancel_requested: bool,
    /// Node errors of a partial acceptance (see [`JobResult::dropped`]).
    dropped: Option<Box<Map<String, Value>>>,
}

/// Timing of the tracker's questions to the server.
#[derive(Debug, Clone, Copy)]
pub struct TrackerConfig {
    /// Ask the history about a job the socket has been silent about for this long.
    pub silence_ms: u64,
    /// The hosted task-API profile ([`super::hosted`]): no socket, the tracker asks
    /// `get_task_info` this often and is fed with [`JobTracker::on_task_info`].
    pub task_poll_ms: Option<u64>,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            silence_ms: 15_000,
            task_poll_ms: None,
        }
    }
}

impl TrackerConfig {
    /// Following jobs of a hosted task API, polled every `poll_ms`.
    pub fn hosted(poll_ms: u64) -> Self {
        TrackerConfig {
            task_poll_ms: Some(poll_ms.max(1)),
            ..TrackerConfig::default()
        }
    }
}

/// Follows every job of one client (one socket).
#[derive(Debug, Default)]
pub struct JobTracker {
    config: TrackerConfig,
    jobs: IndexMap<String, Job>,
    /// The job whose node is executing now (previews of type 1 carry no prompt id).
    running: Option<String>,
    actions: Vec<Action>,
    connected_before: bool,
    /// When positions were last asked for (`GET /queue`), and whether a refresh waits.
    queue_refreshed_at: Option<u64>,
    queue_refresh_due: bool,
    /// Our prompt id → the one the server ran the job under, when it did not keep ours.
    assigned: HashMap<String, String>,
}

type Events = Vec<(String, JobEvent)>;

impl JobTracker {
    pub fn new(config: TrackerConfig) -> Self {
        JobTracker {
            config,
            ..JobTracker::default()
        }
    }

    /// Starts following `prompt_id` before it is submitted. `total_nodes` is the number of nodes
    /// the prompt runs (for the overall percentage); `deadline` is an absolute time in ms.
    pub fn watch(&mut self, prompt_id: &str, total_nodes: usize, now: u64, deadline: Option<u64>) {
        self.jobs.insert(
            prompt_id.to_string(),
            Job {
                phase: Phase::Submitting,
                total_nodes: total_nodes.max(1),
                done: HashSet::new(),
                current: None,
                outputs: Map::new(),
                deadline,
                last_activity: now,
                gap: false,
                history_asked: None,
                dropped: None,
                unknown_to_history: false,
                lost_check: LostCheck::None,
                position: None,
                cancel_requested: false,
            },
        );
    }

    /// `POST /prompt` accepted the job.
    /// The server accepted the prompt but dropped outputs whose nodes failed validation.
    pub fn accepted_with_errors(&mut self, prompt_id: &str, node_errors: &Value) {
        let errors = node_errors.as_object().filter(|e| !e.is_empty());
        if let (Some(job), Some(errors)) = (self.jobs.get_mut(prompt_id), errors) {
            job.dropped = Some(Box::new(errors.clone()));
        }
    }

    pub fn submitted(&mut self, prompt_id: &str, now: u64) {
        if let Some(job) = self.jobs.get_mut(prompt_id) {
            if job.phase == Phase::Submitting {
                job.phase = Phase::Queued;
            }
            job.last_activity = now;
        }
        if self.config.task_poll_ms.is_some() {
            self.actions.push(Action::FetchTaskInfo {
                prompt_ids: vec![prompt_id.to_string()],
            });
        } else {
            self.refresh_queue(now);
        }
    }

    /// Asks for the queue now, or once [`QUEUE_REFRESH_MS`] have passed since the last time.
    fn refresh_queue(&mut self, now: u64) {
        match self.queue_refreshed_at {
            Some(at) if now.saturating_sub(at) < QUEUE_REFRESH_MS => self.queue_refresh_due = true,
            _ => {
                self.queue_refreshed_at = Some(now);
                self.queue_refresh_due = false;
                self.actions.push(Action::FetchQueue);
            }
        }
    }

    /// `POST /prompt` refused the job: it ends here.
    pub fn rejected(&mut self, prompt_id: &str, error: Value, node_errors: Value) -> Events {
        self.finish(prompt_id, Outcome::Rejected { error, node_errors })
    }

    /// The server accepted `ours` under another id: follow the job by that one from now on
    /// (messages, history and cancels speak the server's id; results keep ours).
    pub fn reassigned(&mut self, ours: &str, theirs: &str) {
        if ours != theirs && self.jobs.contains_key(ours) {
            self.assigned.insert(ours.to_string(), theirs.to_string());
        }
    }

    /// The id the server knows our job by.
    pub fn server_id<'a>(&'a self, ours: &'a str) -> &'a str {
        self.assigned.get(ours).map_or(ours, String::as_str)
    }

    /// Our id of a job the server names `theirs`.
    fn ours(&self, theirs: &str) -> String {
        self.assigned
            .iter()
            .find(|(_, t)| t.as_str() == theirs)
            .map_or_else(|| theirs.to_string(), |(o, _)| o.clone())
    }

    /// Stops following a job without an outcome (its submission failed in transport).
    pub fn forget(&mut self, prompt_id: &str) {
        self.assigned.remove(prompt_id);
        self.jobs.shift_remove(prompt_id);
        if self.running.as_deref() == Some(prompt_id) {
            self.running = None;
        }
    }

    pub fn is_watching(&self, prompt_id: &str) -> bool {
        self.jobs.contains_key(prompt_id)
    }

    pub fn unfinished(&self) -> impl Iterator<Item = &str> {
        self.jobs.keys().map(String::as_str)
    }

    /// Ends every job still followed with `outcome`, in the order they were watched: the
    /// client closed, or the server stayed unreachable for the whole reconnect window.
    pub fn end_all(&mut self, outcome: &Outcome) -> Events {
        let ids: Vec<String> = self.jobs.keys().cloned().collect();
        ids.iter()
            .flat_map(|id| self.finish(id, outcome.clone()))
            .collect()
    }

    /// How to cancel `prompt_id` so that only this job stops.
    pub fn cancel(&mut self, prompt_id: &str) -> CancelPlan {
        let Some(job) = self.jobs.get_mut(prompt_id) else {
            return CancelPlan::Nothing;
        };
        job.cancel_requested = true;
        match job.phase {
            Phase::Running => CancelPlan::Interrupt,
            Phase::Queued | Phase::Submitting => CancelPlan::Dequeue,
        }
    }

    /// The job was removed from the queue before it ran.
    pub fn dequeued(&mut self, prompt_id: &str) -> Events {
        match self.jobs.get(prompt_id) {
            Some(job) if job.phase != Phase::Running => self.finish(prompt_id, Outcome::Cancelled),
            // It started meanwhile: the interrupt path will end it.
            _ => Vec::new(),
        }
    }

    /// Actions to perform now (the tracker never does I/O itself).
    pub fn take_actions(&mut self) -> Vec<Action> {
        let mut seen = HashSet::new();
        let actions = std::mem::take(&mut self.actions);
        actions
            .into_iter()
            .map(|a| match a {
                Action::FetchHistory { prompt_id } => Action::FetchHistory {
                    prompt_id: self.server_id(&prompt_id).to_string(),
                },
                other => other,
            })
            .filter(|a| seen.insert(a.clone()))
            .collect()
    }

    /// A socket (re)connected. After a reconnect every unfinished job may have missed events.
    pub fn connected(&mut self, now: u64) {
        if self.connected_before {
            for (id, job) in &mut self.jobs {
                job.gap = true;
                job.last_activity = now;
                self.actions.push(Action::FetchHistory {
                    prompt_id: id.clone(),
                });
            }
        }
        self.connected_before = true;
    }

    fn finish(&mut self, prompt_id: &str, outcome: Outcome) -> Events {
        let Some(job) = self.jobs.shift_remove(prompt_id) else {
            return Vec::new();
        };
        self.assigned.remove(prompt_id);
        if self.running.as_deref() == Some(prompt_id) {
            self.running = None;
        }
        let outcome = match outcome {
            Outcome::Interrupted { .. } if job.cancel_requested => Outcome::Cancelled,
            // Gone from the queue without a trace after we asked to remove it: our removal,
            // seen through a queue check that overtook the answer to it.
            Outcome::Lost if job.cancel_requested => Outcome::Cancelled,
            other => other,
        };
        vec![(
            prompt_id.to_string(),
            JobEvent::Finished(JobResult {
                prompt_id: prompt_id.to_string(),
                outcome,
                outputs: job.outputs,
                dropped: job.dropped,
                server_stop: ServerStop::NotRequested,
            }),
        )]
    }

    fn overall(job: &Job, fraction: f64) -> f64 {
        ((job.done.len() as f64 + fraction) / job.total_nodes as f64).clamp(0.0, 1.0)
    }

    /// Feeds one server message.
    pub fn on_message(&mut self, message: &ServerMessage, now: u64) -> Events {
        // Messages without a prompt id (reconnect `executing`, type-1 previews, text) belong to
        // the job that is running, if it is ours.
        let id = message
            .prompt_id()
            .map(|theirs| self.ours(theirs))
            .or_else(|| self.running.clone());
        if let ServerMessage::Status { .. } = message {
            if self.jobs.values().any(|j| j.phase == Phase::Queued) {
                self.refresh_queue(now);
            }
            return Vec::new();
        }
        let Some(id) = id.filter(|id| self.jobs.contains_key(id)) else {
            return Vec::new();
        };
        let job = self.jobs.get_mut(&id).expect("checked above");
        job.last_activity = now;
        job.unknown_to_history = false;
        job.lost_check = LostCheck::None;
        let mut out = Vec::new();
        match message {
            ServerMessage::ExecutionStart { .. } => {
                job.phase = Phase::Running;
                self.running = Some(id.clone());
                out.push((id.clone(), JobEvent::Started));
            }
            ServerMessage::ExecutionCached { nodes, .. } => {
                job.done.extend(nodes.iter().cloned());
                out.push((
                    id.clone(),
                    JobEvent::Cached {
                        nodes: nodes.clone(),
                    },
                ));
            }
            ServerMessage::Executing {
                node: Some(node), ..
            } => {
                job.phase = Phase::Running;
                self.running = Some(id.clone());
                if let Some(previous) = job.current.replace(node.clone()) {
                    job.done.insert(previous);
                }
                out.push((id.clone(), JobEvent::NodeStarted { node: node.clone() }));
            }
            ServerMessage::Executing { node: None, .. } => {
                if job.gap {
                    // The end is certain, the outputs may be incomplete: the history has them all.
                    self.actions.push(Action::FetchHistory {
                        prompt_id: id.clone(),
                    });
                    job.phase = Phase::Running;
                } else {
                    return self.finish(&id, Outcome::Success);
                }
            }
            ServerMessage::Progress {
                node, value, max, ..
            } => {
                let fraction = if *max > 0.0 { value / max } else { 0.0 };
                let overall = Self::overall(job, fraction);
                out.push((
                    id.clone(),
                    JobEvent::Progress {
                        node: node.clone(),
                        value: *value,
                        max: *max,
                        overall,
                    },
                ));
            }
            ServerMessage::ProgressState { nodes, .. } => {
                for (node, state) in nodes.as_object().into_iter().flatten() {
                    if state.get("state").and_then(Value::as_str) == Some("finished") {
                        job.done.insert(node.clone());
                    }
                }
            }
            ServerMessage::Executed { node, output, .. } => {
                job.outputs.insert(node.clone(), output.clone());
                out.push((
                    id.clone(),
                    JobEvent::Output {
                        node: node.clone(),
                        output: output.clone(),
                    },
                ));
            }
            ServerMessage::ExecutionSuccess { .. } => {}
            ServerMessage::ExecutionError { data, .. } => {
                return self.finish(
                    &id,
                    Outcome::Failed {
                        error: data.clone(),
                    },
                );
            }
            ServerMessage::ExecutionInterrupted { data, .. } => {
                return self.finish(&id, Outcome::Interrupted { data: data.clone() });
            }
            ServerMessage::Preview { mime, image, meta } => {
                let node = meta
                    .as_ref()
                    .and_then(|m| m.node_id.clone())
                    .or_else(|| job.current.clone());
                out.push((
                    id.clone(),
                    JobEvent::Preview {
                        node,
                        mime: mime.clone(),
                        image: image.clone(),
                    },
                ));
            }
            ServerMessage::Text { node_id, text } => {
                out.push((
                    id.clone(),
                    JobEvent::Text {
                        node: node_id.clone(),
                        text: text.clone(),
                    },
                ));
            }
            ServerMessage::Status { .. }
            | ServerMessage::FeatureFlags(_)
            | ServerMessage::Other { .. } => {}
        }
        out
    }

    /// Feeds the answer to `GET /history/{prompt_id}`.
    pub fn on_history(&mut self, prompt_id: &str, entries: &[HistoryEntry], now: u64) -> Events {
        // `prompt_id` is the one the request named: the server's.
        let ours = self.ours(prompt_id);
        let prompt_id = ours.as_str();
        let theirs = self.server_id(prompt_id).to_string();
        let Some(job) = self.jobs.get_mut(prompt_id) else {
            return Vec::new();
        };
        job.history_asked = Some(now);
        let Some(entry) = entries.iter().find(|e| e.prompt_id == theirs) else {
            if job.lost_check == LostCheck::Asked {
                return self.finish(prompt_id, Outcome::Lost);
            }
            // `{}`: not finished (or lost): the queue tells which.
            job.unknown_to_history = true;
            self.actions.push(Action::FetchQueue);
            return Vec::new();
        };
        // Outputs the socket did not report (a gap, a job over before it was seen, a socket
        // slower than HTTP) are reported now, so `output` events are never missed either.
        let mut events: Events = entry
            .outputs
            .iter()
            .filter(|(node, _)| !job.outputs.contains_key(*node))
            .map(|(node, output)| {
                let event = JobEvent::Output {
                    node: node.clone(),
                    output: output.clone(),
                };
                (prompt_id.to_string(), event)
            })
            .collect();
        job.outputs = entry.outputs.clone();
        let outcome = if let Some(error) = entry.error() {
            Outcome::Failed {
                error: error.clone(),
            }
        } else if entry.was_interrupted() {
            let data = entry
                .messages
                .iter()
                .find(|(e, _)| e == "execution_interrupted")
                .map(|(_, d)| d.clone())
                .unwrap_or(Value::Null);
            Outcome::Interrupted { data }
        } else if entry.status_str == "success" || entry.completed {
            Outcome::Success
        } else {
            Outcome::Failed {
                error: Value::String(format!("history status `{}`", entry.status_str)),
            }
        };
        events.extend(self.finish(prompt_id, outcome));
        events
    }

    /// Feeds the answer to `GET /queue`: positions, and lost jobs.
    pub fn on_queue(&mut self, queue: &QueueState, now: u64) -> Events {
        let mut out = Vec::new();
        let assigned = &self.assigned;
        for (id, job) in &mut self.jobs {
            match queue.position(assigned.get(id).unwrap_or(id)) {
                Some(position) => {
                    job.unknown_to_history = false;
                    job.lost_check = LostCheck::None;
                    if job.position != Some(position) && job.phase != Phase::Running {
                        job.position = Some(position);
                        out.push((id.clone(), JobEvent::Queued { position }));
                    }
                }
                None if job.phase == Phase::Submitting => {}
                // Unknown to the history a moment ago, not queued now: it may have finished in
                // between. Only the history, asked after this answer, can tell.
                None if job.unknown_to_history => {
                    if job.lost_check == LostCheck::None {
                        job.lost_check = LostCheck::Due(now.saturating_add(LOST_RECHECK_MS));
                    }
                }
                // Not queued: finished (ask the history) or lost.
                None => self.actions.push(Action::FetchHistory {
                    prompt_id: id.clone(),
                }),
            }
        }
        out
    }

    /// Hosted profile: feeds a `get_task_info` answer.
    pub fn on_task_info(&mut self, tasks: &[TaskInfo], now: u64) -> Events {
        let mut out = Vec::new();
        for task in tasks {
            let id = task.task_id.as_str();
            let Some(job) = self.jobs.get_mut(id) else {
                continue;
            };
            job.history_asked = Some(now);
            match task.status {
                TaskStatus::Queued => {
                    job.phase = Phase::Queued;
                    let position = usize::try_from(task.current_position).unwrap_or(usize::MAX);
                    if job.position != Some(position) {
                        job.position = Some(position);
                        out.push((id.to_string(), JobEvent::Queued { position }));
                    }
                }
                TaskStatus::Running => {
                    if job.phase != Phase::Running {
                        job.phase = Phase::Running;
                        job.last_activity = now;
                        out.push((id.to_string(), JobEvent::Started));
                    }
                }
                TaskStatus::Done => {
                    job.outputs = task.outputs();
                    out.extend(self.finish(id, Outcome::Success));
                }
                TaskStatus::Failed => {
                    let error = serde_json::json!({
                        "exception_message": task.error_message,
                        "status": task.status.code(),
                    });
                    out.extend(self.finish(id, Outcome::Failed { error }));
                }
                TaskStatus::Forbidden => {
                    let error = serde_json::json!({
                        "type": "permission_denied",
                        "message": "Permission denied",
                        "details": task.error_message,
                        "extra_info": { "status": task.status.code() },
                    });
                    let node_errors = Value::Object(Map::new());
                    out.extend(self.finish(id, Outcome::Rejected { error, node_errors }));
                }
            }
        }
        out
    }

    /// Timers: deadlines end jobs; silent jobs are checked against the history.
    pub fn poll(&mut self, now: u64) -> Events {
        let expired: Vec<String> = self
            .jobs
            .iter()
            .filter(|(_, j)| j.deadline.is_some_and(|d| now >= d))
            .map(|(id, _)| id.clone())
            .collect();
        let mut out = Vec::new();
        for id in expired {
            out.extend(self.finish(&id, Outcome::TimedOut));
        }
        if let Some(every) = self.config.task_poll_ms {
            let mut due = Vec::new();
            for (id, job) in &mut self.jobs {
                let last = job.history_asked.unwrap_or(job.last_activity);
                if job.phase != Phase::Submitting && now.saturating_sub(last) >= every {
                    job.history_asked = Some(now);
                    due.push(id.clone());
                }
            }
            if !due.is_empty() {
                self.actions.push(Action::FetchTaskInfo { prompt_ids: due });
            }
            return out;
        }
        if self.queue_refresh_due {
            if self.jobs.is_empty() {
                self.queue_refresh_due = false;
            } else {
                self.refresh_queue(now);
            }
        }
        for (id, job) in &mut self.jobs {
            if let LostCheck::Due(at) = job.lost_check
                && now >= at
            {
                job.lost_check = LostCheck::Asked;
                job.history_asked = Some(now);
                self.actions.push(Action::FetchHistory {
                    prompt_id: id.clone(),
                });
            }
        }
        let config = self.config;
        for (id, job) in &mut self.jobs {
            let silence = Self::silence_for(&config, job);
            let quiet = now.saturating_sub(job.last_activity) >= silence;
            let asked_recently = job
                .history_asked
                .is_some_and(|t| now.saturating_sub(t) < silence);
            if quiet && !asked_recently && job.phase != Phase::Submitting {
                job.history_asked = Some(now);
                self.actions.push(Action::FetchHistory {
                    prompt_id: id.clone(),
                });
            }
        }
        out
    }

    /// How long a job may be quiet before the history is asked about it. After a reconnect
    /// (`gap`) the socket may never speak of it again (the server restarted and forgot it, or
    /// the job ended while the socket was down), so the history is asked again every
    /// [`LOST_RECHECK_MS`] while it stays quiet, not only after the usual silence.
    fn silence_for(config: &TrackerConfig, job: &Job) -> u64 {
        if job.gap {
            LOST_RECHECK_MS.min(config.silence_ms)
        } else {
            config.silence_ms
        }
    }

    /// When the tracker next needs [`JobTracker::poll`] (earliest deadline or silence check).
    pub fn next_wakeup(&self) -> Option<u64> {
        self.jobs
            .values()
            .flat_map(|j| {
                [
                    j.deadline,
                    match j.lost_check {
                        LostCheck::Due(at) => Some(at),
                        _ => None,
                    },
                    // Saturating: a clock near `u64::MAX` must not overflow (found by fuzzing).
                    Some(
                        j.last_activity
                            .max(j.history_asked.unwrap_or(0))
                            .saturating_add(
                                self.config
                                    .task_poll_ms
                                    .unwrap_or_else(|| Self::silence_for(&self.config, j)),
                            ),
                    ),
                ]
            })
            .flatten()
            .chain(
                self.queue_refreshed_at
                    .filter(|_| self.queue_refresh_due && !self.jobs.is_empty())
                    .map(|at| at.saturating_add(QUEUE_REFRESH_MS)),
            )
            .min()
    }
}
