//! The ComfyUI protocol without I/O (in the manner of quinn-proto): [`Endpoint`] builds every
//! request as data, [`response`] parses every answer, [`ws`] decodes socket messages, and
//! [`JobTracker`] follows jobs from the messages, answers and the time it is given, and
//! [`Session`] is a whole client around it (jobs, their events, the socket's reconnects,
//! closing, timers). Transports (reqwest + tokio-tungstenite natively, fetch + WebSocket in
//! browsers) only move bytes and keep the clock.

pub mod driver;
pub mod endpoint;
pub mod explain;
pub mod hosted;
pub mod job;
pub mod pool;
pub mod request;
pub mod response;
pub mod secrets;
pub mod session;
pub mod ws;

pub use endpoint::{Endpoint, FileRef, QueueOptions, UploadKind};
pub use hosted::{HostedEndpoint, TaskInfo, TaskStatus};
pub use job::{
    Action, CancelPlan, JobEvent, JobResult, JobTracker, LOST_RECHECK_MS, Outcome,
    QUEUE_REFRESH_MS, ServerStop, TrackerConfig,
};
pub use pool::{Standing, pick_server};
pub use request::{Body, HttpRequest, HttpResponse, MAX_BODY_BYTES, Method, body_too_large};
pub use response::{HistoryEntry, OutputFile, PromptAccepted, QueueItem, QueueState};
pub use session::{Frame, NextEvent, RequestId, Session, SessionConfig, Transmit, uuid_v4};
pub use ws::{PreviewMeta, ServerMessage};

#[cfg(test)]
mod tests;
