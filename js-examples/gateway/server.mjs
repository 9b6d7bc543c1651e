#!/usr/bin/env node
// A small HTTP gateway in front of ComfyUI: clients post a prompt and a few numbers, never a
// node graph. The request and response follow the `/api/v1/generate` API of the seed documents.
//
//   node server.mjs [PORT] [--workflow FILE]       PORT: $PORT, default 8000; 0 picks a free one
//   COMFYUI_URL=http://127.0.0.1:8188 node server.mjs
//   COMFYUI_URL=http://gpu1:8188,http://gpu2:8188 node server.mjs   several servers: a ComfyPool
//
// Without $COMFYUI_URL it runs on the bundled ComfyUI emulator. $GATEWAY_TIMEOUT_MS bounds
// one generation (default 300000).
//
//   POST /api/v1/generate  {"prompt": "a fox", "negative_prompt": "text", "width": 512, "height": 512,
//                           "steps": 20, "cfg_scale": 8, "seed": 42}   only "prompt" is required
//   GET  /api/v1/view?server=0&filename=…&subfolder=…&type=output    an image (what image_url points at)
//   GET  /healthz

import { createServer } from 'node:http';
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ComfyClient, ComfyError, ComfyPool, applyOverrides, validate, parseJsonExact, stringifyJsonExact,
} from '../../node/lib/node.js'; // 'comfywire' once installed
import { startEmulator } from '../emulator.mjs';

const DEFAULT_WORKFLOW = fileURLToPath(new URL('../../tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json', import.meta.url));
const MAX_BODY = 1 << 20;

// Request fields → the workflow's roles. Roles are found by walking the graph from its sampler,
// so any txt2img workflow saved from the editor works without knowing its node ids.
const FIELDS = {
  prompt: 'positive',
  negative_prompt: 'negative',
  width: 'width',
  height: 'height',
  steps: 'steps',
  cfg_scale: 'cfg',
  seed: 'seed',
};
const ROLE_TO_FIELD = Object.fromEntries(Object.entries(FIELDS).map(([field, role]) => [role, field]));

const CONTENT_TYPES = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', webm: 'video/webm', flac: 'audio/flac', mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg' };
const contentType = (filename) => CONTENT_TYPES[filename.split('.').pop().toLowerCase()] ?? 'application/octet-stream';

class HttpError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    Object.assign(this, { status, code, extra });
  }
}

const invalid = (issues) => new HttpError(400, 'INVALID_REQUEST',
  `invalid ${[...new Set(issues.map((i) => i.field))].join(', ')}: ${issues.map((i) => i.message).join('; ')}`, { issues });

/**
 * The request body as overrides. Absent fields keep the workflow's values (for the default
 * workflow those are the seed document's: 512×512, 20 steps, CFG 8, "text, watermark"), except
 * the seed: a fresh one per request, returned in the response so a result can be reproduced.
 */
function overridesOf(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'INVALID_REQUEST', 'the body must be a JSON object');
  }
  const issues = [];
  for (const field of Object.keys(body)) {
    if (!Object.hasOwn(FIELDS, field)) issues.push({ field, code: 'UNKNOWN_FIELD', message: `\`${field}\` is not a field (${Object.keys(FIELDS).join(', ')})` });
  }
  if (typeof body.prompt !== 'string' || body.prompt.trim() === '') {
    issues.push({ field: 'prompt', code: body.prompt === undefined ? 'REQUIRED' : 'TYPE_MISMATCH', message: 'a non-empty string is required' });
  }
  if (body.negative_prompt !== undefined && typeof body.negative_prompt !== 'string') {
    issues.push({ field: 'negative_prompt', code: 'TYPE_MISMATCH', message: 'expected a string' });
  }
  if (issues.length) throw invalid(issues);
  const overrides = {};
  for (const [field, role] of Object.entries(FIELDS)) if (body[field] !== undefined) overrides[role] = body[field];
  // Below 2^48: well inside every sampler's range and a safe JavaScript integer for any client.
  overrides.seed ??= randomInt(2 ** 48 - 1);
  return overrides;
}

/**
 * Checks the request before any server does work. Values are checked against each server's
 * catalog (ranges, types: 400, naming the request's fields), then the whole prompt is validated
 * as ComfyUI would (a model a server lacks: 422, unless another server of the pool has it).
 */
function check(workflow, overrides, catalogs) {
  let refusal = null;
  for (const catalog of catalogs) {
    const applied = applyOverrides(workflow, overrides, { catalog });
    if (!applied.ok) {
      const issues = applied.issues.map((i) => ({ field: ROLE_TO_FIELD[i.selector] ?? i.selector, code: i.code, message: i.message }));
      throw invalid(issues);
    }
    const verdict = validate(applied.prompt, { catalog });
    if (verdict.accepted) return;
    refusal ??= verdict.body;
  }
  throw new HttpError(422, 'PROMPT_REJECTED', refusal.error?.message ?? 'no server would accept this prompt', { node_errors: refusal.node_errors });
}

/** comfywire's errors as HTTP answers: whose fault it is decides the status. */
function httpErrorOf(err) {
  if (err instanceof HttpError) return err;
  switch (err.code) {
    case 'OVERRIDES_REFUSED': return new HttpError(400, err.code, err.message, { issues: err.issues });
    // We validated it and the server still refused: the gateway and its server disagree.
    case 'PROMPT_REJECTED': return new HttpError(502, err.code, err.message, { node_errors: err.nodeErrors });
    case 'NO_SERVER': return new HttpError(503, err.code, err.message);
    case 'TIMEOUT': return new HttpError(504, err.code, err.message);
    case 'EXECUTION_ERROR': return new HttpError(502, err.code, err.message, { node: err.result?.error?.node_id, node_type: err.result?.error?.node_type });
    default:
      if (err instanceof ComfyError) return new HttpError(502, err.code, err.message); // NETWORK, JOB_LOST…
      return new HttpError(500, 'INTERNAL', 'internal error'); // a bug here: logged, not sent
  }
}

function send(res, status, body, headers = {}) {
  // Exact JSON: a seed beyond 2^53 goes back as the client sent it.
  const text = stringifyJsonExact(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res, err) {
  const { status, code, message, extra } = httpErrorOf(err);
  send(res, status, { status: 'error', error: { code, message, ...extra } });
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'TOO_LARGE', `the body exceeds ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function startGateway({ port = 8000, workflowPath = DEFAULT_WORKFLOW, servers = [], timeoutMs = 300_000, log = () => {} } = {}) {
  const workflow = await readFile(workflowPath);
  let emulator = null;
  if (servers.length === 0) {
    emulator = await startEmulator({ modelsFor: workflowPath });
    servers = [emulator.url];
  }
  // ComfyClient and ComfyPool both have run(); the pool also picks a capable, least busy server.
  const comfy = servers.length > 1 ? await ComfyPool.connect(servers) : await ComfyClient.connect(servers[0]);
  const clients = comfy.clients ?? [comfy];
  // Catalogs are read once: a model installed later needs a restart (or objectInfo({refresh: true})).
  const catalogs = await Promise.all(clients.map((c) => c.objectInfo()));

  async function generate(req, res) {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request as application/json');
    }
    let body;
    try {
      body = parseJsonExact(await readBody(req)); // exact integers: a 64-bit seed stays exact
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'INVALID_JSON', err.message);
    }
    const overrides = overridesOf(body);
    check(workflow, overrides, catalogs);

    // A client that hangs up stops its job on the server: no GPU time for nobody.
    const gone = new AbortController();
    res.on('close', () => { if (!res.writableEnded) gone.abort(); });
    const result = await comfy.run(workflow, { params: overrides, signal: gone.signal, timeoutMs });
    const server = result.server ?? comfy.server;
    const serverIndex = clients.findIndex((c) => c.server === server);
    const base = `http://${req.headers.host}`;
    const images = await Promise.all(result.files.map(async (file) => {
      const query = new URLSearchParams({ server: String(serverIndex), filename: file.filename, subfolder: file.subfolder, type: file.type });
      const bytes = await clients[serverIndex].view(file, { signal: gone.signal });
      return { url: `${base}/api/v1/view?${query}`, filename: file.filename, content_type: contentType(file.filename), base64: Buffer.from(bytes).toString('base64') };
    }));
    log(`${result.promptId} ran on ${server}: ${images.length} image(s), seed ${overrides.seed}`);
    // `image_url` is seed 003's name, `output_url` seed 000's; `images` has every file, inlined.
    send(res, 200, {
      status: 'success',
      prompt_id: result.promptId,
      seed: overrides.seed,
      image_url: images[0]?.url ?? null,
      output_url: images[0]?.url ?? null,
      images,
    });
  }

  async function view(url, res) {
    const index = Number(url.searchParams.get('server') ?? 0);
    const filename = url.searchParams.get('filename');
    if (!Number.isInteger(index) || !clients[index] || !filename) {
      throw new HttpError(400, 'INVALID_REQUEST', 'expected server (an index) and filename');
    }
    const file = { filename, subfolder: url.searchParams.get('subfolder') ?? '', type: url.searchParams.get('type') ?? 'output' };
    try {
      const bytes = await clients[index].view(file);
      res.writeHead(200, { 'content-type': contentType(filename), 'content-length': bytes.length });
      res.end(bytes);
    } catch (err) {
      if (err.code === 'HTTP_STATUS' && err.status >= 400 && err.status < 500) throw new HttpError(404, 'NOT_FOUND', `no such file: ${filename}`);
      throw err;
    }
  }

  async function healthz(res) {
    const states = await Promise.all(clients.map(async (client) => {
      try {
        const queue = await client.getQueue({ timeoutMs: 2000 });
        return { url: client.server, ok: true, queue: queue.running.length + queue.pending.length };
      } catch (err) {
        return { url: client.server, ok: false, error: err.code };
      }
    }));
    const ok = states.some((s) => s.ok);
    send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', servers: states });
  }

  const routes = {
    '/api/v1/generate': { POST: (req, res) => generate(req, res) },
    '/api/v1/view': { GET: (req, res, url) => view(url, res) },
    '/healthz': { GET: (req, res) => healthz(res) },
  };

  const http = createServer(async (req, res) => {
    const started = performance.now();
    const url = new URL(req.url, 'http://gateway');
    const route = routes[url.pathname];
    try {
      if (!route) throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
      const handler = route[req.method];
      if (!handler) {
        res.setHeader('allow', Object.keys(route).join(', '));
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
      }
      await handler(req, res, url);
    } catch (err) {
      if (!(err instanceof HttpError || err instanceof ComfyError)) log(err.stack ?? String(err));
      if (!res.headersSent && !res.destroyed) sendError(res, err);
      else res.destroy();
    }
    log(`${req.method} ${url.pathname} ${res.destroyed && !res.writableFinished ? 'client gone' : res.statusCode} ${((performance.now() - started) / 1000).toFixed(2)} s`);
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', resolve);
  });

  return {
    url: `http://127.0.0.1:${http.address().port}`,
    servers: clients.map((c) => c.server),
    async close() {
      await new Promise((resolve) => http.close(resolve));
      comfy.close();
      emulator?.stop();
    },
  };
}

try {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { workflow: { type: 'string' } } });
  const port = Number(positionals[0] ?? process.env.PORT ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw Object.assign(new Error(`not a port: ${positionals[0] ?? process.env.PORT}`), { code: 'USAGE' });
  const servers = (process.env.COMFYUI_URL ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const gateway = await startGateway({
    port,
    workflowPath: values.workflow ?? process.env.GATEWAY_WORKFLOW ?? DEFAULT_WORKFLOW,
    servers,
    timeoutMs: Number(process.env.GATEWAY_TIMEOUT_MS ?? 300_000),
    log: (line) => console.error(`${new Date().toISOString()} ${line}`),
  });
  // The URL first on its own line: scripts (and the tests) read it from there.
  console.log(gateway.url);
  console.error(`gateway on ${gateway.url} → ${gateway.servers.join(', ')}${servers.length ? '' : ' (bundled emulator)'}`);
  const stop = async () => { await gateway.close(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`error ${err.code ?? 'INTERNAL'}: ${err.message}`);
  process.exit(1);
}
