// @stable-canvas/comfyui-client through its documented path: `new Client({api_host,
// WebSocket})`, `await client.connect()`, `await client.enqueue(prompt)` (queue + wait on the
// WebSocket + resolve output URLs). Node 20 has no global WebSocket, so `ws` is passed, as its
// README says. `submit` is enqueue split in its two public halves (`_enqueue_prompt`, then
// `waitForPromptWebSocket` with the default resolver) to learn the prompt id for `cancel`,
// which is `interrupt(promptId)` plus `deleteItem('queue', promptId)`.

import { builtins, Client, HttpError, PromptEnqueueError, PromptTimeoutError, WebSocketTimeoutError, WorkflowExecutionError } from '@stable-canvas/comfyui-client';
import WebSocket from 'ws';
import { failure, fileFromViewUrl, packageVersion } from './shared.mjs';

const VERSION = packageVersion('@stable-canvas/comfyui-client');

function errorOf(err) {
  if (err instanceof WorkflowExecutionError) return failure('execution_error', { name: 'WorkflowExecutionError', message: err.message });
  if (err instanceof HttpError) {
    const rejected = err.status === 400 && err.json && typeof err.json === 'object' && ('node_errors' in err.json || 'error' in err.json);
    return failure(rejected ? 'rejected' : 'http_status', { name: 'HttpError', message: err.message }, { status: err.status });
  }
  if (err instanceof PromptEnqueueError) return failure('rejected', { name: 'PromptEnqueueError', message: err.message });
  if (err instanceof PromptTimeoutError) return failure('timeout', { name: 'PromptTimeoutError', message: err.message });
  if (err instanceof WebSocketTimeoutError) return failure('timeout', { name: 'WebSocketTimeoutError', message: err.message });
  return failure('other', err);
}

function fromOutput(output) {
  const files = (output?.images ?? []).map((image) => (image.type === 'url'
    ? fileFromViewUrl(image.data)
    : { filename: null, subfolder: null, type: `${image.type}:${image.mime ?? '?'}` }));
  return { ok: true, files, promptId: output?.prompt_id };
}

export async function create() {
  let client = null;

  return {
    name: '@stable-canvas/comfyui-client',
    version: VERSION,
    exactIntegers: false,

    async connect(url) {
      const u = new URL(url);
      client = new Client({ api_host: u.host, ssl: u.protocol === 'https:', WebSocket });
      await client.connect();
    },

    async runJob(prompt) {
      try {
        return fromOutput(await client.enqueue(prompt));
      } catch (err) {
        return errorOf(err);
      }
    },

    async submit(prompt) {
      let resp;
      try {
        resp = await client._enqueue_prompt(prompt);
      } catch (err) {
        return { promptId: undefined, done: Promise.resolve(errorOf(err)), cancel: async () => {} };
      }
      const promptId = resp.prompt_id;
      const done = client.waitForPromptWebSocket(promptId, builtins.RESOLVERS.image).then(fromOutput, errorOf);
      return {
        promptId,
        done,
        cancel: async () => {
          await client.interrupt(promptId);
          await client.deleteItem('queue', promptId);
        },
      };
    },

    close() {
      client?.close();
      client = null;
    },
  };
}
