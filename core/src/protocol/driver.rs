//! The glue between [`JobTracker`] and the wire: which request answers an [`Action`], how each
//! answer is fed back, what cancelling or abandoning a job sends. [`super::Session`] is built on
//! these; transports do not call them.

use super::endpoint::Endpoint;
use super::hosted::{self, HostedEndpoint};
use super::job::{Action, CancelPlan, JobEvent, JobTracker};
use super::request::{HttpRequest, HttpResponse};
use super::response::{self, PromptAccepted};
use crate::error::{Error, Result};

type Events = Vec<(String, JobEvent)>;

/// How long download URLs of hosted tasks stay valid when the tracker asks about them.
const HOSTED_URL_EXPIRE_SECS: u64 = 3600;

/// The request that answers `action` on a ComfyUI server (`None` for hosted-only actions).
pub fn request_for(endpoint: &Endpoint, action: &Action) -> Option<HttpRequest> {
    match action {
        Action::FetchHistory { prompt_id } => Some(endpoint.history(Some(prompt_id), None, None)),
        Action::FetchQueue => Some(endpoint.queue()),
        Action::FetchTaskInfo { .. } => None,
    }
}

/// The request that answers `action` on a hosted task API.
pub fn hosted_request_for(endpoint: &HostedEndpoint, action: &Action) -> Option<HttpRequest> {
    match action {
        Action::FetchTaskInfo { prompt_ids } => {
            Some(endpoint.task_info(prompt_ids, HOSTED_URL_EXPIRE_SECS))
        }
        _ => None,
    }
}

/// Feeds the answer to `action` back. An answer that cannot be parsed is dropped: the tracker's
/// silence timer asks again, and its deadline still holds.
pub fn feed(tracker: &mut JobTracker, action: &Action, answer: &HttpResponse, now: u64) -> Events {
    match action {
        Action::FetchHistory { prompt_id } => match response::history_response(answer) {
            Ok(entries) => tracker.on_history(prompt_id, &entries, now),
            Err(_) => Vec::new(),
        },
        Action::FetchQueue => match response::queue_response(answer) {
            Ok(queue) => tracker.on_queue(&queue, now),
            Err(_) => Vec::new(),
        },
        Action::FetchTaskInfo { .. } => match hosted::task_info_response(answer) {
            Ok(tasks) => tracker.on_task_info(&tasks, now),
            Err(_) => Vec::new(),
        },
    }
}

/// Feeds the answer to `POST /prompt` for a watched job. A refusal ends the job (its `Finished`
/// event carries the server's errors) and is also returned; a transport or server failure
/// stops watching and is returned as the error.
pub fn submit_answer(
    tracker: &mut JobTracker,
    prompt_id: &str,
    answer: Result<HttpResponse>,
    now: u64,
) -> (Events, Result<PromptAccepted>) {
    match answer.and_then(|r| response::prompt_response(&r)) {
        Ok(accepted) => {
            // A server that ignored our prompt id runs the job under its own: follow that one.
            tracker.reassigned(prompt_id, &accepted.prompt_id);
            tracker.submitted(prompt_id, now);
            tracker.accepted_with_errors(prompt_id, &accepted.node_errors);
            (Vec::new(), Ok(accepted))
        }
        Err(Error::PromptRejected {
            status,
            error,
            node_errors,
        }) => {
            let events = tracker.rejected(prompt_id, (*error).clone(), (*node_errors).clone());
            let err = Error::PromptRejected {
                status,
                error,
                node_errors,
            };
            (events, Err(err))
        }
        Err(other) => {
            tracker.forget(prompt_id);
            (Vec::new(), Err(other))
        }
    }
}

/// The requests that cancel `prompt_id` and nothing else, in order. For a waiting job the
/// removal is followed by a targeted interrupt, in case it started in between; then call
/// [`JobTracker::dequeued`].
pub fn cancel_requests(endpoint: &Endpoint, plan: CancelPlan, prompt_id: &str) -> Vec<HttpRequest> {
    match plan {
        CancelPlan::Interrupt => vec![endpoint.interrupt(Some(prompt_id))],
        CancelPlan::Dequeue => vec![
            endpoint.delete_queued(&[prompt_id.to_string()]),
            endpoint.interrupt(Some(prompt_id)),
        ],
        CancelPlan::Nothing => Vec::new(),
    }
}

/// What to send when the client gives up on a job (deadline passed): the server should not go on
/// spending time on it. Only that job is touched.
pub fn abandon_requests(endpoint: &Endpoint, prompt_id: &str) -> Vec<HttpRequest> {
    cancel_requests(endpoint, CancelPlan::Dequeue, prompt_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TrackerConfig;

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn submit_answers_drive_the_tracker() {
        let mut t = JobTracker::new(TrackerConfig::default());
        t.watch("a", 1, 0, None);
        let (events, ok) = submit_answer(
            &mut t,
            "a",
            Ok(answer(
                200,
                r#"{"prompt_id":"a","number":3,"node_errors":{}}"#,
            )),
            1,
        );
        assert!(events.is_empty() && ok.is_ok());
        assert_eq!(t.take_actions(), vec![Action::FetchQueue]);

        t.watch("b", 1, 0, None);
        let (events, err) = submit_answer(
            &mut t,
            "b",
            Ok(answer(
                400,
                r#"{"error":{"type":"prompt_no_outputs"},"node_errors":{}}"#,
            )),
            1,
        );
        assert_eq!(err.unwrap_err().code(), "PROMPT_REJECTED");
        assert!(
            matches!(&events[0].1, JobEvent::Finished(r) if r.outcome.code() == "PROMPT_REJECTED")
        );

        t.watch("c", 1, 0, None);
        let (_, err) = submit_answer(&mut t, "c", Ok(answer(500, "oops")), 1);
        assert_eq!(err.unwrap_err().code(), "HTTP_STATUS");
        assert!(!t.is_watching("c"));
    }

    #[test]
    fn cancel_touches_only_that_job() {
        let ep = Endpoint::new("http://127.0.0.1:8188", "me").unwrap();
        let reqs = cancel_requests(&ep, CancelPlan::Interrupt, "p1");
        assert_eq!(reqs.len(), 1);
        assert_eq!(
            reqs[0].body,
            super::super::Body::Json(serde_json::json!({"prompt_id": "p1"}))
        );
        let reqs = abandon_requests(&ep, "p1");
        assert!(reqs[0].url.ends_with("/queue"));
        assert_eq!(
            reqs[0].body,
            super::super::Body::Json(serde_json::json!({"delete": ["p1"]}))
        );
        assert!(cancel_requests(&ep, CancelPlan::Nothing, "p1").is_empty());
    }

    #[test]
    fn garbage_answers_are_dropped() {
        let mut t = JobTracker::new(TrackerConfig::default());
        t.watch("a", 1, 0, None);
        let action = Action::FetchHistory {
            prompt_id: "a".into(),
        };
        assert!(feed(&mut t, &action, &answer(200, "not json"), 5).is_empty());
        assert!(t.is_watching("a"));
    }
}
