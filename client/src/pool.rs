//! Several servers as one: a job goes to a server whose catalog has every node class (and every
//! model the prompt names) and whose queue is shortest; its uploads go to that same server.

use comfywire::protocol::{FileRef, JobEvent, JobResult, UploadKind};
use comfywire::{Catalog, Error, Prompt};
use serde_json::Value;

use crate::{Client, ClientConfig, JobOptions};

/// One pooled server.
#[derive(Debug)]
struct Member {
    client: Client,
    catalog: Catalog,
}

/// A file to upload with a job, and the input that should name it.
#[derive(Debug, Clone)]
pub struct JobUpload {
    /// Selector of the input that receives the stored name (`load_image`, `#12.image`).
    pub selector: String,
    pub file_name: String,
    pub data: Vec<u8>,
}

/// Servers to route jobs to.
#[derive(Debug)]
pub struct Pool {
    members: Vec<Member>,
}

impl Pool {
    /// Connects to every server and reads its catalog (a server that cannot be reached fails the pool).
    pub async fn connect(configs: Vec<ClientConfig>) -> Result<Pool, Error> {
        let mut members = Vec::with_capacity(configs.len());
        for config in configs {
            let client = Client::connect(config).await?;
            let catalog = client.object_info(None).await?;
            members.push(Member { client, catalog });
        }
        Ok(Pool { members })
    }

    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.members.iter().map(|m| &m.client)
    }

    /// Why server `index` cannot run `prompt`, if it cannot: a missing class, or a model file
    /// its catalog does not list.
    pub fn incapable(&self, index: usize, prompt: &Prompt) -> Option<String> {
        comfywire::api::incapable(&self.members.get(index)?.catalog, prompt)
    }

    /// The capable server with the shortest queue (running + pending); ties go to the first.
    pub async fn pick(&self, prompt: &Prompt) -> Result<usize, Error> {
        let mut best: Option<(usize, usize)> = None;
        let mut reasons = Vec::new();
        for (index, member) in self.members.iter().enumerate() {
            if let Some(why) = self.incapable(index, prompt) {
                reasons.push(format!("{}: {why}", member.client.endpoint().ws_url()));
                continue;
            }
            let Ok(queue) = member.client.queue().await else {
                continue;
            };
            let load = queue.running.len() + queue.pending.len();
            if best.is_none_or(|(_, l)| load < l) {
                best = Some((index, load));
            }
        }
        best.map(|(i, _)| i).ok_or_else(|| Error::BadResponse {
            route: "/queue".into(),
            message: if reasons.is_empty() {
                "no server answered".into()
            } else {
                format!("no server can run this prompt: {}", reasons.join("; "))
            },
        })
    }

    /// Picks a server, uploads the job's files there, points the inputs at the stored names,
    /// and runs the job. Returns the server index and the result.
    pub async fn run(
        &self,
        prompt: &Prompt,
        uploads: Vec<JobUpload>,
        options: JobOptions,
        on_event: impl FnMut(&JobEvent),
    ) -> Result<(usize, JobResult), Error> {
        let index = self.pick(prompt).await?;
        let member = &self.members[index];
        let mut prompt = prompt.clone();
        let mut pairs = Vec::new();
        for upload in uploads {
            let stored: FileRef = member
                .client
                .upload(
                    &UploadKind::Image,
                    &upload.file_name,
                    upload.data,
                    "",
                    false,
                )
                .await?;
            let name = if stored.subfolder.is_empty() {
                stored.filename
            } else {
                format!("{}/{}", stored.subfolder, stored.filename)
            };
            pairs.push((upload.selector, Value::String(name)));
        }
        if let Some(issue) =
            comfywire::params::apply_overrides(&mut prompt, &member.catalog, &pairs)
                .into_iter()
                .next()
        {
            return Err(Error::InvalidSelector {
                selector: issue.selector,
                message: issue.message,
            });
        }
        let result = member.client.run(&prompt, options, on_event).await?;
        Ok((index, result))
    }
}
