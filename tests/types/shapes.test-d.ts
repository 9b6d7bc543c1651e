// The shapes generated from the core's serialised structs (node/shapes.d.ts), as a TypeScript
// user meets them: events narrow by `type`, prompt nodes use the server's spelling, nullable
// fields say so. Each `@ts-expect-error` must hold, or tsc fails the run.
import * as cw from '../../node/types/node.js';

declare const job: cw.Job;
declare const client: cw.ComfyClient;
declare const event: cw.JobEvent;

// Events narrow by `type`.
if (event.type === 'progress') {
  const fraction: number = event.value / event.max + event.overall;
  void fraction;
}
if (event.type === 'finished') {
  const ok: boolean = event.result.ok;
  void ok;
}
// @ts-expect-error: `value` exists only on progress events
void event.value;

// `job.on` takes only the event names that exist, and types the callback's event.
job.on('progress', (e) => {
  const step: number = e.value;
  void step;
});
job.on('preview', (e) => {
  const bytes: Uint8Array = e.image;
  void bytes;
});
job.on('*', (e) => void e.promptId);
// @ts-expect-error: a misspelt event name never fires, so it does not compile
job.on('progres', () => {});

// Server messages narrow too; unknown types are OtherMessage.
client.on('executing', (m) => {
  const node: string | null = m.node;
  void node;
});
client.on('my_custom_node_event', (m) => void m.data);

// Prompt nodes are written as the server takes them.
declare const converted: cw.ConvertResult;
const classType: string = converted.prompt['3'].class_type;
// @ts-expect-error: the runtime key is class_type
void converted.prompt['3'].classType;

// A workflow's frontendVersion may be null (older editors do not record it).
declare const info: cw.WorkflowInfo;
// @ts-expect-error: string | null | undefined is not a string
const version: string = info.frontendVersion;

// seedMode takes every mode the core accepts, in both places.
const submit: cw.SubmitOptions = { seedMode: 'asSaved' };
cw.applyOverrides({}, {}, { seedMode: 'asSaved' });
// @ts-expect-error: not a seed mode
cw.applyOverrides({}, {}, { seedMode: 'sometimes' });

export { classType, version, submit };
