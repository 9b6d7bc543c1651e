// @saintno/comfyui-sdk through its documented path: `new ComfyApi(host).init()`,
// `waitForReady()`, then `new CallWrapper(api, new PromptBuilder(prompt, [], outputs)
// .setOutputNode(…)).onFinished(…).onFailed(…).run()`. Its cancel is `api.interrupt()`
// (the only one its README documents; it takes no prompt id) plus `manageQueue({delete})`
// for a job still waiting.

import { CallWrapper, ComfyApi, PromptBuilder } from '@saintno/comfyui-sdk';
import { outputNodes } from '../lib/prompts.mjs';
import { deferred, failure, packageVersion } from './shared.mjs';

const VERSION = packageVersion('@saintno/comfyui-sdk');

function kindOf(err) {
  switch (err?.name) {
    case 'CustomEventError':
    case 'ExecutionFailedError':
      return 'execution_error';
    case 'EnqueueFailedError': {
      const cause = err.cause;
      if (cause && typeof cause === 'object' && ('node_errors' in cause || 'error' in cause)) return 'rejected';
      return 'other';
    }
    case 'WentMissingError':
      return 'job_lost';
    case 'ExecutionInterruptedError':
      return 'interrupted';
    case 'DisconnectedError':
      return 'network';
    default:
      return 'other';
  }
}

function describe(err) {
  const cause = err?.cause;
  let message = err?.message ?? String(err);
  if (cause && typeof cause === 'object') {
    const detail = cause.exception_message ?? cause.error?.message ?? cause.message;
    if (detail) message += `: ${detail}`;
  }
  return { name: err?.name ?? 'Error', message };
}

export async function create() {
  let api = null;

  const submit = async (prompt) => {
    const outputs = outputNodes(prompt);
    const keys = outputs.map((id) => `out${id}`);
    let builder = new PromptBuilder(prompt, [], keys);
    outputs.forEach((id, k) => { builder = builder.setOutputNode(keys[k], id); });
    const id = deferred();
    /** Failures the library reported through onFailed, in order (it may report one and then succeed). */
    const reported = [];
    const lastErrors = [];
    const wrapper = new CallWrapper(api, builder)
      .onPending((promptId) => id.resolve(promptId))
      .onFailed((err) => { reported.push(describe(err)); lastErrors.push(err); });
    let knownId;
    id.promise.then((v) => { knownId = v; });
    const done = wrapper.run().then(
      (output) => {
        id.resolve(undefined);
        if (output) {
          const files = [];
          for (const key of keys) for (const image of output[key]?.images ?? []) {
            files.push({ filename: image.filename, subfolder: image.subfolder, type: image.type });
          }
          return { ok: true, files, promptId: knownId, reported };
        }
        // run() resolved false: the failure is the most specific one onFailed reported (after
        // an EnqueueFailedError it also reports a plain Error("Failed to queue prompt")).
        const err = lastErrors.findLast((e) => e?.name && e.name !== 'Error') ?? lastErrors.at(-1);
        return { ...failure(err ? kindOf(err) : 'other', err ? describe(err) : { name: 'false', message: `run() returned ${output}` }), promptId: knownId, reported };
      },
      (err) => {
        id.resolve(undefined);
        // A rejection of run() itself: an exception escaped the library's own handling.
        return { ...failure('other', err), thrown: true, promptId: knownId, reported };
      },
    );
    const promptId = await Promise.race([id.promise, done.then(() => undefined)]);
    return {
      promptId,
      done,
      cancel: async () => {
        await api.interrupt();
        if (promptId) await api.manageQueue({ delete: [promptId] });
      },
    };
  };

  return {
    name: '@saintno/comfyui-sdk',
    version: VERSION,
    exactIntegers: false,

    async connect(url) {
      api = new ComfyApi(url);
      const connected = new Promise((resolve) => api.on('connected', () => resolve()));
      api.init();
      await api.waitForReady();
      await connected;
    },

    async runJob(prompt) {
      return (await submit(prompt)).done;
    },

    submit,

    close() {
      api?.destroy();
      api = null;
    },
  };
}
