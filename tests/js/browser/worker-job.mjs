// Runs in a module Web Worker (the wasm-browser target of the behaviour suite): the package's
// browser entry must work without a window. Receives {server}, answers with what it saw.
import * as cw from '../../../node/lib/browser.js';

self.onmessage = async ({ data }) => {
  const report = {};
  try {
    try {
      cw.parseWorkflow('{}');
    } catch (err) {
      report.beforeInit = err.code;
    }
    await cw.init();
    const client = await cw.ComfyClient.connect(data.server);
    try {
      const job = await client.queuePrompt(data.prompt, { params: { '#3.noise_seed': 18446744073709551615n } });
      const events = [];
      for await (const ev of job) events.push(ev.type);
      const result = await job.wait();
      const history = await client.getHistory(job.promptId);
      report.status = result.status;
      report.files = result.files.length;
      report.events = events;
      report.seed = String(history[job.promptId].prompt[2]['3'].inputs.noise_seed);
    } finally {
      client.close();
    }
  } catch (err) {
    report.error = `${err.code}: ${err.message}`;
  }
  self.postMessage(report);
};
