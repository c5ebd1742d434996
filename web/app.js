// app.js - the kpi dashboard, served by `kpi serve` from the binary (src/server/assets.c).
//
// Every number comes from the HTTP API (docs/design.md §2), the same JSON as the CLI:
//   /api/v1/kpis                      the department tabs, names, units, directions, dimensions
//   /api/v1/report?period=P           the cards: value, target, status, change, sparkline
//   /api/v1/query?kpi=&from=&to=      a KPI's chart over time, with its target and last year
//   /api/v1/query?kpi=&period=&by=    a breakdown (bars and a table)
//   /api/v1/top?kpi=&by=&period=      a leaderboard
//   /api/v1/streams                   polled: new rows reload what is shown
// Numbers are printed by the CLI's rules (lib/render/render.c): the unit's decimals, rounded
// half away from zero on 15 significant digits, thousands separators, "%" for percent, and
// durations in seconds as "2h 37m". Each shown value also carries the API's number in a
// data-value attribute (String(number), "" for null), which the browser test compares with
// `kpi query`.
//
// Navigation is in the URL's hash (#/dept/sales?period=2026-10&f=region%3DWest,
// #/kpi/revenue?...), so the back button and links work. `?token=T` in the page's URL is kept
// in sessionStorage and sent as `Authorization: Bearer T`; `?poll=N` polls every N seconds.

const POLL_S = 30;
const CACHE_MS = 30000;
const DEFAULT_DECIMALS = { count: 0, currency: 2, percent: 1, ratio: 2, duration: 1 };
const STATUS = {
  on_track: ['●', 'On track'],
  at_risk: ['◐', 'At risk'],
  off_track: ['○', 'Off track'],
  no_target: ['·', 'No target'],
  no_data: ['—', 'No data'],
  immature: ['◌', 'Immature'],
};
const COLORS = { value: '#0969da', target: '#bc4c00', lastYear: '#6e7781', bar: '#0969da' };
// dimensions a leaderboard is about, best first
const PEOPLE = ['rep', 'agent', 'recruiter', 'store', 'team', 'machine', 'line', 'campaign'];
const DASH = '—';

// ---- numbers, as the CLI prints them ---------------------------------------------------------

// v with `decimals` decimals, rounded half away from zero on its 15-significant-digit form
// (format_fixed in render.c): 1.005 -> "1.01".
export function fixed(v, decimals) {
  const [mant, exp] = Math.abs(v).toExponential(14).split('e');
  const d = ['0', ...mant.replace('.', '')]; // d[0] takes a carry out of the leading digit
  const nd = d.length;
  const ip = parseInt(exp, 10) + 2; // digits of d before the decimal point
  const keep = ip + decimals;
  if (keep < nd) {
    let up = keep >= 0 && d[keep] >= '5';
    for (let i = Math.max(keep, 0); i < nd; i++) d[i] = '0';
    for (let i = keep - 1; up && i >= 0; i--) {
      up = d[i] === '9';
      d[i] = up ? '0' : String(Number(d[i]) + 1);
    }
  }
  let out = v < 0 ? '-' : '';
  let first = 0;
  while (first < ip - 1 && (first >= nd || d[first] === '0')) first++;
  if (ip <= 0) out += '0';
  for (let i = first; i < ip; i++) out += i < nd ? d[i] : '0';
  if (decimals > 0) out += '.';
  for (let i = ip; i < ip + decimals; i++) out += i >= 0 && i < nd ? d[i] : '0';
  return out;
}

// "-1234567.89" -> "-1,234,567.89"; no sign when the number rounded to zero.
function grouped(num) {
  let sign = '';
  if (num[0] === '-') {
    num = num.slice(1);
    if (/[1-9]/.test(num)) sign = '-';
  }
  const m = /^(\d*)(.*)$/.exec(num);
  return sign + m[1].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + m[2];
}

function duration(v, decimals) {
  const a = Math.abs(v);
  let sign = v < 0 ? '-' : '';
  if (a >= 1e15) return `${sign}${a.toFixed(0)}s`;
  if (Math.round(a) < 60) {
    let num = fixed(a, decimals);
    if (num.includes('.')) num = num.replace(/0+$/, '').replace(/\.$/, '');
    if (num === '0') sign = '';
    return `${sign}${num}s`;
  }
  const pad = (n) => String(n).padStart(2, '0');
  const s = Math.round(a);
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  const m = Math.round(a / 60);
  if (m < 24 * 60) return `${sign}${Math.floor(m / 60)}h ${pad(m % 60)}m`;
  const h = Math.round(a / 3600);
  return `${sign}${Math.floor(h / 24)}d ${h % 24}h`;
}

const defined = (v) => typeof v === 'number' && Number.isFinite(v);

export function decimalsOf(unit, decimals) {
  if (Number.isInteger(decimals) && decimals >= 0) return Math.min(decimals, 9);
  return unit in DEFAULT_DECIMALS ? DEFAULT_DECIMALS[unit] : 2;
}

// Symbols of the common currencies (krender_amount in render.c); others go by their code.
const CURRENCY = { EUR: '€', USD: '$', GBP: '£', JPY: '¥', CNY: '¥', INR: '₹', KRW: '₩', BRL: 'R$',
  AUD: 'A$', CAD: 'C$', ILS: '₪', NGN: '₦' };
// the workspace's currency (ISO 4217), as the API's currency KPIs carry it; null: none
let currency = null;
export function setCurrency(code) { currency = code || null; }

// An amount with the workspace's currency: "€5,610,000.00", "-$12.50", "SEK 1,200.00".
function withCurrency(text) {
  if (!currency || text === DASH) return text;
  const sign = text[0] === '-' ? '-' : '';
  const sym = CURRENCY[currency] || `${currency} `;
  return sign + sym + text.slice(sign.length);
}

// A value of a KPI as the CLI's table shows it; decimals: the KPI's, else the unit's default.
export function formatValue(v, unit, decimals) {
  if (!defined(v)) return DASH;
  const dec = decimalsOf(unit, decimals);
  if (unit === 'duration') return duration(v, dec);
  const text = grouped(fixed(v, dec)) + (unit === 'percent' ? '%' : '');
  return unit === 'currency' ? withCurrency(text) : text;
}

// A large value made short for a card ("5.61M", "€1.2B"); smaller ones, percentages and
// durations as formatValue. The card's title keeps the whole value.
export function formatCompact(v, unit, decimals) {
  if (!defined(v) || Math.abs(v) < 1e6 || unit === 'percent' || unit === 'duration') {
    return formatValue(v, unit, decimals);
  }
  const text = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 })
    .format(v);
  return unit === 'currency' ? withCurrency(text) : text;
}

// Percent and ratio KPIs change in points ("▲ +1.4 pp", "▼ -0.12"), the others relatively
// ("▲ +2.8%", "▼ -0.6%", "= 0.0%"): krender_point_change in render.c.
export function formatChange(change, points, unit, decimals) {
  if (unit === 'percent' || unit === 'ratio') {
    if (!defined(points)) return DASH;
    const num = fixed(points, decimalsOf(unit, decimals));
    const suffix = unit === 'percent' ? ' pp' : '';
    if (/^[-0.]*$/.test(num)) return `= ${num.replace('-', '')}${suffix}`;
    return (points > 0 ? '▲ +' : '▼ ') + grouped(num) + suffix;
  }
  if (!defined(change) || !Number.isFinite(change * 100)) return DASH;
  const num = fixed(change * 100, 1);
  if (/^[-0.]*$/.test(num)) return '= 0.0%';
  return (change > 0 ? '▲ +' : '▼ ') + grouped(num) + '%';
}

// The number a change's colour follows: its points for percent and ratio KPIs.
const delta = (p, unit) => (unit === 'percent' || unit === 'ratio' ? p.change_points : p.change);

export const formatAttainment = (a) => (defined(a) ? formatValue(a * 100, 'percent', 1) : DASH);

// good, bad or flat, by the KPI's direction (krender_point_color)
function changeClass(change, direction) {
  if (!defined(change) || Math.abs(change) < 0.0005) return 'flat';
  return (direction === 'down' ? change < 0 : change > 0) ? 'good' : 'bad';
}

// Short numbers for chart axes (not data: the data is in the legends and tables).
function axisValue(v, unit) {
  if (!defined(v)) return '';
  if (unit === 'duration') return duration(v, 0);
  const s = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 })
    .format(v);
  return unit === 'percent' ? `${s}%` : s;
}

const rawValue = (v) => (defined(v) ? String(v) : '');

// ---- small helpers -------------------------------------------------------------------------------

const $ = (sel, root = document) => root.querySelector(sel);

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function deptName(d) {
  if (!d) return 'Other';
  if (d.length <= 2) return d.toUpperCase();
  return d[0].toUpperCase() + d.slice(1).replace(/_/g, ' ');
}

const pad2 = (n) => String(n).padStart(2, '0');
const isoDate = (t) => new Date(t).toISOString().slice(0, 10);

function addMonths(p, n) {
  const [y, m] = p.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${pad2((i % 12) + 1)}`;
}

function monthLabel(p) {
  const [y, m] = p.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-US', {
    month: 'short', year: 'numeric', timeZone: 'UTC',
  });
}

// The dates of a chart's range: `months` months ending with month p, widened to whole periods
// of the grain (ISO weeks, calendar quarters and years).
function chartRange(p, months, grain, earliest) {
  let first = addMonths(p, 1 - months);
  if (earliest && first < earliest) first = earliest;
  const [fy, fm] = first.split('-').map(Number);
  const [ty, tm] = p.split('-').map(Number);
  let from = Date.UTC(fy, fm - 1, 1);
  let to = Date.UTC(ty, tm, 0);
  const day = 86400000;
  if (grain === 'week') {
    from -= ((new Date(from).getUTCDay() + 6) % 7) * day;
    to += ((7 - new Date(to).getUTCDay()) % 7) * day;
  } else if (grain === 'quarter') {
    from = Date.UTC(fy, Math.floor((fm - 1) / 3) * 3, 1);
    to = Date.UTC(ty, Math.floor((tm - 1) / 3) * 3 + 3, 0);
  } else if (grain === 'year') {
    from = Date.UTC(fy, 0, 1);
    to = Date.UTC(ty, 12, 0);
  }
  return { from: isoDate(from), to: isoDate(to) };
}

// A where condition for a filter: region = "West" (the formula language's string escapes).
const whereOf = (f) => `${f.dim} = "${f.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function groupLabel(group) {
  const vals = Object.values(group || {});
  return vals.length ? vals.map((v) => (v === null || v === '' ? '(none)' : v)).join(' · ') : '';
}

// ---- the API ---------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function initToken() {
  const url = new URL(location.href);
  const t = url.searchParams.get('token');
  if (t) {
    sessionStorage.setItem('kpi-token', t);
    url.searchParams.delete('token'); // out of the address bar and the history
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem('kpi-token');
}

const TOKEN = initToken();
const POLL = Math.max(1, Number(new URL(location.href).searchParams.get('poll')) || POLL_S);
const cache = new Map(); // url -> {at, promise}

function qs(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

async function fetchJson(url) {
  const headers = TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {};
  let r;
  try {
    r = await fetch(url, { headers, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'the server does not answer');
  }
  let body = null;
  try {
    body = await r.json();
  } catch {
    /* not JSON */
  }
  if (!r.ok) {
    let msg = (body && body.error) || `${r.status} ${r.statusText}`;
    if (r.status === 401) msg += ' (open the dashboard as /?token=TOKEN; see kpi token create)';
    throw new ApiError(r.status, msg);
  }
  return body;
}

// GET /api/v1/ENDPOINT?params, shared by concurrent callers and kept CACHE_MS (or until new
// data arrives).
function api(endpoint, params = {}) {
  const q = qs(params);
  const url = `api/v1/${endpoint}${q ? `?${q}` : ''}`;
  const hit = cache.get(url);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.promise;
  const promise = fetchJson(url).then((body) => {
    for (const k of (body && body.kpis) || []) if (k.currency) setCurrency(k.currency);
    return body;
  });
  cache.set(url, { at: Date.now(), promise });
  promise.catch(() => cache.delete(url));
  return promise;
}

// ---- state and routes ------------------------------------------------------------------------

const S = {
  kpis: [],
  byId: new Map(),
  depts: [],
  defaultPeriod: null, // the report's: the last complete month
  months: [], // the period picker's months, newest first
  earliest: null, // the first month with data
  streams: null, // the rows signature, for refreshes
  gen: 0, // render generation: a slower, older render drops its results
  charts: [], // uPlot instances of the page
  lastKpi: null,
};

function route() {
  const h = location.hash.replace(/^#/, '') || '/';
  const qi = h.indexOf('?');
  const path = qi < 0 ? h : h.slice(0, qi);
  const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'kpi' && parts[1]) return { view: 'kpi', id: parts[1], params };
  return { view: 'overview', dept: parts[0] === 'dept' ? parts[1] || null : null, params };
}

function link(path, params) {
  const q = params.toString();
  return `#${path}${q ? `?${q}` : ''}`;
}

// The current params with changes (null removes), as a new URLSearchParams.
function withParams(params, changes) {
  const p = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k);
    else p.set(k, v);
  }
  return p;
}

// The params that follow the reader from page to page: period and filter.
function globalParams(params) {
  const p = new URLSearchParams();
  for (const k of ['period', 'f']) if (params.get(k)) p.set(k, params.get(k));
  return p;
}

function go(hash, replace = false) {
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else {
    location.hash = hash;
  }
}

function parseFilter(s) {
  const i = s ? s.indexOf('=') : -1;
  return i > 0 ? { dim: s.slice(0, i), value: s.slice(i + 1) } : null;
}

const periodOf = (params) => {
  const p = params.get('period');
  return p && /^\d{4}-\d{2}$/.test(p) ? p : S.defaultPeriod;
};

// ---- loading the workspace ---------------------------------------------------------------------

async function loadWorkspace() {
  const kpis = await api('kpis');
  S.kpis = kpis.kpis;
  S.byId = new Map(S.kpis.map((k) => [k.id, k]));
  S.depts = [...new Set(S.kpis.map((k) => k.department || ''))];
  S.defaultPeriod = await defaultPeriod();
}

// The report's default period (the last complete month), from the report of the department
// with the fewest KPIs: the cheapest to compute.
async function defaultPeriod() {
  const count = (d) => S.kpis.filter((k) => k.department === d && !k.manual).length;
  const depts = S.depts.filter((d) => d && count(d) > 0).sort((a, b) => count(a) - count(b));
  const r = await fetchJson(`api/v1/report${depts.length ? `?${qs({ department: depts[0] })}` : ''}`);
  return r.period;
}

// The rows of every stream: the first month with data and the signature of the data.
async function loadStreams() {
  let earliest = null;
  let sig = null;
  try {
    const st = await fetchJson('api/v1/streams');
    sig = st.streams.map((s) => `${s.name}:${s.rows}:${s.last}`).join(',');
    for (const s of st.streams) {
      if (s.rows && s.first && (!earliest || s.first < earliest)) earliest = s.first;
    }
  } catch {
    /* a token limited to some departments may not read the streams: no refresh then */
  }
  const current = addMonths(S.defaultPeriod, 1);
  const first = earliest && /^\d{4}-\d{2}/.test(earliest) ? earliest.slice(0, 7)
    : addMonths(current, -24);
  S.earliest = first;
  S.months = [];
  for (let m = current; m >= first && S.months.length < 600; m = addMonths(m, -1)) S.months.push(m);
  if (!S.months.includes(S.defaultPeriod)) S.months.push(S.defaultPeriod);
  return sig;
}

// ---- header: period picker and filter ---------------------------------------------------------

function renderControls(r, scopeKpis) {
  const period = periodOf(r.params);
  const sel = $('#period');
  const current = addMonths(S.defaultPeriod, 1);
  sel.innerHTML = S.months.map((m) => `<option value="${m}"${m === period ? ' selected' : ''}>${
    esc(monthLabel(m))}${m === current ? ' (to date)' : ''}</option>`).join('');
  if (!S.months.includes(period)) {
    sel.insertAdjacentHTML('afterbegin', `<option value="${esc(period)}" selected>${
      esc(period)}</option>`);
  }
  sel.disabled = false;

  const f = parseFilter(r.params.get('f'));
  const dims = new Set();
  for (const k of scopeKpis) for (const d of k.dimensions) dims.add(d);
  if (f) dims.add(f.dim);
  const dimSel = $('#filter-dim');
  dimSel.innerHTML = '<option value="">none</option>' + [...dims].sort()
    .map((d) => `<option value="${esc(d)}"${f && f.dim === d ? ' selected' : ''}>${esc(d)}</option>`)
    .join('');
  dimSel.disabled = dims.size === 0;
  const valLabel = $('#filter-val-label');
  valLabel.hidden = !f;
  if (f) fillFilterValues(f.dim, f.value, period);
}

// The values of a dimension (the groups of a breakdown of a KPI declaring it) into the filter's
// second picker.
async function fillFilterValues(dim, selected, period) {
  const valSel = $('#filter-val');
  const k = S.kpis.find((x) => x.dimensions.includes(dim) && !x.manual);
  let values = [];
  if (k) {
    try {
      const r = await api('query', { kpi: k.id, period, by: dim });
      values = r.kpis[0].series.map((p) => p.group[dim]).filter((v) => v !== null && v !== '');
    } catch {
      /* no values to offer */
    }
  }
  values = [...new Set(values)].sort((a, b) => a.localeCompare(b));
  if (selected && !values.includes(selected)) values.unshift(selected);
  valSel.innerHTML = (selected ? '' : `<option value="">choose a ${esc(dim)}…</option>`) +
    values.map((v) => `<option${v === selected ? ' selected' : ''}>${esc(v)}</option>`).join('');
}

function onControls() {
  $('#period').addEventListener('change', (e) => {
    const r = route();
    go(link(currentPath(r), withParams(r.params, { period: e.target.value })));
  });
  $('#filter-dim').addEventListener('change', (e) => {
    const r = route();
    const dim = e.target.value;
    if (!dim) {
      go(link(currentPath(r), withParams(r.params, { f: null })));
      return;
    }
    $('#filter-val-label').hidden = false;
    fillFilterValues(dim, null, periodOf(r.params)).then(() => $('#filter-val').focus());
  });
  $('#filter-val').addEventListener('change', (e) => {
    const r = route();
    const dim = $('#filter-dim').value;
    if (dim && e.target.value) {
      go(link(currentPath(r), withParams(r.params, { f: `${dim}=${e.target.value}` })));
    }
  });
}

function currentPath(r) {
  if (r.view === 'kpi') return `/kpi/${encodeURIComponent(r.id)}`;
  return r.dept ? `/dept/${encodeURIComponent(r.dept)}` : '/';
}

// ---- department tabs ---------------------------------------------------------------------------

function renderTabs(active, params) {
  const nav = $('#tabs');
  const keep = globalParams(params);
  const tabs = [...S.depts, 'all'];
  nav.innerHTML = `<div role="tablist" aria-label="Departments">${tabs.map((d) => {
    const on = d === active;
    return `<a role="tab" href="${link(`/dept/${encodeURIComponent(d)}`, keep)}" data-dept="${
      esc(d)}" aria-selected="${on}" tabindex="${on ? 0 : -1}"${on ? ' aria-current="page"' : ''
    }>${esc(d === 'all' ? 'All' : deptName(d))}</a>`;
  }).join('')}</div>`;
  nav.hidden = false;
  const cur = nav.querySelector('[aria-selected="true"]');
  if (cur) cur.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

// arrow keys move between tabs (one tab stop for the list); Enter follows the link
function onTabKeys() {
  $('#tabs').addEventListener('keydown', (e) => {
    const tabs = [...$('#tabs').querySelectorAll('[role="tab"]')];
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = tabs.length - 1;
    else if (e.key === ' ') {
      e.preventDefault();
      tabs[i].click();
    }
    if (j === null) return;
    e.preventDefault();
    tabs.forEach((t, n) => t.setAttribute('tabindex', n === j ? '0' : '-1'));
    tabs[j].focus();
  });
}

// ---- charts (uPlot) ----------------------------------------------------------------------------

function destroyCharts() {
  for (const c of S.charts) c.destroy();
  S.charts = [];
}

function sparkline(el, values, status) {
  if (!window.uPlot || values.length < 2) return;
  const color = getComputedStyle(el).color || 'rgb(9, 105, 218)';
  const fill = color.replace(/^rgb\((.*)\)$/, 'rgba($1, 0.12)');
  const width = Math.max(60, Math.floor(el.clientWidth));
  const u = new uPlot({
    width,
    height: 36,
    padding: [3, 2, 3, 2],
    legend: { show: false },
    cursor: { show: false },
    select: { show: false },
    scales: { x: { time: false } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: color, width: 1.5, fill, points: { show: false },
      spanGaps: true }],
  }, [values.map((_, i) => i), values.map((v) => (defined(v) ? v : null))], el);
  u.root.setAttribute('aria-hidden', 'true');
  el.dataset.status = status || '';
  S.charts.push(u);
}

// resize charts with their containers (the phone turned, the window narrowed)
const resizer = new ResizeObserver((entries) => {
  for (const e of entries) {
    const u = S.charts.find((c) => c.root.parentElement === e.target);
    const w = Math.floor(e.contentRect.width);
    if (u && w > 0 && Math.abs(u.width - w) > 1) u.setSize({ width: w, height: u.height });
  }
});

function watchSize(u) {
  S.charts.push(u);
  resizer.observe(u.root.parentElement);
}

// A KPI over time: its value, its target (dashed) and last year (dotted). The legend shows the
// period under the cursor, else `selected` (the period picked, or the last one).
function timeChart(el, k, series, dec, selected) {
  const labels = series.map((p) => p.period);
  const fmt = (u, v) => formatValue(v, k.unit, dec);
  let sel = labels.indexOf(selected);
  if (sel < 0) sel = labels.length - 1;
  const rest = (u) => {
    if (u.cursor.idx === null || u.cursor.idx === undefined) u.setLegend({ idx: sel });
  };
  const u = new uPlot({
    width: Math.max(200, el.clientWidth),
    height: 280,
    padding: [12, 28, 0, 0], // room for the last period's label
    scales: { x: { time: false } },
    cursor: { drag: { x: false, y: false } },
    hooks: { ready: [rest], setCursor: [rest] },
    axes: [
      { stroke: '#59636e', grid: { stroke: '#eaeef2' }, incrs: [1, 2, 3, 4, 6, 12, 13, 26, 52],
        space: Math.max(...labels.map((l) => l.length)) * 7 + 14,
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? labels[i] ?? '' : '')) },
      { stroke: '#59636e', grid: { stroke: '#eaeef2' }, size: 64,
        values: (_u, splits) => splits.map((v) => axisValue(v, k.unit)) },
    ],
    series: [
      { label: 'Period', value: (_u, i) => (i === null ? DASH : labels[i] ?? DASH) },
      { label: k.name, stroke: COLORS.value, width: 2, value: fmt, points: { size: 5 } },
      { label: 'Target', stroke: COLORS.target, width: 1.5, dash: [6, 4], value: fmt,
        points: { show: false } },
      { label: 'Last year', stroke: COLORS.lastYear, width: 1.5, dash: [2, 3], value: fmt,
        points: { show: false } },
    ],
  }, [
    labels.map((_, i) => i),
    series.map((p) => (defined(p.value) ? p.value : null)),
    series.map((p) => (defined(p.target) ? p.target : null)),
    series.map((p) => (defined(p.last_year) ? p.last_year : null)),
  ], el);
  watchSize(u);
}

// A breakdown as horizontal bars, largest first (at most 20).
function barChart(el, k, rows, dec) {
  const shown = rows.filter((r) => defined(r.value)).slice(0, 20);
  if (!shown.length) {
    el.innerHTML = '<p class="muted">No values to chart.</p>';
    return;
  }
  const labels = shown.map((r) => r.label);
  const longest = Math.max(...labels.map((l) => l.length));
  const u = new uPlot({
    width: Math.max(200, el.clientWidth),
    height: shown.length * 26 + 50,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false },
    scales: {
      x: { time: false, ori: 1, dir: -1, range: [-0.5, shown.length - 0.5] },
      y: { ori: 0, range: (_u, min, max) => [Math.min(0, min), Math.max(0, max) * 1.05 || 1] },
    },
    axes: [
      { scale: 'x', side: 3, stroke: '#1f2328', grid: { show: false }, ticks: { show: false },
        splits: () => shown.map((_, i) => i), size: Math.min(150, 16 + longest * 7),
        values: (_u, splits) => splits.map((i) => {
          const l = Number.isInteger(i) ? labels[i] ?? '' : '';
          return l.length > 20 ? `${l.slice(0, 19)}…` : l;
        }) },
      { scale: 'y', side: 2, stroke: '#59636e', grid: { stroke: '#eaeef2' }, space: 60,
        values: (_u, splits) => splits.map((v) => axisValue(v, k.unit)) },
    ],
    series: [{}, { label: k.name, fill: COLORS.bar, stroke: COLORS.bar,
      paths: uPlot.paths.bars({ size: [0.7, 22] }), points: { show: false },
      value: (_u, v) => formatValue(v, k.unit, dec) }],
  }, [shown.map((_, i) => i), shown.map((r) => r.value)], el);
  u.root.setAttribute('role', 'img');
  u.root.setAttribute('aria-label', `${k.name} by ${rows.dim}: bars of the table below`);
  watchSize(u);
}

// ---- the overview: department cards -----------------------------------------------------------

// Cards from the report, or, with a filter, from a query per department over the same months.
async function cardEntries(dept, period, f) {
  if (!f) {
    const r = await api('report', { period, department: dept === 'all' ? undefined : dept });
    return r.kpis;
  }
  const list = S.kpis.filter((k) => !k.manual && (dept === 'all' || k.department === dept));
  const ok = list.filter((k) => k.dimensions.includes(f.dim));
  const q = { from: `${addMonths(period, -11)}-01`, to: chartRange(period, 1, 'month').to,
    grain: 'month', by: f.dim, where: whereOf(f) };
  const series = new Map();
  const errors = new Map();
  if (ok.length) {
    try {
      const r = await api('query', { kpi: ok.map((k) => k.id).join(','), ...q });
      for (const s of r.kpis) series.set(s.id, { pts: s.series, from: s.data_from });
    } catch (e) {
      if (e.status === 0 || e.status >= 500) throw e;
      await Promise.all(ok.map((k) => api('query', { kpi: k.id, ...q })
        .then((r) => series.set(k.id, { pts: r.kpis[0].series, from: r.kpis[0].data_from }))
        .catch((err) => errors.set(k.id, err.message))));
    }
  }
  return list.map((k) => {
    const base = { id: k.id, name: k.name, department: k.department, unit: k.unit };
    if (!ok.includes(k)) return { ...base, excluded: `not broken down by ${f.dim}` };
    if (errors.has(k.id)) return { ...base, excluded: errors.get(k.id) };
    const { pts = [], from = null } = series.get(k.id) || {};
    const last = pts.find((p) => p.period === period) || {};
    return { ...base, value: last.value ?? null, target: last.target ?? null,
      attainment: last.attainment ?? null, status: last.status || 'no_data',
      change: last.change ?? null, change_points: last.change_points ?? null,
      previous: last.previous ?? null, previous_partial: !!last.previous_partial,
      last_year: last.last_year ?? null, data_from: from,
      sparkline: months12(period).map((m) => {
        const p = pts.find((x) => x.period === m);
        return p ? p.value : null;
      }) };
  });
}

const months12 = (p) => Array.from({ length: 12 }, (_, i) => addMonths(p, i - 11));

function card(e, keep) {
  const k = S.byId.get(e.id) || {};
  const dec = k.decimals;
  const href = link(`/kpi/${encodeURIComponent(e.id)}`, keep);
  if (e.excluded) {
    return `<a class="card excluded" href="${href}" data-kpi="${esc(e.id)}" data-value="">
      <span class="card-name">${esc(e.name)}</span>
      <span class="card-note">${esc(e.excluded)}</span></a>`;
  }
  if (e.error) { // a broken definition: said in its place, the other cards answer
    return `<a class="card broken" href="${href}" data-kpi="${esc(e.id)}" data-value=""
        data-status="broken">
      <span class="card-name">${esc(e.name)}</span>
      <span class="status"><span aria-hidden="true">✗</span> Broken</span>
      <span class="card-note" title="${esc(e.error)}">${esc(e.error.split('\n')[0])}</span></a>`;
  }
  const [glyph, words] = STATUS[e.status] || ['?', e.status || ''];
  const plain = formatChange(e.change, e.change_points, e.unit, dec);
  const change = plain + (e.previous_partial && plain !== DASH ? '*' : '');
  const full = formatValue(e.value, e.unit, dec);
  return `<a class="card st-${esc(e.status)}" href="${href}" data-kpi="${esc(e.id)}"
      data-value="${rawValue(e.value)}" data-unit="${esc(e.unit)}" data-status="${esc(e.status)}">
    <span class="card-name">${esc(e.name)}</span>
    <span class="card-value"><span class="value" title="${esc(full)}">${
  esc(formatCompact(e.value, e.unit, dec))}</span></span>
    <span class="card-meta">
      <span class="status"><span aria-hidden="true">${glyph}</span> ${esc(words)}</span>
      <span class="change ${changeClass(delta(e, e.unit), k.direction)}" data-change="${rawValue(e.change)}"
        title="previous period: ${esc(formatValue(e.previous, e.unit, dec))}${
  e.previous_partial ? esc(partialNote(e.data_from)) : ''}">${esc(change)}${
  change === DASH ? '' : '<span class="sr-only"> vs previous period</span>'}</span>
    </span>
    <span class="card-target">Target <span class="target" data-value="${rawValue(e.target)}">${
  esc(formatValue(e.target, e.unit, dec))}</span></span>
    <span class="spark st-${esc(e.status)}" aria-hidden="true"></span>
  </a>`;
}

async function renderOverview(r, gen) {
  const dept = r.dept === 'all' || S.depts.includes(r.dept) ? r.dept : S.depts[0];
  const period = periodOf(r.params);
  const f = parseFilter(r.params.get('f'));
  const scope = S.kpis.filter((k) => dept === 'all' || k.department === dept);
  renderTabs(dept, r.params);
  renderControls(r, scope);
  const main = $('#main');
  const title = `${dept === 'all' ? 'All departments' : deptName(dept)}, ${monthLabel(period)}`;
  document.title = `${title} · kpi`;
  if (!main.querySelector('.cards')) main.innerHTML = '<p class="loading">Loading…</p>';
  main.setAttribute('aria-busy', 'true');
  const entries = await cardEntries(dept, period, f);
  if (gen !== S.gen) return;
  destroyCharts();
  const keep = globalParams(r.params);
  const groups = new Map();
  for (const e of entries) {
    const d = e.department || '';
    if (!groups.has(d)) groups.set(d, []);
    groups.get(d).push(e);
  }
  const filterNote = f ? `<p class="note">Filtered: <strong>${esc(f.dim)} = ${esc(f.value)}</strong>
    (<a href="${link(currentPath(r), withParams(r.params, { f: null }))}">clear</a>)</p>` : '';
  main.innerHTML = `<h1 class="page-title">${esc(title)}</h1>${filterNote}${[...groups].map(([d, es]) =>
    `<section class="dept" aria-labelledby="dept-${esc(d)}">${dept === 'all'
      ? `<h2 id="dept-${esc(d)}">${esc(deptName(d))}</h2>`
      : `<h2 id="dept-${esc(d)}" class="sr-only">${esc(deptName(d))}</h2>`}
      <div class="cards">${es.map((e) => card(e, keep)).join('')}</div></section>`).join('')
  }${entries.length ? '' : '<p class="muted">No KPIs here.</p>'}`;
  main.removeAttribute('aria-busy');
  for (const e of entries) {
    if (!e.sparkline) continue;
    const el = main.querySelector(`.card[data-kpi="${CSS.escape(e.id)}"] .spark`);
    if (el) sparkline(el, e.sparkline, e.status);
  }
  if (S.lastKpi) {
    const c = main.querySelector(`.card[data-kpi="${CSS.escape(S.lastKpi)}"]`);
    S.lastKpi = null;
    if (c) c.focus();
  }
}

// ---- the KPI page ------------------------------------------------------------------------------

function defaultLeaderDim(k) {
  return PEOPLE.find((d) => k.dimensions.includes(d)) || k.dimensions[0];
}

function section(id, title, controls = '') {
  return `<section class="panel" id="${id}" aria-labelledby="${id}-h">
    <div class="panel-head"><h2 id="${id}-h">${title}</h2>${controls}</div>
    <div class="panel-body"><p class="loading">Loading…</p></div></section>`;
}

function select(id, label, options, value) {
  return `<label class="control small">${esc(label)} <select id="${id}">${options.map(([v, t]) =>
    `<option value="${esc(v)}"${String(v) === String(value) ? ' selected' : ''}>${esc(t)}</option>`)
    .join('')}</select></label>`;
}

function failed(el, e) {
  el.innerHTML = `<p class="error" role="alert">${esc(e.message || e)}</p>`;
}

async function renderKpi(r, gen) {
  const k = S.byId.get(r.id);
  const main = $('#main');
  renderTabs(k ? k.department : null, r.params);
  if (!k) {
    renderControls(r, []);
    main.innerHTML = `<h1 class="page-title">Unknown KPI</h1><p class="error">No KPI '${
      esc(r.id)}' in this workspace.</p>`;
    return;
  }
  renderControls(r, [k]);
  S.lastKpi = k.id;
  const period = periodOf(r.params);
  const f = parseFilter(r.params.get('f'));
  const filtered = f && k.dimensions.includes(f.dim);
  const fq = filtered ? { where: whereOf(f) } : {};
  const dec = k.decimals;
  const grain = ['week', 'month', 'quarter', 'year'].includes(r.params.get('grain'))
    ? r.params.get('grain') : ['week', 'month', 'quarter', 'year'].includes(k.grain) ? k.grain
      : 'month';
  const defRange = grain === 'year' ? 'all' : grain === 'quarter' ? '24' : '12';
  const range = ['12', '24', 'all'].includes(r.params.get('range')) ? r.params.get('range')
    : defRange;
  const by = k.dimensions.includes(r.params.get('by')) ? r.params.get('by') : k.dimensions[0];
  const topDim = k.dimensions.includes(r.params.get('top')) ? r.params.get('top')
    : defaultLeaderDim(k);
  const back = link(`/dept/${encodeURIComponent(k.department || '')}`, globalParams(r.params));
  document.title = `${k.name} · kpi`;
  destroyCharts();

  const dims = k.dimensions.map((d) => [d, d]);
  main.innerHTML = `
    <p class="crumbs"><a href="${back}">← ${esc(deptName(k.department))}</a></p>
    <h1 class="page-title" id="kpi-title" tabindex="-1">${esc(k.name)}</h1>
    <p class="desc">${esc(k.description || '')}</p>
    <p class="facts"><span>unit <b>${esc(k.unit || 'number')}</b></span>
      <span>grain <b>${esc(k.grain || 'month')}</b></span>
      <span>${k.direction === 'down' ? 'lower is better' : 'higher is better'}</span>
      ${k.formula ? `<code class="formula">${esc(k.formula)}</code>` : ''}</p>
    ${f && !filtered ? `<p class="note">The filter ${esc(f.dim)} = ${esc(f.value)} does not apply:
      ${esc(k.name)} is not broken down by ${esc(f.dim)}.</p>` : ''}
    ${filtered ? `<p class="note">Filtered: <strong>${esc(f.dim)} = ${esc(f.value)}</strong>
      (<a href="${link(currentPath(r), withParams(r.params, { f: null }))}">clear</a>)</p>` : ''}
    <section class="summary" id="summary" aria-label="${esc(monthLabel(period))}">
      <p class="loading">Loading…</p></section>
    ${section('chart', 'Over time', `<div class="panel-controls">${
    select('grain', 'Grain', [['week', 'week'], ['month', 'month'], ['quarter', 'quarter'],
      ['year', 'year']], grain)}${
    select('range', 'Range', [['12', '12 months'], ['24', '24 months'], ['all', 'all data']],
      range)}</div>`)}
    ${k.dimensions.length ? section('breakdown', `By <span id="by-name">${esc(by)}</span>`,
    `<div class="panel-controls">${select('by', 'Breakdown', dims, by)}</div>`) : ''}
    ${k.dimensions.length ? section('leaders', 'Leaderboard', `<div class="panel-controls">${
      select('top', 'By', dims, topDim)}</div>`) : ''}
    ${k.dimensions.length ? '' : '<p class="muted">This KPI declares no dimensions: no breakdown.</p>'}`;
  for (const [id, key] of [['grain', 'grain'], ['range', 'range'], ['by', 'by'], ['top', 'top']]) {
    const el = $(`#${id}`);
    if (el) {
      el.addEventListener('change', () => {
        go(link(currentPath(route()), withParams(route().params, { [key]: el.value })), true);
      });
    }
  }
  if (r.focus) $('#kpi-title').focus();

  const groupQ = filtered ? { by: f.dim, ...fq } : {}; // group targets for the filtered value
  const jobs = [];
  // the period: value, target, status, change, previous, last year
  jobs.push(api('query', { kpi: k.id, period, ...groupQ }).then((res) => {
    if (gen !== S.gen) return;
    summary($('#summary'), k, res.kpis[0].series[0] || {}, period, dec, res.kpis[0].data_from);
  }).catch((e) => gen === S.gen && failed($('#summary'), e)));
  // the chart over time
  const { from, to } = chartRange(period, range === 'all' ? 1200 : Number(range), grain,
    range === 'all' ? S.earliest : null);
  jobs.push(api('query', { kpi: k.id, from, to, grain, ...groupQ }).then((res) => {
    if (gen !== S.gen) return;
    const body = $('#chart .panel-body');
    const series = res.kpis[0].series;
    body.innerHTML = `<div class="chart" data-points="${series.length}"></div>
      <p class="legend-note">By ${esc(grain)}, ${esc(from)} to ${esc(to)}.
      <span class="key value"></span> value <span class="key target"></span> target
      <span class="key last-year"></span> last year</p>`;
    if (!series.length) body.innerHTML = '<p class="muted">No periods in this range.</p>';
    else timeChart(body.querySelector('.chart'), k, series, dec, period);
  }).catch((e) => gen === S.gen && failed($('#chart .panel-body'), e)));
  if (k.dimensions.length) {
    jobs.push(breakdown(k, period, by, fq, dec, gen));
    jobs.push(leaders(k, period, topDim, f && filtered ? f : null, fq, dec, gen));
  }
  await Promise.all(jobs);
}

// What a '*' after a compared value means (the JSON's previous_partial, last_year_partial).
const partialNote = (from) => ` (* compared with a period the data covers only in part${
  from ? `: data from ${from}` : ''})`;

function summary(el, k, p, period, dec, from) {
  const [glyph, words] = STATUS[p.status] || ['?', p.status || DASH];
  const row = (label, v, cls = '') => `<div class="fact ${cls}"><dt>${label}</dt><dd>${v}</dd></div>`;
  const val = (v, cls = '', partial = false) => `<span class="num ${cls}" data-value="${
    rawValue(v)}">${esc(formatValue(v, k.unit, dec))}${partial ? '*' : ''}</span>`;
  const partial = p.previous_partial || p.last_year_partial;
  el.innerHTML = `<div class="big st-${esc(p.status)}" data-kpi="${esc(k.id)}"
      data-value="${rawValue(p.value)}" data-period="${esc(p.period || period)}">
      <span class="big-period">${esc(p.period || period)}${p.complete === false ? ' (to date)' : ''}
      </span>
      <span class="value">${esc(formatValue(p.value, k.unit, dec))}</span>
      <span class="status"><span aria-hidden="true">${glyph}</span> ${esc(words)}</span></div>
    <dl class="facts-grid">
      ${row('Target', val(p.target))}
      ${row('Attainment', `<span class="num">${esc(formatAttainment(p.attainment))}</span>`)}
      ${row('Change', `<span class="num change ${changeClass(delta(p, k.unit), k.direction)}">${
  esc(formatChange(p.change, p.change_points, k.unit, dec))}</span>`)}
      ${row('Previous period', val(p.previous, '', p.previous_partial))}
      ${row('Last year', val(p.last_year, '', p.last_year_partial))}
      ${p.complete === false ? row('Expected to date', val(p.expected_to_date)) : ''}
      ${p.complete === false ? row('Projected', val(p.projected)) : ''}
    </dl>${partial ? `<p class="legend-note partial-note">${esc(partialNote(from).trim())}</p>` : ''}`;
}

function rowsOf(series, dim) {
  const rows = series.map((p) => ({ ...p, label: groupLabel(p.group), key: p.group[dim] }));
  rows.sort((a, b) => (defined(b.value) ? b.value : -Infinity) - (defined(a.value) ? a.value : -Infinity)
    || a.label.localeCompare(b.label));
  rows.dim = dim;
  return rows;
}

async function breakdown(k, period, by, fq, dec, gen) {
  const body = () => $('#breakdown .panel-body');
  try {
    const res = await api('query', { kpi: k.id, period, by, ...fq });
    if (gen !== S.gen) return;
    const rows = rowsOf(res.kpis[0].series, by);
    const el = body();
    el.innerHTML = `<div class="bars"></div><div class="table-wrap">
      <table class="data" id="breakdown-table" data-by="${esc(by)}" data-period="${esc(period)}">
      <caption class="sr-only">${esc(k.name)} by ${esc(by)}, ${esc(period)}</caption>
      <thead><tr><th scope="col">${esc(by)}</th><th scope="col" class="num">Value</th>
      <th scope="col" class="num">Target</th><th scope="col" class="num">Attainment</th>
      <th scope="col">Status</th><th scope="col" class="num">Change</th></tr></thead>
      <tbody>${rows.map((p) => {
    const [glyph, words] = STATUS[p.status] || ['?', p.status];
    return `<tr data-group="${esc(p.key ?? '')}" data-value="${rawValue(p.value)}">
        <th scope="row">${esc(p.label)}</th>
        <td class="num value">${esc(formatValue(p.value, k.unit, dec))}</td>
        <td class="num" data-value="${rawValue(p.target)}">${esc(formatValue(p.target, k.unit, dec))}</td>
        <td class="num">${esc(formatAttainment(p.attainment))}</td>
        <td class="status st-${esc(p.status)}"><span aria-hidden="true">${glyph}</span> ${esc(words)}</td>
        <td class="num change ${changeClass(delta(p, k.unit), k.direction)}">${
  esc(formatChange(p.change, p.change_points, k.unit, dec))}</td>
      </tr>`;
  }).join('')}</tbody></table></div>
      ${rows.length ? '' : '<p class="muted">No groups in this period.</p>'}`;
    if (rows.length) barChart(el.querySelector('.bars'), k, rows, dec);
  } catch (e) {
    if (gen === S.gen) failed(body(), e);
  }
}

// The leaderboard: /api/v1/top; with a filter (top takes none), the filtered breakdown, best
// first by the KPI's direction.
async function leaders(k, period, dim, f, fq, dec, gen) {
  const body = () => $('#leaders .panel-body');
  try {
    let rows;
    let note = '';
    if (f) {
      const res = await api('query', { kpi: k.id, period, by: dim, ...fq });
      rows = rowsOf(res.kpis[0].series, dim).filter((p) => defined(p.value)
        && p.group[dim] !== null && p.group[dim] !== '');
      if (k.direction === 'down') rows.reverse();
      rows = rows.slice(0, 10);
      note = `<p class="muted small">Within ${esc(f.dim)} = ${esc(f.value)}.</p>`;
    } else {
      const res = await api('top', { kpi: k.id, by: dim, period, n: 10 });
      rows = res.kpis[0].series.map((p) => ({ ...p, label: groupLabel(p.group), key: p.group[dim] }));
    }
    if (gen !== S.gen) return;
    body().innerHTML = rows.length ? `<ol class="leaders" data-by="${esc(dim)}">${rows.map((p, i) =>
      `<li data-group="${esc(p.key ?? '')}" data-value="${rawValue(p.value)}">
        <span class="rank">${i + 1}</span><span class="who">${esc(p.label)}</span>
        <span class="num">${esc(formatValue(p.value, k.unit, dec))}</span>
        <span class="att st-${esc(p.status)}" title="attainment">${
  defined(p.attainment) ? esc(formatAttainment(p.attainment)) : ''}</span></li>`).join('')}</ol>${note}`
      : '<p class="muted">Nobody to rank in this period.</p>';
  } catch (e) {
    if (gen === S.gen) failed(body(), e);
  }
}

// ---- rendering and refreshing ------------------------------------------------------------------

let lastView = null;

async function render(opts = {}) {
  const gen = ++S.gen;
  const r = route();
  const scrollY = window.scrollY;
  const focusedKpi = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.kpi : null;
  r.focus = !opts.refresh && r.view === 'kpi' && lastView !== `kpi:${r.id}`;
  lastView = r.view === 'kpi' ? `kpi:${r.id}` : 'overview';
  try {
    if (r.view === 'kpi') await renderKpi(r, gen);
    else await renderOverview(r, gen);
  } catch (e) {
    if (gen !== S.gen) return;
    $('#main').removeAttribute('aria-busy');
    $('#main').innerHTML = `<h1 class="page-title">Something went wrong</h1>
      <p class="error" role="alert">${esc(e.message)}</p>`;
    return;
  }
  if (gen !== S.gen || !opts.refresh) return;
  window.scrollTo(0, scrollY);
  if (focusedKpi) {
    const c = document.querySelector(`.card[data-kpi="${CSS.escape(focusedKpi)}"]`);
    if (c) c.focus({ preventScroll: true });
  }
}

async function poll() {
  if (document.hidden) return;
  const sig = await loadStreams();
  if (sig === null || S.streams === null) {
    S.streams = sig;
    return;
  }
  if (sig === S.streams) return;
  S.streams = sig;
  cache.clear();
  try {
    S.defaultPeriod = await defaultPeriod(); // a new month may have begun
    await loadStreams();
  } catch {
    /* keep the old default */
  }
  await render({ refresh: true });
  const t = new Date().toLocaleTimeString('en-US', { hour12: false });
  $('#live').textContent = `New data: updated at ${t}`;
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
}

async function start() {
  onControls();
  onTabKeys();
  try {
    await loadWorkspace();
  } catch (e) {
    $('#main').innerHTML = `<h1 class="page-title">The dashboard cannot load</h1>
      <p class="error" role="alert">${esc(e.message)}</p>`;
    return;
  }
  S.streams = await loadStreams();
  window.addEventListener('hashchange', () => render());
  await render();
  document.body.dataset.ready = '1';
  setInterval(() => poll().catch(() => {}), POLL * 1000);
}

start();
