// The StreamParrot console. Everything shown is untrusted text (file paths, dead-letter reasons,
// completions): the DOM is built with createElement and text nodes only; data is never parsed as markup.
'use strict';

const KEY_STORAGE = 'streamparrot.apiKey'; // sessionStorage: this browser tab only
const REFRESH_MS = 3000;
const PALETTE = ['#2a6df4', '#e67e22', '#1e8e3e', '#8e44ad', '#c0392b', '#16a085'];

// ---------- small helpers ----------

/** An element with attributes and children; strings become text nodes, so markup in data stays text. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fillRows(table, rows, emptyText) {
  const body = table.tBodies[0];
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', {colspan: table.tHead.rows[0]?.cells.length || 1, class: 'meta'}, emptyText))]));
}

const integer = n => (n === null || n === undefined) ? '–' : Number(n).toLocaleString('en-US');
const decimal = (n, digits = 3) => (n === null || n === undefined || n === 'Infinity') ? (n === 'Infinity' ? '∞' : '–') : Number(n).toFixed(digits);
function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0, v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}
const list = v => Array.isArray(v) ? v : []; // JSON leaves empty lists out
const time = t => t ? new Date(t).toLocaleString('en-GB') : '–';
const badge = (text, kind) => el('span', {class: 'badge ' + (kind || text)}, text);

function apiKey() { return sessionStorage.getItem(KEY_STORAGE) || ''; }

function headers(extra) {
  const h = Object.assign({}, extra);
  if (apiKey()) h['Authorization'] = 'Bearer ' + apiKey();
  return h;
}

/** JSON from one of the console's endpoints; an error body (OpenAI's, or {error: "..."}) becomes the thrown message. */
async function api(path, options) {
  const response = await fetch(path, Object.assign({}, options, {headers: headers(options && options.headers)}));
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status + ' ' + errorMessage(body));
  return body;
}

function errorMessage(body) {
  if (body && body.error) return typeof body.error === 'string' ? body.error : (body.error.message || JSON.stringify(body.error));
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function showError(error) {
  const box = document.getElementById('error');
  box.hidden = !error;
  box.textContent = error ? String(error.message || error) : '';
}

// ---------- pages ----------

const pages = {
  pipeline: refreshPipeline,
  training: refreshTraining,
  playground: refreshPlayground,
  repositories: refreshRepositories,
};
let timer = null;

function currentPage() {
  const name = location.hash.replace('#', '');
  return pages[name] ? name : 'pipeline';
}

async function refresh() {
  clearTimeout(timer);
  const name = currentPage();
  try {
    await pages[name]();
    showError(null);
  } catch (e) {
    showError(e);
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

function show() {
  const name = currentPage();
  for (const section of document.querySelectorAll('.page')) section.hidden = section.id !== 'page-' + name;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.page === name);
  refresh();
}

// ---------- pipeline ----------

async function refreshPipeline() {
  const [pipeline, tokenizers, dead] = await Promise.all([api('/api/pipeline'), api('/api/tokenizers'), api('/api/dead-letters?limit=50')]);
  fillRows(document.getElementById('topics'), list(pipeline.topics).map(t => el('tr', {},
    el('td', {class: 'mono'}, t.name), el('td', {class: 'num'}, t.partitions),
    el('td', {class: 'num'}, integer(t.records)), el('td', {class: 'num'}, bytes(t.bytes)))), 'no topics');

  const maxLag = Math.max(1, ...list(pipeline.groups).map(g => g.lag || 0));
  fillRows(document.getElementById('groups'), list(pipeline.groups).map(g => el('tr', {'data-group': g.group},
    el('td', {class: 'mono'}, g.group),
    el('td', {}, g.state.toLowerCase()),
    el('td', {}, list(g.members).length ? list(g.members).map(m => el('div', {class: 'mono'}, m.clientId + ': ' + (list(m.partitions).join(', ') || 'no partitions'))) : '–'),
    el('td', {}, list(g.topics).map(t => el('div', {class: 'mono'}, t.topic + ' ' + integer(t.committed) + ' / ' + integer(t.end) + ' (lag ' + integer(t.lag) + ')'))),
    el('td', {class: 'num'}, integer(g.lag || 0), el('span', {class: 'lag-bar', style: 'width:' + Math.round(60 * (g.lag || 0) / maxLag) + 'px'})))),
    'no consumer group has committed offsets yet');

  fillRows(document.getElementById('releases'), list(tokenizers.releases).map(r => el('tr', {'data-release': r.id},
    el('td', {class: 'mono'}, r.id, ' ', r.id === tokenizers.active ? badge('active') : null),
    el('td', {class: 'num'}, integer(r.vocabSize)),
    el('td', {}, integer(r.trainedOnFiles) + ' files, ' + bytes(r.trainedOnBytes)),
    el('td', {}, time(r.createdAt)),
    el('td', {}, el('details', {}, el('summary', {}, 'report'), el('pre', {}, r.report || '')))),
  ), 'no tokenizer released yet');

  fillRows(document.getElementById('dead-letters'), list(dead.letters).map(d => el('tr', {class: 'dead-letter'},
    el('td', {}, time(d.failedAt || d.timestamp)),
    el('td', {}, d.service || '–'),
    el('td', {class: 'mono'}, d.undecodable ? 'dead-letters@' + d.offset : d.topic + '-' + d.partition + '@' + d.offset),
    el('td', {class: 'reason'}, d.undecodable ? 'cannot decode this dead letter: ' + d.undecodable : d.reason))),
    'no dead letters');
}

// ---------- training ----------

const KNOWN_CHECKPOINT_COLUMNS = ['step', 'round', 'runId', 'tokenizerId', 'evalLoss', 'perplexity', 'createdAt'];
const HIDDEN_CHECKPOINT_COLUMNS = ['partition', 'offset', 'timestamp', 'sha256', 'location'];

async function refreshTraining() {
  const [training, status, models] = await Promise.all([
    api('/api/training'),
    api('/trainer/status').catch(e => ({unreachable: e.message})),
    api('/v1/models').catch(e => ({data: [], unreachable: e.message})),
  ]);
  const served = list(models.data).length ? models.data[0].id : null;
  document.getElementById('served-model').textContent = served || (models.unreachable ? 'unknown: ' + models.unreachable : '(none)');

  // every figure the trainer reports, so fields added later (round, members' figures) show without a change here
  const figures = document.getElementById('trainer-status');
  const entries = status.unreachable ? [['trainer', status.unreachable]]
    : Object.entries(status).filter(([, v]) => v === null || typeof v !== 'object');
  figures.replaceChildren(...entries.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, typeof v === 'number' && !Number.isInteger(v) ? Number(v).toPrecision(4) : (v === null ? '–' : String(v))))));
  const members = document.getElementById('trainer-members');
  members.replaceChildren();
  if (Array.isArray(status.members)) {
    const keys = [...new Set(status.members.flatMap(m => Object.keys(m)))];
    members.append(el('h2', {}, 'Trainer group members'), el('table', {},
      el('thead', {}, el('tr', {}, keys.map(k => el('th', {}, k)))),
      el('tbody', {}, status.members.map(m => el('tr', {}, keys.map(k => el('td', {class: 'mono'}, format(m[k]))))))));
  }

  const history = list(training.history).filter(s => s.step !== undefined);
  const checkpoints = list(training.checkpoints).slice().sort((a, b) => a.step - b.step);
  lineChart('chart-loss', series(history, 'loss'));
  lineChart('chart-eval', series(checkpoints, 'evalLoss'));
  lineChart('chart-perplexity', series(checkpoints, 'perplexity'));
  lineChart('chart-throughput', series(history, 'tokensPerSecond'));

  const table = document.getElementById('checkpoints');
  const extra = [...new Set(checkpoints.flatMap(c => Object.keys(c)))]
    .filter(k => !KNOWN_CHECKPOINT_COLUMNS.includes(k) && !HIDDEN_CHECKPOINT_COLUMNS.includes(k));
  const columns = KNOWN_CHECKPOINT_COLUMNS.filter(k => checkpoints.some(c => k in c)).concat(extra);
  table.tHead.replaceChildren(el('tr', {}, columns.map(c => el('th', {}, c)), el('th', {}, '')));
  fillRows(table, checkpoints.slice().reverse().map(c => el('tr', {},
    columns.map(k => el('td', {class: typeof c[k] === 'number' ? 'num' : 'mono'}, k === 'createdAt' ? time(c[k]) : format(c[k]))),
    el('td', {}, served === 'step-' + c.step + '-' + c.tokenizerId ? badge('served') : null))),
  'no checkpoint announced yet');
}

function format(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? integer(v) : decimal(v, 4);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Points (step, value) of one figure, one series per round where rounds exist, else per run. */
function series(rows, field) {
  const groups = new Map();
  for (const r of rows) {
    const y = r[field];
    if (y === null || y === undefined || y === 'Infinity' || !isFinite(y)) continue;
    const name = r.round !== undefined ? 'round ' + r.round : (r.runId || 'run');
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push([Number(r.step), Number(y)]);
  }
  return [...groups.entries()].map(([name, points]) => ({name, points}));
}

/** A line chart drawn by hand in SVG: axes with four ticks, one polyline and dots per series. */
function lineChart(id, allSeries) {
  const box = document.getElementById(id);
  const points = allSeries.flatMap(s => s.points);
  if (!points.length) { box.replaceChildren(el('div', {class: 'empty'}, 'no data yet')); return; }
  const W = 440, H = 200, L = 52, R = 10, T = 10, B = 28;
  let [x0, x1] = [Math.min(...points.map(p => p[0])), Math.max(...points.map(p => p[0]))];
  let [y0, y1] = [Math.min(...points.map(p => p[1])), Math.max(...points.map(p => p[1]))];
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  if (y0 === y1) { y0 -= Math.abs(y0) * 0.1 || 1; y1 += Math.abs(y1) * 0.1 || 1; }
  const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  const chart = svg('svg', {viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img'});
  for (let i = 0; i <= 4; i++) {
    const y = y0 + (y1 - y0) * i / 4, x = x0 + (x1 - x0) * i / 4;
    chart.append(svg('line', {x1: L, x2: W - R, y1: sy(y), y2: sy(y), stroke: '#e2e5ec'}));
    chart.append(svg('text', {x: L - 6, y: sy(y) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#6b7385'}, Math.abs(y) >= 1000 ? integer(Math.round(y)) : y.toFixed(2)));
    chart.append(svg('text', {x: sx(x), y: H - B + 14, 'text-anchor': 'middle', 'font-size': 10, fill: '#6b7385'}, integer(Math.round(x))));
  }
  chart.append(svg('text', {x: W - R, y: H - 2, 'text-anchor': 'end', 'font-size': 10, fill: '#6b7385'}, 'step'));
  allSeries.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    chart.append(svg('polyline', {fill: 'none', stroke: color, 'stroke-width': 1.5, points: s.points.map(p => sx(p[0]) + ',' + sy(p[1])).join(' ')}));
    for (const p of s.points) chart.append(svg('circle', {cx: sx(p[0]), cy: sy(p[1]), r: 2.2, fill: color}, undefined));
    if (allSeries.length > 1) chart.append(svg('text', {x: L + 6, y: T + 12 + 12 * i, 'font-size': 10, fill: color}, s.name));
  });
  box.replaceChildren(chart);
}

// ---------- playground ----------

let streaming = null; // the AbortController of the stream in flight

async function refreshPlayground() {
  if (streaming) return; // the stream shows its own model
  const models = await api('/v1/models');
  document.getElementById('completion-model').textContent = list(models.data).length ? models.data[0].id + ' (serving)' : 'no model loaded yet';
}

async function generate(event) {
  event.preventDefault();
  if (streaming) return;
  const prompt = document.getElementById('prompt').value;
  const request = {
    prompt,
    temperature: Number(document.getElementById('temperature').value),
    top_p: Number(document.getElementById('top_p').value),
    max_tokens: Number(document.getElementById('max_tokens').value),
    stream: true,
  };
  const stop = document.getElementById('stop').value;
  if (stop) request.stop = stop;
  const text = document.getElementById('completion-text');
  const chunks = document.getElementById('completion-chunks');
  const state = document.getElementById('completion-state');
  const model = document.getElementById('completion-model');
  document.getElementById('completion-prompt').textContent = prompt;
  text.textContent = '';
  chunks.textContent = '0';
  state.textContent = 'streaming';
  streaming = new AbortController();
  document.getElementById('generate').disabled = true;
  document.getElementById('cancel').disabled = false;
  let count = 0;
  try {
    const response = await fetch('/v1/completions', {method: 'POST', signal: streaming.signal,
      headers: headers({'Content-Type': 'application/json'}), body: JSON.stringify(request)});
    if (!response.ok) throw new Error('/v1/completions: HTTP ' + response.status + ' ' + errorMessage(await response.json().catch(() => null)));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let finished = false;
    while (!finished) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true});
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const eventText = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = eventText.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trimStart()).join('\n');
        if (data === '[DONE]') { finished = true; break; }
        if (!data) continue;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(errorMessage(chunk));
        if (chunk.model) model.textContent = chunk.model;
        const piece = chunk.choices && chunk.choices.length ? chunk.choices[0].text : '';
        if (piece) text.append(document.createTextNode(piece));
        chunks.textContent = String(++count);
      }
    }
    state.textContent = finished ? 'done' : 'ended';
    showError(null);
  } catch (e) {
    if (e.name === 'AbortError') {
      state.textContent = 'cancelled';
    } else {
      state.textContent = 'failed';
      showError(e);
    }
  } finally {
    streaming = null;
    document.getElementById('generate').disabled = false;
    document.getElementById('cancel').disabled = true;
  }
}

function cancel() {
  if (streaming) streaming.abort(); // closes the connection: the console closes its upstream one, generation stops
}

// ---------- repositories ----------

async function refreshRepositories() {
  const repos = await api('/repos');
  fillRows(document.getElementById('repos'), list(repos).map(r => el('tr', {'data-repo': r.url},
    el('td', {class: 'mono'}, r.url),
    el('td', {class: 'mono'}, r.ref || '–'),
    el('td', {}, badge(r.status, r.status)),
    el('td', {class: 'reason'}, r.reason || ''),
    el('td', {class: 'num'}, integer(r.accepted)),
    el('td', {class: 'mono'}, Object.entries(r.rejected || {}).map(([reason, n]) => el('div', {}, reason + ': ' + integer(n)))),
    el('td', {class: 'mono'}, r.lastCommit ? r.lastCommit.slice(0, 10) : '–'),
    el('td', {}, time(r.updatedAt)))),
  'no repository added yet');
}

async function addRepository(event) {
  event.preventDefault();
  const url = document.getElementById('repo-url').value.trim();
  const ref = document.getElementById('repo-ref').value.trim();
  if (!url) { showError(new Error('enter a repository URL or path')); return; }
  try {
    await api('/repos', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(ref ? {url, ref} : {url})});
    document.getElementById('repo-url').value = '';
    await refresh();
  } catch (e) {
    showError(e);
  }
}

// ---------- start ----------

document.getElementById('api-key').value = apiKey();
document.getElementById('api-key-form').addEventListener('submit', event => {
  event.preventDefault();
  sessionStorage.setItem(KEY_STORAGE, document.getElementById('api-key').value.trim());
  refresh();
});
document.getElementById('completion-form').addEventListener('submit', generate);
document.getElementById('cancel').addEventListener('click', cancel);
document.getElementById('repo-form').addEventListener('submit', addRepository);
window.addEventListener('hashchange', show);
show();
