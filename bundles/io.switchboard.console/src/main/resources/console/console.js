// The Switchboard web console: polls the JSON endpoints under /console/api/ and renders them with DOM methods
// only. Every text from the broker (module names, reasons, payloads, client ids) goes in as a text node or an
// attribute value, never as markup. State changes are POSTs with a JSON body and the X-Switchboard-Console header.
'use strict';
(function () {
  const API = '/console/api/';
  const POST_HEADERS = { 'Content-Type': 'application/json', 'X-Switchboard-Console': '1' };
  const COLORS = ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#ef6c00', '#00838f', '#5d4037', '#ad1457'];
  const SVG = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);

  /** An element with attributes (class, data-*, others) and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v; else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  async function getJson(path) {
    const r = await fetch(API + path, { cache: 'no-store' });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  async function postJson(path, data) {
    const r = await fetch(API + path, { method: 'POST', headers: POST_HEADERS, body: JSON.stringify(data) });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  const num = (n, digits) => (n === null || n === undefined) ? '' : Number(n).toFixed(digits || 0);

  /**
   * Keeps tbody's rows keyed: a row of an item seen before is the same element, updated in place, so that a
   * button or a selection survives a refresh.
   */
  function syncRows(tbody, items, key, build, update) {
    const existing = new Map(Array.from(tbody.children).map((r) => [r.dataset.key, r]));
    const rows = items.map((item) => {
      const k = key(item);
      let row = existing.get(k);
      if (!row) {
        row = build(item);
        row.dataset.key = k;
      }
      update(row, item);
      return row;
    });
    tbody.replaceChildren(...rows);
  }

  function setText(row, cls, text) {
    const cell = row.querySelector('.' + cls);
    if (cell.textContent !== String(text)) cell.textContent = text;
  }

  function stateCell(td, m) {
    const parts = [el('span', { class: 'state-' + m.state }, m.state)];
    if (m.reason) parts.push(el('span', { class: 'reason' }, m.reason));
    td.replaceChildren(...parts);
  }

  // ---- overview: stats, chains, modules, store

  const STATS = [['uptimeMillis', 'uptime'], ['sessions', 'sessions'], ['subscriptions', 'subscriptions'],
    ['modules', 'modules in chain'], ['published', 'published'], ['routed', 'routed'], ['consumed', 'consumed'],
    ['deliveries', 'deliveries'], ['delivered', 'confirmed'], ['failed', 'failed'], ['expired', 'expired'],
    ['inFlight', 'in flight']];

  function uptime(ms) {
    const s = Math.floor(ms / 1000);
    return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm ' + (s % 60) + 's';
  }

  function renderStats(stats) {
    const dl = $('stats');
    if (!dl.children.length) {
      for (const [k, label] of STATS) dl.append(el('div', {}, el('dt', {}, label), el('dd', { id: 'stat-' + k })));
    }
    for (const [k] of STATS) $('stat-' + k).textContent = k === 'uptimeMillis' ? uptime(stats[k]) : stats[k];
  }

  function moduleKey(m) { return m.name + '#' + m.serviceId; }

  function renderChains(chains) {
    const box = $('chains');
    const existing = new Map(Array.from(box.children).map((s) => [s.dataset.event, s]));
    const sections = chains.map((c) => {
      let s = existing.get(c.event);
      if (!s) {
        s = el('div', { class: 'chain', 'data-event': c.event },
          el('h3', {}, c.event + ' (' + c.callback + ')'),
          el('table', {}, el('thead', {}, el('tr', {}, ...['#', 'module', 'ranking', 'type', 'state', 'calls', 'pass',
            'consume', 'replace', 'error', 'timeout', 'mean µs', 'max µs'].map((h) => el('th', {}, h)))), el('tbody')));
      }
      let i = 0;
      syncRows(s.querySelector('tbody'), c.modules, moduleKey, (m) => el('tr', { 'data-module': m.name },
        el('td', { class: 'num pos' }), el('td', { class: 'name' }), el('td', { class: 'num ranking' }), el('td', { class: 'type' }),
        el('td', { class: 'state' }), el('td', { class: 'num calls' }), el('td', { class: 'num passes' }),
        el('td', { class: 'num consumes' }), el('td', { class: 'num replaces' }), el('td', { class: 'num errors' }),
        el('td', { class: 'num timeouts' }), el('td', { class: 'num mean' }), el('td', { class: 'num max' })),
      (row, m) => {
        setText(row, 'pos', ++i); setText(row, 'name', m.name); setText(row, 'ranking', m.ranking);
        setText(row, 'type', m.type); stateCell(row.querySelector('.state'), m);
        for (const k of ['calls', 'passes', 'consumes', 'replaces', 'errors', 'timeouts']) setText(row, k, m[k]);
        setText(row, 'mean', num(m.meanMicros, 1)); setText(row, 'max', num(m.maxMicros, 1));
      });
      return s;
    });
    box.replaceChildren(...sections);
  }

  const SWITCHABLE = { ACTIVE: false, DISABLED: true, QUARANTINED: true };

  function renderModules(modules) {
    syncRows(document.querySelector('#modules tbody'), modules, moduleKey, (m) => {
      const button = el('button', { type: 'button', class: 'toggle' });
      button.addEventListener('click', () => toggle(button));
      return el('tr', { 'data-module': m.name }, el('td', { class: 'name' }), el('td', { class: 'version' }),
        el('td', { class: 'type' }), el('td', { class: 'num ranking' }), el('td', { class: 'state' }),
        el('td', { class: 'num calls' }), el('td', { class: 'num mean' }), el('td', { class: 'num max' }),
        el('td', { class: 'last-error' }), el('td', {}, button));
    }, (row, m) => {
      setText(row, 'name', m.name); setText(row, 'version', m.version); setText(row, 'type', m.type);
      setText(row, 'ranking', m.ranking); stateCell(row.querySelector('.state'), m); setText(row, 'calls', m.calls);
      setText(row, 'mean', num(m.meanMicros, 1)); setText(row, 'max', num(m.maxMicros, 1));
      setText(row, 'last-error', m.lastError ? m.lastError + ' (' + m.lastErrorTime + ')' : '');
      const button = row.querySelector('button.toggle');
      const enable = SWITCHABLE[m.state];
      button.hidden = enable === undefined || m.serviceId < 0;
      button.dataset.module = m.name;
      button.dataset.enable = String(!!enable);
      button.textContent = enable ? 'Enable' : 'Disable';
    });
  }

  async function toggle(button) {
    button.disabled = true;
    try {
      await postJson('modules', { module: button.dataset.module, enabled: button.dataset.enable === 'true' });
      await refreshOverview();
    } catch (e) {
      $('status').textContent = 'switching ' + button.dataset.module + ' failed: ' + e.message;
    } finally {
      button.disabled = false;
    }
  }

  function renderStore(store) {
    const dl = $('store');
    if (!store) {
      dl.replaceChildren(el('div', {}, el('dd', { class: 'muted' }, 'no store')));
      return;
    }
    const items = [['location', store.location], ['sync', store.sync], ['opened (recovery) in', store.openMillis + ' ms'],
      ['on disk', Math.round(store.diskBytes / 1024) + ' KiB'], ['pending changes', store.pending],
      ['commits', store.commits + ' (' + store.failedCommits + ' failed)']];
    for (const [space, n] of Object.entries(store.recovered || {})) items.push(['recovered ' + space, n]);
    dl.replaceChildren(...items.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))));
  }

  function renderFormStates(modules) {
    const byName = new Map(modules.map((m) => [m.name, m]));
    for (const line of document.querySelectorAll('#config-forms .form-state')) {
      const m = byName.get(line.dataset.module);
      if (m) stateCell(line, m);
    }
  }

  /** The registered modules the forms were loaded for: they are loaded again when a module comes or goes. */
  let formsLoadedFor = null;

  async function refreshOverview() {
    const o = await getJson('overview');
    $('core-down').hidden = o.core;
    if (o.core) {
      renderStats(o.stats);
      renderChains(o.chains);
      renderModules(o.modules);
      const registered = o.modules.filter((m) => m.serviceId >= 0).map(moduleKey).join('|');
      if (registered !== formsLoadedFor) {
        formsLoadedFor = registered;
        await loadForms();
      }
      renderFormStates(o.modules);
    }
    renderStore(o.store);
    $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
  }

  // ---- charts: inline SVG polylines over the sampler's history

  function drawChart(svg, legend, series) {
    const W = 600, H = 200, L = 50, B = 18;
    const all = series.flatMap((s) => s.points);
    const t0 = all.length ? Math.min(...all.map((p) => p[0])) : 0;
    const t1 = all.length ? Math.max(...all.map((p) => p[0])) : 1;
    const max = Math.max(1e-9, ...all.map((p) => p[1]));
    const x = (t) => L + (W - L - 5) * (t1 === t0 ? 1 : (t - t0) / (t1 - t0));
    const y = (v) => H - B - (H - B - 10) * (v / max);
    const parts = [];
    const line = (x1, y1, x2, y2) => {
      const l = document.createElementNS(SVG, 'line');
      for (const [k, v] of Object.entries({ x1, y1, x2, y2, stroke: '#bbb' })) l.setAttribute(k, v);
      return l;
    };
    const text = (tx, ty, s, anchor) => {
      const t = document.createElementNS(SVG, 'text');
      t.setAttribute('x', tx); t.setAttribute('y', ty); t.setAttribute('font-size', '11');
      t.setAttribute('text-anchor', anchor || 'start');
      t.textContent = s;
      return t;
    };
    parts.push(line(L, H - B, W, H - B), line(L, 10, L, H - B));
    parts.push(text(L - 4, 14, max < 10 ? max.toFixed(2) : Math.round(max), 'end'), text(L - 4, H - B, '0', 'end'));
    parts.push(text(L, H - 3, all.length ? Math.round((t1 - t0) / 1000) + ' s ago' : 'no samples yet'));
    parts.push(text(W - 5, H - 3, 'now', 'end'));
    series.forEach((s, i) => {
      if (!s.points.length) return;
      const p = document.createElementNS(SVG, 'polyline');
      p.setAttribute('fill', 'none');
      p.setAttribute('stroke', COLORS[i % COLORS.length]);
      p.setAttribute('stroke-width', '1.5');
      p.setAttribute('points', s.points.map((q) => x(q[0]).toFixed(1) + ',' + y(q[1]).toFixed(1)).join(' '));
      parts.push(p);
    });
    svg.replaceChildren(...parts);
    legend.replaceChildren(...series.map((s, i) => {
      const swatch = el('i');
      swatch.style.backgroundColor = COLORS[i % COLORS.length];
      const last = s.points.length ? s.points[s.points.length - 1][1] : 0;
      return el('span', {}, swatch, s.name + ' ' + num(last, last < 10 ? 2 : 0));
    }));
  }

  async function refreshHistory() {
    const h = await getJson('history');
    drawChart($('chart-throughput'), $('legend-throughput'), [
      { name: 'published/s', points: h.map((p) => [p.t, p.published]) },
      { name: 'delivered/s', points: h.map((p) => [p.t, p.delivered]) }]);
    const names = [];
    for (const p of h) for (const n of Object.keys(p.modules)) if (!names.includes(n)) names.push(n);
    drawChart($('chart-latency'), $('legend-latency'), [
      { name: 'message chain', points: h.map((p) => [p.t, p.chainMicros]) },
      ...names.map((n) => ({ name: n, points: h.filter((p) => n in p.modules).map((p) => [p.t, p.modules[n]]) }))]);
  }

  // ---- trace

  async function runTrace(event) {
    event.preventDefault();
    const error = $('trace-error');
    error.hidden = true;
    try {
      const r = await postJson('trace', { topic: $('trace-topic').value, payload: $('trace-payload').value,
        from: $('trace-from').value });
      const tbody = document.querySelector('#trace-result tbody');
      tbody.replaceChildren(...r.steps.map((s, i) => el('tr', { 'data-module': s.module },
        el('td', { class: 'num' }, i + 1), el('td', { class: 'module' }, s.module), el('td', { class: 'decision' }, s.decision),
        el('td', { class: 'num' }, num(s.micros, 1)), el('td', { class: 'payload' }, s.payloadAfter))));
      $('trace-result').hidden = false;
      $('trace-outcome').textContent = r.steps.length ? r.outcome : 'no module handles messages; ' + r.outcome;
    } catch (e) {
      error.textContent = 'trace failed: ' + e.message;
      error.hidden = false;
    }
  }

  // ---- sessions

  async function refreshSessions() {
    const q = $('session-search').value;
    const sessions = await getJson('sessions?limit=200&q=' + encodeURIComponent(q));
    $('session-count').textContent = sessions.length + (sessions.length >= 200 ? '+' : '') + ' shown';
    syncRows(document.querySelector('#sessions tbody'), sessions, (s) => String(s.id), () => el('tr', {},
      ...['client', 'user', 'protocol', 'listener', 'remote', 'online', 'subscriptions'].map((c) => el('td', { class: c }))),
    (row, s) => {
      row.dataset.client = s.clientId;
      setText(row, 'client', s.clientId); setText(row, 'user', s.user); setText(row, 'protocol', s.protocol);
      setText(row, 'listener', s.listener || ''); setText(row, 'remote', s.remoteAddress || '');
      setText(row, 'online', s.online ? 'online' : 'offline (kept)');
      setText(row, 'subscriptions', s.subscriptions.map((x) => x.filter + ' (QoS ' + x.qos + ')').join(', '));
    });
  }

  // ---- configuration forms (from the modules' metatype)

  function field(f) {
    const id = 'cfg-' + Math.random().toString(36).slice(2);
    let input;
    if (f.input === 'select') {
      input = el('select', { id }, ...f.options.map((o) => el('option', { value: o.value, selected: o.value === f.value }, o.label)));
    } else if (f.input === 'checkbox') {
      input = el('input', { id, type: 'checkbox', checked: f.value === 'true' });
    } else if (f.input === 'list') {
      input = el('textarea', { id, placeholder: 'one value per line' });
      input.value = f.value.join('\n');
    } else {
      input = el('input', { id, type: f.input === 'password' ? 'password' : 'text',
        placeholder: f.input === 'password' && f.set ? '(set: leave empty to keep)' : null });
      input.value = f.value;
    }
    input.dataset.attribute = f.id;
    input.dataset.input = f.input;
    return el('label', { for: id }, f.name + (f.required ? ' *' : '') + ' ', input,
      el('span', { class: 'muted' }, f.id + ' (' + f.type + ')' + (f.description ? ': ' + f.description : '')));
  }

  function values(form) {
    const out = {};
    for (const input of form.querySelectorAll('[data-attribute]')) {
      const kind = input.dataset.input;
      out[input.dataset.attribute] = kind === 'checkbox' ? String(input.checked)
        : kind === 'list' ? input.value.split('\n').map((v) => v.trim()).filter((v) => v) : input.value;
    }
    return out;
  }

  function renderForm(f) {
    const message = el('p', { class: 'form-message' });
    const form = el('form', { 'data-module': f.module, 'data-pid': f.pid },
      el('fieldset', {}, el('legend', {}, f.module + ' — ' + (f.title || f.pid)),
        el('p', { class: 'muted' }, 'PID ' + f.pid + (f.exists ? '' : ' (not configured yet: saving creates it)')
          + (f.file ? '; read from ' + f.file : '')),
        el('p', { class: 'form-state', 'data-module': f.module }),
        f.description ? el('p', { class: 'muted' }, f.description) : null,
        ...f.fields.map(field),
        el('button', { type: 'submit' }, 'Save'), message));
    stateCell(form.querySelector('.form-state'), f);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      message.className = 'form-message';
      message.textContent = 'saving…';
      try {
        await postJson('config', { module: f.module, pid: f.pid, values: values(form) });
        message.className = 'form-message saved';
        message.textContent = 'saved ' + new Date().toLocaleTimeString()
          + ': the module applies it now; a problem it reports shows above.';
      } catch (e) {
        message.className = 'form-message problem';
        message.textContent = 'not saved: ' + e.message;
      }
    });
    return form;
  }

  async function loadForms() {
    const box = $('config-forms');
    try {
      const r = await getJson('config');
      box.replaceChildren(...(r.forms.length ? r.forms.map(renderForm) : [el('p', { class: 'muted' }, 'no module has a configuration described by metatype')]));
    } catch (e) {
      box.replaceChildren(el('p', { class: 'problem' }, 'configuration forms unavailable: ' + e.message));
    }
  }

  // ---- polling

  function every(millis, task) {
    const run = async () => {
      try {
        await task();
      } catch (e) {
        $('status').textContent = 'cannot reach the broker: ' + e.message;
      }
      setTimeout(run, millis);
    };
    run();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('trace-form').addEventListener('submit', runTrace);
    let typing;
    $('session-search').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => refreshSessions().catch(() => {}), 250);
    });
    $('config-reload').addEventListener('click', loadForms);
    every(1500, refreshOverview);
    every(2000, refreshHistory);
    every(3000, refreshSessions);
  });
}());
