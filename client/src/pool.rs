//! Several servers as one: a job goes to a server whose catalog has every node class (and every
//! model the prompt names) and whose queue is shortest; its uploads go to that same server.

use comfywire::protocol::{FileRef, JobEvent, JobResult, Standing, UploadKind, pick_server};
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
    /// Connects to every server and reads its catalog. A server that cannot be reached is left
    /// out; none reachable is `NO_SERVER` with each one's reason.
    pub async fn connect(configs: Vec<ClientConfig>) -> Result<Pool, Error> {
        let mut members = Vec::with_capacity(configs.len());
        let mut reasons = Vec::new();
        for config in configs {
            let server = config.server.clone();
            let joined = async {
                let client = Client::connect(config).await?;
                let catalog = client.object_info(None).await?;
                Ok::<_, Error>(Member { client, catalog })
            };
            match joined.await {
                Ok(member) => members.push(member),
                Err(err) => reasons.push(format!("{server}: {err}")),
            }
        }
        if members.is_empty() {
            return Err(Error::NoServer { reasons });
        }
        Ok(Pool { members })
    }

    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.members.iter().map(|m| &m.client)
    }

    /// Why server `index` cannot run `prompt`, if it cannot: a missing class, or a model file
    /// its catalog does not list.
    pub fn incapable(&self, index: usize, prompt: &Prompt) -> Option<String> {
        comfywire::js::incapable(&self.members.get(index)?.catalog, prompt)
    }

    /// The server to run `prompt` on, chosen by the core's [`pick_server`] (the rule the
    /// JavaScript pool uses too).
    pub async fn pick(&self, prompt: &Prompt) -> Result<usize, Error> {
        let mut standings = Vec::with_capacity(self.members.len());
        for (index, member) in self.members.iter().enumerate() {
            let standing = match self.incapable(index, prompt) {
                Some(why) => Standing::Incapable(why),
                None => match member.client.queue().await {
                    Ok(queue) => Standing::Load(queue.running.len() + queue.pending.len()),
                    Err(err) => Standing::Unreachable(err.to_string()),
                },
            };
            standings.push((member.client.endpoint().base_url().to_string(), standing, 0));
        }
        pick_server(&standings)
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
