// Runs a ComfyUI workflow from a static page. In your own project the import is `from 'comfywire'`
// (its browser entry); here it is the repository's copy, so the page runs unbuilt.
import { ComfyClient, convert, extractFromImage, init, listParams, parseWorkflow } from '../../node/lib/browser.js';

const $ = (selector) => document.querySelector(selector);
const serverInput = $('#server');
const fields = $('#fields');
const runButton = $('#run');

serverInput.value = new URLSearchParams(location.search).get('server') ?? 'http://127.0.0.1:8188';

let workflow = null; // JSON text or an object decoded exactly (never JSON.parse: 64-bit seeds)
let nodeNames = new Map(); // node id → title, for progress
let session = null; // {url, client, catalog}: one WebSocket per server, reused across runs
const blobUrls = []; // outputs' (and, as .previous, the preview shown now)

// Without an argument the wasm is found next to its glue code (a bundler that understands
// `new URL(…, import.meta.url)` copies it); pass its URL when it lives elsewhere.
const ready = init();

async function connect() {
  const url = serverInput.value.trim().replace(/\/+$/, '');
  if (session?.url === url) return session;
  session?.client.close();
  session = null;
  const client = await ComfyClient.connect(url, { timeoutMs: 10000 });
  // The form must use the server's catalog: choices (models!), ranges and widget order differ.
  const catalog = await client.objectInfo();
  session = { url, client, catalog };
  return session;
}

// ---- loading a workflow --------------------------------------------------------------------------

async function load(file) {
  clearError();
  $('#job').hidden = true;
  try {
    await ready;
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (/\.json$/i.test(file.name) || file.type.includes('json') || firstByte(bytes) === 0x7b) {
      workflow = new TextDecoder().decode(bytes);
    } else {
      const embedded = extractFromImage(bytes);
      // The UI workflow when there is one: it is converted against this server's catalog.
      workflow = embedded.workflow ?? embedded.prompt;
      if (!workflow) throw Object.assign(new Error(`${file.name} carries no ComfyUI workflow`), { code: 'NO_WORKFLOW' });
    }
    const info = parseWorkflow(workflow);
    $('#loaded').textContent = `${file.name}: ${info.format === 'ui' ? 'workflow' : 'API prompt'}, ${info.nodes} nodes`;
    await buildForm();
  } catch (err) {
    workflow = null;
    $('#params').hidden = true;
    showError(err);
  }
}

function firstByte(bytes) {
  return bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
}

async function buildForm() {
  $('#params').hidden = true;
  let catalog;
  try {
    ({ catalog } = await connect());
  } catch (err) {
    // The browser build embeds no catalog: without the server there is no form to show.
    showError(err, `Is ComfyUI running at ${serverInput.value}, started with --enable-cors-header so that this page may call it?`);
    return;
  }
  const params = listParams(workflow, { catalog });
  nodeNames = new Map();
  try {
    for (const [id, node] of Object.entries(convert(workflow, { catalog }).prompt)) nodeNames.set(id, node._meta?.title ?? node.class_type);
  } catch { /* names are cosmetic; listParams already said whether the workflow is usable */ }

  fields.replaceChildren();
  const withRoles = params.filter((p) => p.roles.length > 0);
  if (withRoles.length) fields.append(fieldset('Main parameters', withRoles, (p) => p.roles.join(', '), 'roles'));
  const byNode = new Map();
  for (const p of params.filter((p) => p.roles.length === 0)) {
    if (!byNode.has(p.nodeId)) byNode.set(p.nodeId, []);
    byNode.get(p.nodeId).push(p);
  }
  for (const [id, list] of byNode) {
    const node = list[0];
    const legend = `${node.title && node.title !== node.classType ? `${node.title} · ` : ''}${node.classType} #${id}`;
    fields.append(fieldset(legend, list, (p) => p.input));
  }
  $('#params').hidden = false;
}

function fieldset(legendText, list, labelOf, className) {
  const set = el('fieldset', { className });
  set.append(el('legend', { textContent: legendText }));
  for (const p of list) {
    const label = el('label', { className: 'field' });
    const name = el('span', { className: 'name', textContent: labelOf(p) });
    name.append(el('small', { textContent: ` ${p.selector}` }));
    label.append(name, control(p));
    set.append(label);
  }
  return set;
}

function control(p) {
  const { spec, current } = p;
  let input;
  if (Array.isArray(spec.choices)) {
    input = el('select');
    const choices = [...spec.choices];
    // Keep a saved value the server does not list (a missing model): the server will say why.
    if (!choices.some((c) => c === current)) choices.unshift(current);
    choices.forEach((c, i) => input.append(el('option', { value: String(i), textContent: String(c), selected: c === current })));
    input.choices = choices;
  } else if (p.type === 'INT' || p.type === 'FLOAT') {
    // min/max/value as decimal text: BigInt limits and seeds stay exact.
    input = el('input', { type: 'number', value: String(current) });
    if (spec.min !== undefined) input.min = String(spec.min);
    if (spec.max !== undefined) input.max = String(spec.max);
    input.step = spec.step !== undefined ? String(spec.step) : p.type === 'INT' ? '1' : 'any';
  } else if (p.type === 'BOOLEAN') {
    input = el('input', { type: 'checkbox', checked: current === true });
  } else if (p.type === 'STRING') {
    input = el('textarea', { value: String(current ?? ''), rows: spec.multiline ? 4 : 1 });
  } else {
    input = el('input', { type: 'text', value: String(current ?? '') });
  }
  input.name = p.selector;
  input.param = p;
  return input;
}

/** Only the values the user changed: the rest stays exactly as saved (and as the server coerces). */
function changedValues() {
  const out = {};
  for (const input of fields.querySelectorAll('input, select, textarea')) {
    const { param: p } = input;
    let value;
    if (input.tagName === 'SELECT') value = input.choices[Number(input.value)];
    else if (input.type === 'checkbox') value = input.checked;
    else if (p.type === 'INT') value = input.value.trim(); // a decimal string: the API parses it exactly
    else if (p.type === 'FLOAT') value = input.value.trim() !== '' && Number.isFinite(Number(input.value)) ? Number(input.value) : input.value;
    else value = input.value;
    const same = p.type === 'INT' ? value === String(p.current) : p.type === 'FLOAT' ? value === Number(p.current) : value === p.current;
    if (!same) out[p.selector] = value;
  }
  return out;
}

// ---- running it --------------------------------------------------------------------------------

async function run(event) {
  event.preventDefault();
  if (!workflow) return;
  clearError();
  runButton.disabled = true;
  resetJob();
  const started = performance.now();
  try {
    const { client } = await connect();
    const job = await client.queuePrompt(workflow, { params: changedValues() });
    $('#prompt-id').textContent = job.promptId;
    setStatus('running');
    let previews = 0;
    // The iterator replays the job's events from its start: none is missed while we got here.
    for await (const ev of job) {
      if (ev.type === 'queued' && ev.position > 0) setStatus(`queued (${ev.position} ahead)`);
      else if (ev.type === 'executing') $('#progress-text').textContent = nameOf(ev.node);
      else if (ev.type === 'progress') {
        const bar = $('#progress');
        bar.max = ev.max;
        bar.value = ev.value;
        $('#progress-text').textContent = `${nameOf(ev.node)} ${ev.value}/${ev.max}`;
      } else if (ev.type === 'preview') {
        const figure = $('#preview');
        figure.hidden = false;
        figure.querySelector('img').src = blobUrl(ev.image, ev.mime, true);
        figure.querySelector('figcaption').textContent = `preview ${++previews}`;
      }
    }
    const result = await job.wait();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    setStatus(`${result.status} in ${seconds} s`, result.ok ? 'ok' : 'failed');
    if (!result.ok) {
      const message = result.error?.exception_message ?? result.error?.message ?? `the job ended with ${result.status}`;
      showError(Object.assign(new Error(String(message).trim()), { code: result.status, nodeErrors: result.nodeErrors }));
    }
    $('#progress-text').textContent = result.ok ? 'done' : result.status;
    await showOutputs(client, result.files);
  } catch (err) {
    if ($('#prompt-id').textContent === '…') $('#prompt-id').textContent = '(none)';
    setStatus('not run', 'failed');
    showError(err);
  } finally {
    runButton.disabled = false;
  }
}

async function showOutputs(client, files) {
  const outputs = $('#outputs');
  for (const file of files) {
    const bytes = await client.view(file);
    const type = MIME[file.filename.split('.').pop().toLowerCase()] ?? 'application/octet-stream';
    const url = blobUrl(bytes, type);
    const link = el('a', { href: url, download: file.filename, textContent: file.filename });
    outputs.append(type.startsWith('image/') ? el('figure', {}, [el('img', { src: url, alt: file.filename }), el('figcaption', {}, [link])]) : link);
  }
}

const MIME = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', webm: 'video/webm', flac: 'audio/flac', mp3: 'audio/mpeg', ogg: 'audio/ogg', wav: 'audio/wav' };

function nameOf(node) {
  return node == null ? '' : `${nodeNames.get(node) ?? 'node'} #${node}`;
}

/** Blob URLs live until revoked; a preview's is dropped as soon as the next one replaces it. */
function blobUrl(bytes, type, replacesPrevious = false) {
  if (replacesPrevious && blobUrls.previous) URL.revokeObjectURL(blobUrls.previous);
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  if (replacesPrevious) blobUrls.previous = url;
  else blobUrls.push(url);
  return url;
}

function resetJob() {
  for (const url of [...blobUrls.splice(0), blobUrls.previous]) if (url) URL.revokeObjectURL(url);
  blobUrls.previous = null;
  $('#job').hidden = false;
  $('#prompt-id').textContent = '…';
  $('#progress').max = 1;
  $('#progress').value = 0;
  $('#progress-text').textContent = '';
  $('#preview').hidden = true;
  $('#outputs').replaceChildren();
  setStatus('submitting');
}

function setStatus(text, kind = '') {
  const status = $('#status');
  status.textContent = text;
  status.className = `status ${kind}`;
}

// ---- errors ------------------------------------------------------------------------------------

function showError(err, note) {
  const box = $('#error');
  box.hidden = false;
  const title = el('p');
  title.append(el('strong', { className: 'code', textContent: err.code ?? err.name ?? 'ERROR' }), ` ${err.message}`);
  box.append(title);
  if (note) box.append(el('p', { className: 'muted', textContent: note }));
  const issues = [...(err.issues ?? []).map((i) => `${i.selector}: ${i.message} (${i.code})`), ...nodeErrorLines(err.nodeErrors)];
  if (issues.length) box.append(el('ul', {}, issues.map((text) => el('li', { textContent: text }))));
  console.warn(err); // the stack, for whoever opens the console
}

/** ComfyUI's node_errors, one line per error: `CheckpointLoaderSimple #4: Value not in list (…)`. */
function nodeErrorLines(nodeErrors) {
  const lines = [];
  for (const [id, entry] of Object.entries(nodeErrors ?? {})) {
    for (const e of entry.errors ?? []) lines.push(`${entry.class_type ?? 'node'} #${id}: ${e.message}${e.details ? ` (${e.details})` : ''}`);
  }
  return lines;
}

function clearError() {
  $('#error').hidden = true;
  $('#error').replaceChildren();
}

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// ---- wiring ------------------------------------------------------------------------------------

$('#file').addEventListener('change', (e) => e.target.files[0] && load(e.target.files[0]));
$('#params').addEventListener('submit', run);
serverInput.addEventListener('change', () => {
  clearError();
  if (workflow) buildForm().catch(showError);
});

// Drops anywhere on the page: a missed drop zone must not navigate away to the file.
const drop = $('#drop');
for (const type of ['dragenter', 'dragover']) {
  document.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
}
document.addEventListener('dragleave', (e) => e.relatedTarget === null && drop.classList.remove('over'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (!file) return;
  $('#file').value = ''; // it would still name the previous file
  load(file);
});

ready.catch((err) => showError(err, 'The WebAssembly module did not load.'));
