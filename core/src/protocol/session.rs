//! One client's whole session without I/O, in quinn-proto's manner: the [`Session`] owns every
//! decision (which requests to send, which socket message belongs to which job, how many events
//! to keep, when to reconnect and when to give up, when to wake up), and a driver owns only the
//! bytes and the clock. A driver's loop is:
//!
//! 1. send every [`Session::poll_transmit`] and hand each answer to [`Session::on_response`];
//! 2. open the socket when [`Session::poll_connect`] says so, report [`Session::socket_opened`]
//!    (with the server's first frame), every frame ([`Session::on_frame`]) and
//!    [`Session::socket_lost`];
//! 3. sleep until [`Session::poll_timeout`] (no deadline: sleep until the next call into the
//!    session), then call [`Session::handle_timeout`];
//! 4. hand each job's events out with [`Session::next_event`].
//!
//! Time is milliseconds on any monotonic clock the driver chooses; randomness (prompt ids,
//! reconnect jitter) is passed in, so a test replays a session exactly.

use std::collections::{HashMap, VecDeque};

use indexmap::IndexMap;

use super::driver;
use super::endpoint::{Endpoint, QueueOptions};
use super::hosted::HostedEndpoint;
use super::job::{Action, JobEvent, JobResult, JobTracker, Outcome, ServerStop, TrackerConfig};
use super::request::{HttpRequest, HttpResponse};
use super::response::PromptAccepted;
use super::ws::{self, ServerMessage};
use crate::error::{Error, Result};
use crate::prompt::Prompt;

/// How patient a session is, and how much it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    /// Ask the history about a job the socket has been silent about for this long.
    pub silence_ms: u64,
    /// The first reconnect waits up to this long; each further one up to twice as long.
    pub reconnect_min_ms: u64,
    /// No reconnect waits longer than this.
    pub reconnect_max_ms: u64,
    /// A socket down for this long ends every open job as `JOB_LOST`: the server is gone.
    /// The session keeps reconnecting afterwards, for the jobs to come.
    pub reconnect_window_ms: u64,
    /// Unread events kept per job (see [`Session::next_event`] for what goes first).
    pub job_event_capacity: usize,
    /// Unread server messages kept for [`Session::next_message`]; the oldest go first.
    pub message_capacity: usize,
    /// A job whose deadline passed ends once the server has answered the requests that stop
    /// it, or after this long: its result then says whether the server confirmed the stop.
    pub stop_answer_wait_ms: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            silence_ms: 15_000,
            reconnect_min_ms: 200,
            reconnect_max_ms: 10_000,
            reconnect_window_ms: 60_000,
            job_event_capacity: 1024,
            message_capacity: 1024,
            stop_answer_wait_ms: 2_000,
        }
    }
}

/// A data frame of the socket, as the transport received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

/// Names one request of [`Session::poll_transmit`], to hand its answer back.
pub type RequestId = u64;

/// A request the session wants sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Transmit {
    pub id: RequestId,
    pub request: HttpRequest,
}

/// What [`Session::next_event`] has for a job.
#[derive(Debug, Clone, PartialEq)]
// Each event is moved out once, straight to its reader: boxing it would cost more than the size.
#[allow(clippy::large_enum_variant)]
pub enum NextEvent {
    Event(JobEvent),
    /// Nothing yet: wait for the session to change.
    Pending,
    /// The job's `finished` event was handed out (or the job is unknown).
    End,
}

#[derive(Debug, Clone, PartialEq)]
enum Purpose {
    Action(Action),
    /// Stopping a job the session gave up on (its deadline passed): answers change nothing
    /// but [`Session::server_stop`].
    Abandon(String),
}

/// How many stopped jobs [`Session::server_stop`] remembers.
const STOPS_REMEMBERED: usize = 256;

/// The stop requests of one job whose deadline passed.
#[derive(Debug)]
struct Stop {
    prompt_id: String,
    unanswered: usize,
    all_accepted: bool,
    /// The job's end, held back until the stop is answered or `release_at` passes.
    held: Option<JobResult>,
    release_at: u64,
}

impl Stop {
    fn state(&self) -> ServerStop {
        if self.unanswered > 0 {
            ServerStop::Pending
        } else if self.all_accepted {
            ServerStop::Confirmed
        } else {
            ServerStop::Unconfirmed
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Before the first [`Session::socket_opened`].
    Initial,
    Open,
    /// Down since `since`; the next attempt is due at `retry_at`.
    Down {
        since: u64,
        attempt: u32,
        retry_at: u64,
    },
    /// An attempt is under way.
    Opening {
        since: u64,
        attempt: u32,
    },
    Closed,
}

#[derive(Debug, Default)]
struct Buffer {
    events: VecDeque<JobEvent>,
    dropped: u64,
}

#[derive(Debug)]
enum Server {
    Comfy(Endpoint),
    Hosted(HostedEndpoint),
}

/// One client of one server: its socket's state, its jobs, their events, its requests.
#[derive(Debug)]
pub struct Session {
    server: Server,
    config: SessionConfig,
    tracker: JobTracker,
    buffers: IndexMap<String, Buffer>,
    transmits: VecDeque<Transmit>,
    in_flight: HashMap<RequestId, Purpose>,
    stops: VecDeque<Stop>,
    next_request: RequestId,
    link: Link,
    messages: Option<VecDeque<ServerMessage>>,
    /// The latest time a driver passed in (for events routed by calls that take none).
    clock: u64,
}

/// A UUID v4 made of 16 random bytes (client and prompt ids).
pub fn uuid_v4(bytes: [u8; 16]) -> String {
    let mut b = bytes;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Exponential backoff with full jitter: attempt `n` waits between `min` and `min·2ⁿ` (at most
/// `max`), `jitter` in `[0, 1)` choosing where, so a restarted server is not stormed.
pub fn reconnect_delay(config: &SessionConfig, attempt: u32, jitter: f64) -> u64 {
    let min = config.reconnect_min_ms;
    let ceiling = min
        .saturating_mul(1u64 << attempt.min(16))
        .min(config.reconnect_max_ms.max(min));
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    min + ((ceiling - min) as f64 * jitter) as u64
}

impl Session {
    /// A session with a ComfyUI server (one WebSocket, many jobs).
    pub fn new(endpoint: Endpoint, config: SessionConfig) -> Session {
        let tracker = JobTracker::new(TrackerConfig {
            silence_ms: config.silence_ms,
            ..TrackerConfig::default()
        });
        Session::with(Server::Comfy(endpoint), tracker, config)
    }

    /// A session with a hosted task API (no socket: tasks are polled every `poll_ms`).
    pub fn hosted(endpoint: HostedEndpoint, poll_ms: u64, config: SessionConfig) -> Session {
        let tracker = JobTracker::new(TrackerConfig::hosted(poll_ms));
        let mut session = Session::with(Server::Hosted(endpoint), tracker, config);
        session.link = Link::Open;
        session
    }

    fn with(server: Server, tracker: JobTracker, config: SessionConfig) -> Session {
        Session {
            server,
            config,
            tracker,
            buffers: IndexMap::new(),
            transmits: VecDeque::new(),
            in_flight: HashMap::new(),
            stops: VecDeque::new(),
            next_request: 0,
            link: Link::Initial,
            messages: None,
            clock: 0,
        }
    }

    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The ComfyUI endpoint (`None` for a hosted session).
    pub fn endpoint(&self) -> Option<&Endpoint> {
        match &self.server {
            Server::Comfy(endpoint) => Some(endpoint),
            Server::Hosted(_) => None,
        }
    }

    pub fn is_closed(&self) -> bool {
        self.link == Link::Closed
    }

    /// Jobs followed and not yet finished.
    pub fn open_jobs(&self) -> usize {
        self.tracker.unfinished().count()
    }

    /// Events the overflow rule dropped from a job's buffer so far.
    pub fn dropped_events(&self, prompt_id: &str) -> u64 {
        self.buffers.get(prompt_id).map_or(0, |b| b.dropped)
    }

    // ---- the socket -------------------------------------------------------------------

    /// The socket's URL and the headers to open it with.
    pub fn socket_target(&self) -> Option<(String, &[(String, String)])> {
        self.endpoint().map(|e| (e.ws_url(), e.headers()))
    }

    /// The first text to send on a new socket.
    pub fn hello(&self) -> String {
        ws::feature_flags_message()
    }

    /// The socket is open and the server has spoken (`first`, its first frame) or the
    /// first-message wait passed (`None`).
    pub fn socket_opened(&mut self, now: u64, first: Option<Frame<'_>>) {
        self.tick(now);
        if self.link == Link::Closed {
            return;
        }
        self.link = Link::Open;
        self.tracker.connected(now);
        if let Some(frame) = first {
            self.on_frame(frame, now);
        }
        self.queue_actions();
    }

    /// The socket closed, failed, or could not be opened; `jitter` in `[0, 1)` places the
    /// next attempt within the backoff window.
    pub fn socket_lost(&mut self, now: u64, jitter: f64) {
        let (since, attempt) = match self.link {
            Link::Closed => return,
            Link::Down { .. } => return,
            Link::Initial | Link::Open => (now, 0),
            Link::Opening { since, attempt } => (since, attempt.saturating_add(1)),
        };
        let retry_at = now.saturating_add(reconnect_delay(&self.config, attempt, jitter));
        self.link = Link::Down {
            since,
            attempt,
            retry_at,
        };
    }

    /// Whether the driver should try to open the socket now (it then reports
    /// [`Session::socket_opened`] or [`Session::socket_lost`]).
    pub fn poll_connect(&mut self, now: u64) -> bool {
        match self.link {
            Link::Down {
                since,
                attempt,
                retry_at,
            } if now >= retry_at => {
                self.link = Link::Opening { since, attempt };
                true
            }
            _ => false,
        }
    }

    /// A frame from the server. A garbage frame is skipped, not fatal: the history still
    /// tells how jobs end.
    pub fn on_frame(&mut self, frame: Frame<'_>, now: u64) {
        let message = match frame {
            Frame::Text(text) => ServerMessage::from_text(text),
            Frame::Binary(bytes) => ServerMessage::from_binary(bytes),
        };
        if let Ok(message) = message {
            self.on_message(message, now);
        }
    }

    fn on_message(&mut self, message: ServerMessage, now: u64) {
        self.tick(now);
        if self.link == Link::Closed {
            return;
        }
        let events = self.tracker.on_message(&message, now);
        if let Some(backlog) = &mut self.messages {
            if backlog.len() >= self.config.message_capacity.max(1) {
                backlog.pop_front();
            }
            backlog.push_back(message);
        }
        self.route(events);
    }

    // ---- server messages for the caller -------------------------------------------------

    /// Starts keeping server messages for [`Session::next_message`] (from now on).
    pub fn watch_messages(&mut self) {
        self.messages.get_or_insert_with(VecDeque::new);
    }

    pub fn is_watching_messages(&self) -> bool {
        self.messages.is_some()
    }

    /// The oldest unread server message; `None` when there is none yet (or nobody watches).
    pub fn next_message(&mut self) -> Option<ServerMessage> {
        self.messages.as_mut()?.pop_front()
    }

    // ---- jobs ---------------------------------------------------------------------------

    /// Starts a job: it is followed from now on (so a job that ends before `POST /prompt`
    /// answers is still seen), and the request returned submits it. Hand the answer to
    /// [`Session::end_submit`]. `entropy` makes the prompt id when `queue` names none.
    pub fn begin_submit(
        &mut self,
        prompt: &Prompt,
        queue: &QueueOptions,
        timeout_ms: Option<u64>,
        now: u64,
        entropy: [u8; 16],
    ) -> Result<(String, HttpRequest)> {
        self.check_open()?;
        let Server::Comfy(endpoint) = &self.server else {
            return Err(Error::InvalidArgument {
                name: "prompt".into(),
                message: "a hosted session submits stored workflows (track_task)".into(),
            });
        };
        let prompt_id = queue.prompt_id.clone().unwrap_or_else(|| uuid_v4(entropy));
        if self.tracker.is_watching(&prompt_id) || self.buffers.contains_key(&prompt_id) {
            // Two jobs under one id would share one event stream and one end.
            return Err(Error::InvalidArgument {
                name: "promptId".into(),
                message: format!("prompt id `{prompt_id}` is already in use by this client"),
            });
        }
        let queue = QueueOptions {
            prompt_id: Some(prompt_id.clone()),
            ..queue.clone()
        };
        let request = endpoint.queue_prompt(prompt, &queue);
        let deadline = timeout_ms.map(|t| now.saturating_add(t));
        self.tracker
            .watch(&prompt_id, prompt.nodes.len(), now, deadline);
        self.buffers.insert(prompt_id.clone(), Buffer::default());
        Ok((prompt_id, request))
    }

    /// The answer to [`Session::begin_submit`]'s request. On a refusal or a failure the job
    /// is not followed any more and the error says why (`PROMPT_REJECTED` carries the
    /// server's `node_errors`).
    pub fn end_submit(
        &mut self,
        prompt_id: &str,
        answer: Result<HttpResponse>,
        now: u64,
    ) -> Result<PromptAccepted> {
        self.tick(now);
        if self.link == Link::Closed {
            // Closed meanwhile: the job already ended as lost; the server may still run it.
            self.buffers.shift_remove(prompt_id);
            return Err(Error::ClientClosed);
        }
        let (events, result) = driver::submit_answer(&mut self.tracker, prompt_id, answer, now);
        self.route(events);
        if result.is_err() {
            self.buffers.shift_remove(prompt_id);
        }
        self.queue_actions();
        result
    }

    /// Hosted profile: follows a task the service accepted (its id is the service's).
    pub fn track_task(&mut self, task_id: &str, timeout_ms: Option<u64>, now: u64) -> Result<()> {
        self.check_open()?;
        let deadline = timeout_ms.map(|t| now.saturating_add(t));
        self.tracker.watch(task_id, 1, now, deadline);
        self.buffers.insert(task_id.to_string(), Buffer::default());
        self.tracker.submitted(task_id, now);
        self.queue_actions();
        Ok(())
    }

    /// The requests that cancel `prompt_id` and nothing else, to be sent in order; then call
    /// [`Session::cancel_sent`]. Empty when the job is over or not this session's.
    pub fn cancel(&mut self, prompt_id: &str) -> Vec<HttpRequest> {
        let plan = self.tracker.cancel(prompt_id);
        match &self.server {
            Server::Comfy(endpoint) => {
                driver::cancel_requests(endpoint, plan, self.tracker.server_id(prompt_id))
            }
            Server::Hosted(_) => Vec::new(),
        }
    }

    /// Every request of [`Session::cancel`] was answered with success.
    pub fn cancel_sent(&mut self, prompt_id: &str) {
        let events = self.tracker.dequeued(prompt_id);
        self.route(events);
    }

    /// A job's next event. The overflow rule, the same in every runtime: when a job's buffer
    /// holds [`SessionConfig::job_event_capacity`] unread events, the oldest preview is dropped
    /// first, then the oldest progress, then the oldest other event; `finished` is never
    /// dropped, and its result carries every output.
    pub fn next_event(&mut self, prompt_id: &str) -> NextEvent {
        let Some(buffer) = self.buffers.get_mut(prompt_id) else {
            return NextEvent::End;
        };
        match buffer.events.pop_front() {
            Some(event) => {
                if matches!(event, JobEvent::Finished(_)) {
                    self.buffers.shift_remove(prompt_id);
                }
                NextEvent::Event(event)
            }
            None => NextEvent::Pending,
        }
    }

    /// Nobody will read this job's events any more (its handle was dropped). It is still
    /// followed to its end, so a deadline still cancels it on the server.
    pub fn release(&mut self, prompt_id: &str) {
        self.buffers.shift_remove(prompt_id);
    }

    /// Closes the session: the socket is to be closed, and every open job ends now as
    /// `JOB_LOST` (the server may still run it; this client no longer follows it). Requests
    /// still to be sent (stopping abandoned jobs) stay in [`Session::poll_transmit`].
    pub fn close(&mut self) {
        if self.link == Link::Closed {
            return;
        }
        let events = self.tracker.end_all(&Outcome::Lost);
        self.route(events);
        // A closing client cannot wait for stop answers: held ends go out as they stand.
        self.release_stops(|_| true);
        self.link = Link::Closed;
        // What the tracker still wanted to ask is moot; stopping abandoned jobs is not.
        let in_flight = &mut self.in_flight;
        self.transmits.retain(|t| {
            let keep = matches!(in_flight.get(&t.id), Some(Purpose::Abandon(_)));
            if !keep {
                in_flight.remove(&t.id);
            }
            keep
        });
        self.messages = None;
    }

    fn check_open(&self) -> Result<()> {
        if self.link == Link::Closed {
            Err(Error::ClientClosed)
        } else {
            Ok(())
        }
    }

    // ---- requests and time ----------------------------------------------------------------

    /// The next request to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The answer (or the transport's failure) to a [`Transmit`]. A failed or unreadable
    /// answer is dropped: the tracker's silence timer asks again, and deadlines still hold.
    pub fn on_response(&mut self, id: RequestId, answer: Result<HttpResponse>, now: u64) {
        self.tick(now);
        let Some(purpose) = self.in_flight.remove(&id) else {
            return;
        };
        if let Purpose::Abandon(prompt_id) = &purpose {
            let ok = matches!(&answer, Ok(a) if (200..300).contains(&a.status));
            if let Some(stop) = self.stops.iter_mut().find(|s| &s.prompt_id == prompt_id) {
                stop.unanswered = stop.unanswered.saturating_sub(1);
                stop.all_accepted &= ok;
            }
            self.release_stops(|stop| stop.unanswered == 0);
            return;
        }
        if self.link == Link::Closed {
            return;
        }
        if let (Purpose::Action(action), Ok(answer)) = (purpose, answer) {
            let events = driver::feed(&mut self.tracker, &action, &answer, now);
            self.route(events);
            self.queue_actions();
        }
    }

    /// When the session next needs [`Session::handle_timeout`]; `None`: not until something
    /// else happens (an idle client sleeps).
    pub fn poll_timeout(&self) -> Option<u64> {
        let give_up = match self.link {
            Link::Down { since, .. } | Link::Opening { since, .. } if self.open_jobs() > 0 => {
                Some(since.saturating_add(self.config.reconnect_window_ms))
            }
            _ => None,
        };
        let retry = match self.link {
            Link::Down { retry_at, .. } => Some(retry_at),
            _ => None,
        };
        let tracker = match self.link {
            Link::Closed => None,
            _ => self.tracker.next_wakeup(),
        };
        let release = self
            .stops
            .iter()
            .filter(|s| s.held.is_some())
            .map(|s| s.release_at)
            .min();
        [give_up, retry, tracker, release]
            .into_iter()
            .flatten()
            .min()
    }

    /// Time passed: deadlines, silence checks, the reconnect window.
    pub fn handle_timeout(&mut self, now: u64) {
        self.tick(now);
        if self.link == Link::Closed {
            return;
        }
        self.release_stops(|stop| now >= stop.release_at);
        let events = self.tracker.poll(now);
        self.route(events);
        if let Link::Down { since, .. } | Link::Opening { since, .. } = self.link
            && now.saturating_sub(since) >= self.config.reconnect_window_ms
        {
            let events = self.tracker.end_all(&Outcome::Lost);
            self.route(events);
        }
        self.queue_actions();
    }

    fn push_transmit(&mut self, request: HttpRequest, purpose: Purpose) {
        let id = self.next_request;
        self.next_request += 1;
        self.in_flight.insert(id, purpose);
        self.transmits.push_back(Transmit { id, request });
    }

    /// Turns the tracker's questions into requests.
    fn queue_actions(&mut self) {
        for action in self.tracker.take_actions() {
            let request = match &self.server {
                Server::Comfy(endpoint) => driver::request_for(endpoint, &action),
                Server::Hosted(endpoint) => driver::hosted_request_for(endpoint, &action),
            };
            if let Some(request) = request {
                self.push_transmit(request, Purpose::Action(action));
            }
        }
    }

    fn tick(&mut self, now: u64) {
        self.clock = self.clock.max(now);
    }

    /// Files events under their jobs. A job whose deadline passed is also stopped on the
    /// server (only that job), and its end is held until the server answers (or
    /// [`SessionConfig::stop_answer_wait_ms`] passes), so its result can tell whether the job
    /// still runs there.
    fn route(&mut self, events: Vec<(String, JobEvent)>) {
        for (id, event) in events {
            let event = match (event, &self.server) {
                (JobEvent::Finished(result), Server::Comfy(endpoint))
                    if result.outcome == Outcome::TimedOut =>
                {
                    let requests = driver::abandon_requests(endpoint, &id);
                    if requests.is_empty() {
                        self.file(&id, JobEvent::Finished(result));
                        continue;
                    }
                    if self.stops.len() == STOPS_REMEMBERED
                        && let Some(oldest) = self.stops.pop_front()
                        && let Some(mut held) = oldest.held
                    {
                        held.server_stop = ServerStop::Pending;
                        self.file(&oldest.prompt_id, JobEvent::Finished(held));
                    }
                    let wait = self.config.stop_answer_wait_ms;
                    self.stops.push_back(Stop {
                        prompt_id: id.clone(),
                        unanswered: requests.len(),
                        all_accepted: true,
                        held: Some(result),
                        release_at: self.clock.saturating_add(wait),
                    });
                    for request in requests {
                        self.push_transmit(request, Purpose::Abandon(id.clone()));
                    }
                    if wait == 0 {
                        self.release_stops(|_| true);
                    }
                    continue;
                }
                (event, _) => event,
            };
            self.file(&id, event);
        }
    }

    /// Hands out the held ends of the stops `due` selects, each saying how its stop stands.
    fn release_stops(&mut self, due: impl Fn(&Stop) -> bool) {
        let mut released = Vec::new();
        for stop in self.stops.iter_mut().filter(|s| s.held.is_some() && due(s)) {
            let state = stop.state();
            if let Some(mut result) = stop.held.take() {
                result.server_stop = state;
                released.push((stop.prompt_id.clone(), result));
            }
        }
        for (id, result) in released {
            self.file(&id, JobEvent::Finished(result));
        }
    }

    /// Appends one event to its job's buffer (by the overflow rule); nobody reading: dropped.
    fn file(&mut self, id: &str, event: JobEvent) {
        let capacity = self.config.job_event_capacity.max(1);
        let Some(buffer) = self.buffers.get_mut(id) else {
            return;
        };
        if buffer.events.len() >= capacity && Self::drop_one(&mut buffer.events) {
            buffer.dropped += 1;
        }
        buffer.events.push_back(event);
    }

    /// The overflow rule of [`Session::next_event`]; false when only `finished` is left.
    fn drop_one(events: &mut VecDeque<JobEvent>) -> bool {
        let position = events
            .iter()
            .position(|e| matches!(e, JobEvent::Preview { .. }))
            .or_else(|| {
                events
                    .iter()
                    .position(|e| matches!(e, JobEvent::Progress { .. }))
            })
            .or_else(|| {
                events
                    .iter()
                    .position(|e| !matches!(e, JobEvent::Finished(_)))
            });
        position.and_then(|at| events.remove(at)).is_some()
    }

    /// Requests stopping abandoned jobs that are not answered yet: a driver that closes
    /// waits (boundedly) for these, so a timed-out job does not go on running on the server.
    pub fn abandons_pending(&self) -> usize {
        self.in_flight
            .values()
            .filter(|p| matches!(p, Purpose::Abandon(_)))
            .count()
    }

    /// Whether the server confirmed stopping a job whose deadline passed.
    pub fn server_stop(&self, prompt_id: &str) -> ServerStop {
        self.stops
            .iter()
            .rev()
            .find(|s| s.prompt_id == prompt_id)
            .map_or(ServerStop::NotRequested, Stop::state)
    }
}
