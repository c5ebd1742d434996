// dashboard.mjs - the dashboard of `kpi serve` in a real browser (playwright-core driving
// Debian's chromium headless), run by tests/cli/050-dashboard.sh against a demo workspace:
//
//   node dashboard.mjs BASE_URL DIR
//
// DIR holds what the script prepared with the CLI: period (the report's period), kpis.txt
// (lines "KPI DEPARTMENT"), and per KPI K: K.json (`kpi query K --period P --format json`) and
// K.txt (the same as a table), plus revenue-by-region.{json,txt}, revenue-top-rep.json,
// revenue-prev.json, filter (a region) and revenue-filter.json. Screenshots go to DIR too.
// Prints "ok N - name" / "not ok N - name" lines; the numbers the dashboard shows must be the
// CLI's, by value (data-value: the API's number) and by text (the CLI's table).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [base, dir] = process.argv.slice(2);
const chromiumPath = process.env.KPI_CHROMIUM || '/usr/bin/chromium';
const read = (f) => readFileSync(join(dir, f), 'utf8');
const readJson = (f) => JSON.parse(read(f));
const period = read('period').trim();
const cards = read('kpis.txt').trim().split('\n').map((l) => l.split(' '));

let n = 0;
let failed = 0;
async function check(name, fn) {
  n++;
  try {
    await fn();
    console.log(`ok ${n} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    for (const line of String(e && e.stack || e).split('\n').slice(0, 12)) console.log(`#   ${line}`);
  }
}
function eq(got, want, what) {
  if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
function ok(cond, what) {
  if (!cond) throw new Error(what);
}

// The rows of a CLI table (`kpi query` without --format): the header's names to cells,
// columns being separated by two spaces or more.
function table(text) {
  const lines = text.split('\n').filter((l) => l.trim() && !/^[─\s]+$/.test(l));
  const hi = lines.findIndex((l) => /^period\s/.test(l));
  const cols = lines[hi].trim().split(/\s{2,}/);
  return lines.slice(hi + 1).map((l) => {
    const cells = l.trim().split(/\s{2,}/);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
  });
}
// "○ off track" -> "Off track"
const statusWords = (s) => s.replace(/^\S+\s+/, '').replace(/^./, (c) => c.toUpperCase());

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic'],
});
const errors = [];
async function newPage(viewport) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  return page;
}
const ready = (page) => page.waitForSelector('body[data-ready]');
const cardsLoaded = (page, dept) => page.waitForFunction((d) => {
  const tab = document.querySelector('[role="tab"][aria-selected="true"]');
  return tab && tab.dataset.dept === d && document.querySelector('.cards .card')
    && !document.querySelector('main[aria-busy]');
}, dept);

const page = await newPage({ width: 1280, height: 900 });
const apiKpis = await (await fetch(`${base}/api/v1/kpis`)).json();
const depts = [...new Set(apiKpis.kpis.map((k) => k.department))];

await check('the dashboard loads at /: a tab per department, every card shows a value', async () => {
  await page.goto(`${base}/`);
  await ready(page);
  await cardsLoaded(page, depts[0]);
  const tabs = await page.$$eval('[role="tab"]', (ts) => ts.map((t) => t.dataset.dept));
  eq(tabs.join(','), [...depts, 'all'].join(','), 'tabs');
  const shown = await page.$$eval('.card', (cs) => cs.map((c) => ({
    kpi: c.dataset.kpi, raw: c.dataset.value, text: c.querySelector('.value')?.textContent,
    spark: !!c.querySelector('.spark canvas') })));
  const want = apiKpis.kpis.filter((k) => k.department === depts[0] && !k.manual).map((k) => k.id);
  eq(shown.map((c) => c.kpi).join(','), want.join(','), 'the first tab\'s cards');
  for (const c of shown) {
    ok(c.raw !== '' && Number.isFinite(Number(c.raw)), `${c.kpi}: data-value ${c.raw}`);
    ok(c.text && c.text !== '—', `${c.kpi}: no value shown`);
    ok(c.spark, `${c.kpi}: no sparkline (uPlot canvas)`);
  }
  eq(await page.$eval('#period', (s) => s.value), period, 'the period picker\'s default');
});

await check('the page and its assets are served from the binary with the right headers', async () => {
  const r = await fetch(`${base}/`);
  eq(r.headers.get('content-type'), 'text/html; charset=utf-8', '/ type');
  eq(r.headers.get('cache-control'), 'no-cache', '/ cache');
  const html = await r.text();
  const m = /assets\/app\.js\?v=([0-9a-f]{16})/.exec(html);
  ok(m, 'the page names app.js with a version');
  for (const [name, type] of [['app.js', 'text/javascript; charset=utf-8'],
    ['uPlot.iife.min.js', 'text/javascript; charset=utf-8'], ['style.css', 'text/css; charset=utf-8'],
    ['uPlot.min.css', 'text/css; charset=utf-8']]) {
    const a = await fetch(`${base}/assets/${name}?v=${m[1]}`);
    eq(a.status, 200, name);
    eq(a.headers.get('content-type'), type, `${name} type`);
    ok(/max-age=31536000/.test(a.headers.get('cache-control')), `${name} is cached long`);
  }
  eq((await fetch(`${base}/assets/nothing.js`)).status, 404, 'an unknown asset');
  eq((await fetch(`${base}/assets/index.html`)).status, 404, 'the page under /assets');
});

await check('card values equal kpi query: data-value, value, target, status and change text', async () => {
  ok(cards.length >= 5, 'at least 5 cards to compare');
  for (const [id, dept] of cards) {
    await page.goto(`${base}/#/dept/${dept}`);
    await cardsLoaded(page, dept);
    const c = await page.$eval(`.card[data-kpi="${id}"]`, (el) => ({
      raw: el.dataset.value, text: el.querySelector('.value').textContent.trim(),
      full: el.querySelector('.value').title,
      target: el.querySelector('.target').textContent.trim(),
      status: el.querySelector('.status').textContent.trim(),
      change: el.querySelector('.change').textContent.replace(' vs previous period', '').trim(),
    }));
    const cli = readJson(`${id}.json`).kpis[0].series[0];
    const row = table(read(`${id}.txt`)).find((r) => r.period === period);
    eq(Number(c.raw), cli.value, `${id} data-value`);
    eq(c.full, row.value, `${id} value text (the card's title)`);
    const unitOf = readJson(`${id}.json`).kpis[0].unit;
    if (Math.abs(cli.value) >= 1e6 && unitOf !== 'percent' && unitOf !== 'duration') {
      const short = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 })
        .format(Math.abs(cli.value));
      eq(c.text, `${cli.value < 0 ? '-' : ''}${unitOf === 'currency' ? '€' : ''}${short}`,
        `${id} compact value`);
    } else {
      eq(c.text, row.value, `${id} value text`);
    }
    eq(c.target, row.target, `${id} target text`);
    eq(c.status.replace(/^\S+\s+/, ''), statusWords(row.status), `${id} status`);
    eq(c.change, row.change, `${id} change`);
    const unit = readJson(`${id}.json`).kpis[0].unit;
    if (unit === 'currency' || unit === 'count') { // and by an independent rule
      const d = unit === 'currency' ? 2 : 0;
      const fmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
      const text = fmt.format(Math.abs(cli.value));
      eq(c.full, `${cli.value < 0 ? '-' : ''}${unit === 'currency' ? '€' : ''}${text}`,
        `${id} value as en-US with ${d} decimals`);
    }
  }
});

await check('percent changes are in points, amounts in euros, no unit words after values', async () => {
  await page.goto(`${base}/#/dept/finance`);
  await cardsLoaded(page, 'finance');
  const gpm = await page.$eval('.card[data-kpi="gross_profit_margin"] .change', (e) =>
    e.textContent.replace(' vs previous period', '').trim());
  const cli = readJson('gross_profit_margin.json').kpis[0].series[0];
  ok(/^(▲ \+|▼ -|= )[\d,]+\.\d pp$/.test(gpm), `gross profit margin's change in points: ${gpm}`);
  const pts = cli.value - cli.previous;
  ok(Math.abs(Number(gpm.replace(/[^\d.-]/g, '')) - pts) < 0.051, `${gpm} is ${pts} points`);
  await page.goto(`${base}/#/dept/sales`);
  await cardsLoaded(page, 'sales');
  const rev = await page.$eval('.card[data-kpi="revenue"]', (el) => ({
    value: el.querySelector('.value').textContent.trim(), target: el.querySelector('.target').textContent.trim(),
    unitWords: el.querySelectorAll('.unit').length }));
  ok(/^-?€/.test(rev.value) && /^(-?€|—)/.test(rev.target), `revenue in euros: ${rev.value}, ${rev.target}`);
  eq(rev.unitWords, 0, 'no unit word after the value');
  // the card's short form of large values, by the page's own module (the demo is too small
  // to reach a million here)
  const short = await page.evaluate(async () => {
    const m = await import(document.querySelector('script[type="module"]').src);
    return [m.formatCompact(5612345.67, 'currency', 2), m.formatCompact(-2.5e9, 'count', 0),
      m.formatCompact(999999, 'count', 0), m.formatCompact(12345678, 'percent', 1),
      m.formatChange(0.0352, 1.4, 'percent', 1), m.formatChange(-0.05, -0.123, 'ratio', 2)];
  });
  eq(short.join(' | '), '€5.61M | -2.5B | 999,999 | 12,345,678.0% | ▲ +1.4 pp | ▼ -0.12',
    'compact values and changes in points');
});

await check('a broken KPI is shown broken in its place; the other cards answer', async () => {
  await page.goto(`${base}/#/dept/lab`);
  await cardsLoaded(page, 'lab');
  const b = await page.$eval('.card[data-kpi="lab_broken"]', (el) => ({
    status: el.dataset.status, note: el.querySelector('.card-note').textContent }));
  eq(b.status, 'broken', 'its status');
  ok(/unknown field 'revnue' in stream 'orders'/.test(b.note), `its reason: ${b.note}`);
  await page.goto(`${base}/#/dept/all`);
  await cardsLoaded(page, 'all');
  const values = await page.$$eval('.card:not(.broken)', (cs) => cs.map((c) => c.dataset.value));
  ok(values.length > 20 && values.every((v) => v !== ''), `${values.length} other cards with values`);
});

await check('clicking a card opens its KPI page: summary, uPlot chart with target and last year', async () => {
  await page.goto(`${base}/#/dept/sales`);
  await cardsLoaded(page, 'sales');
  await page.click('.card[data-kpi="revenue"]');
  await page.waitForSelector('#chart .uplot canvas');
  await page.waitForSelector('#summary .big');
  ok(/^#\/kpi\/revenue/.test(await page.evaluate(() => location.hash)), 'the hash');
  eq(await page.$eval('h1', (h) => h.textContent.trim()), 'Revenue', 'the title');
  const cli = readJson('revenue.json').kpis[0].series[0];
  const row = table(read('revenue.txt'))[0];
  eq(Number(await page.$eval('#summary .big', (b) => b.dataset.value)), cli.value, 'summary value');
  eq(await page.$eval('#summary .big .value', (b) => b.textContent.trim()), row.value, 'summary text');
  eq(await page.$eval('#chart .chart', (c) => c.dataset.points), '12', 'a year of months');
  const legend = await page.$$eval('#chart .u-legend .u-label', (ls) => ls.map((l) => l.textContent));
  eq(legend.join(','), 'Period,Revenue,Target,Last year', 'the chart\'s series');
  // the legend shows the picked period's numbers
  const vals = await page.$$eval('#chart .u-legend .u-value', (vs) => vs.map((v) => v.textContent));
  eq(vals[0], period, 'legend period');
  eq(vals[1], row.value, 'legend value');
  eq(vals[2], row.target, 'legend target');
  eq(vals[3], row['last year'], 'legend last year');
});

await check('the breakdown table and bars equal kpi query --by region', async () => {
  await page.waitForSelector('#breakdown-table tbody tr');
  await page.waitForSelector('#breakdown .bars canvas');
  const rows = await page.$$eval('#breakdown-table tbody tr', (trs) => trs.map((tr) => ({
    group: tr.dataset.group, raw: tr.dataset.value, text: tr.querySelector('.value').textContent,
  })));
  const cli = readJson('revenue-by-region.json').kpis[0].series;
  const text = table(read('revenue-by-region.txt'));
  eq(rows.length, cli.length, 'rows');
  for (const p of cli) {
    const r = rows.find((x) => x.group === p.group.region);
    ok(r, `no row for ${p.group.region}`);
    eq(Number(r.raw), p.value, `${p.group.region} data-value`);
    eq(r.text, text.find((t) => t.region === p.group.region).value, `${p.group.region} text`);
  }
});

await check('the leaderboard equals kpi top revenue --by rep', async () => {
  await page.waitForSelector('#leaders li');
  const got = await page.$$eval('#leaders li', (ls) => ls.map((l) => [l.dataset.group, Number(l.dataset.value)]));
  const want = readJson('revenue-top-rep.json').kpis[0].series.map((p) => [p.group.rep, p.value]);
  eq(JSON.stringify(got), JSON.stringify(want), 'leaders');
});

await check('screenshots of the overview and the KPI page are written', async () => {
  await page.screenshot({ path: join(dir, 'kpi-page.png'), fullPage: true });
  await page.goto(`${base}/#/dept/sales`);
  await cardsLoaded(page, 'sales');
  await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });
  for (const f of ['dashboard.png', 'kpi-page.png']) {
    const b = readFileSync(join(dir, f));
    ok(b.length > 10000 && b.subarray(1, 4).toString() === 'PNG', `${f}: ${b.length} bytes`);
  }
});

await check('keyboard: arrows move between tabs, Enter opens a tab and a card', async () => {
  await page.focus('[role="tab"][aria-selected="true"]');
  await page.keyboard.press('ArrowRight');
  const next = await page.evaluate(() => document.activeElement.dataset.dept);
  eq(next, depts[depts.indexOf('sales') + 1] || 'all', 'focus after ArrowRight');
  await page.keyboard.press('Enter');
  await cardsLoaded(page, next);
  await page.focus('.card');
  const id = await page.evaluate(() => document.activeElement.dataset.kpi);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  ok(outline !== 'none', 'a focused card shows its focus');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#chart .uplot canvas');
  ok((await page.evaluate(() => location.hash)).startsWith(`#/kpi/${id}`), 'Enter opened the card');
  eq(await page.evaluate(() => document.activeElement.id), 'kpi-title', 'focus moves to the page');
  await page.goBack(); // the back button returns to the tab, focus on the card
  await cardsLoaded(page, next);
  eq(await page.evaluate(() => document.activeElement.dataset.kpi), id, 'focus back on the card');
});

await check('the period picker shows another month: equals kpi query --period', async () => {
  await page.goto(`${base}/#/dept/sales`);
  await cardsLoaded(page, 'sales');
  const prev = readJson('revenue-prev.json').kpis[0].series[0];
  await page.selectOption('#period', prev.period);
  await page.waitForFunction((p) => location.hash.includes(`period=${p}`), prev.period);
  await page.waitForFunction((v) => document.querySelector('.card[data-kpi="revenue"]')
    ?.dataset.value === String(v), prev.value);
});

await check('a comparison with a period the data covers only in part is marked, as kpi query says', async () => {
  const early = readJson('revenue-early.json').kpis[0];
  const p = early.series[0];
  ok(p.last_year_partial === true && early.data_from, 'kpi query flags last year');
  await page.goto(`${base}/#/kpi/revenue?period=${p.period}`);
  await page.waitForSelector('#summary .big');
  await page.waitForFunction((v) => document.querySelector('#summary .big')?.dataset.period === v,
    p.period);
  const facts = Object.fromEntries(await page.$$eval('#summary .fact', (fs) => fs.map((f) =>
    [f.querySelector('dt').textContent, f.querySelector('dd').textContent.trim()])));
  ok(facts['Last year'].endsWith('*'), `last year marked: ${facts['Last year']}`);
  eq(facts['Previous period'].endsWith('*'), p.previous_partial === true, 'previous as kpi query');
  const note = await page.$eval('#summary .partial-note', (n) => n.textContent);
  ok(note.includes(`data from ${early.data_from}`), `the note names the first day: ${note}`);
});

await check('a filter (region = ...) shows the group: equals kpi query --where --by', async () => {
  await page.goto(`${base}/#/dept/sales`);
  await cardsLoaded(page, 'sales');
  const region = read('filter').trim();
  await page.selectOption('#filter-dim', 'region');
  await page.waitForSelector(`#filter-val option:text-is("${region}")`, { state: 'attached' });
  await page.selectOption('#filter-val', region);
  const p = readJson('revenue-filter.json').kpis[0].series[0];
  await page.waitForFunction((v) => document.querySelector('.card[data-kpi="revenue"]')
    ?.dataset.value === String(v), p.value);
  const c = await page.$eval('.card[data-kpi="revenue"]', (el) => ({
    status: el.dataset.status, target: Number(el.querySelector('.target').dataset.value) }));
  eq(c.status, p.status, 'filtered status');
  eq(c.target, p.target, 'filtered target (the region\'s)');
  const excluded = await page.$$eval('.card.excluded', (cs) => cs.length);
  const undeclared = apiKpis.kpis.filter((k) => k.department === 'sales'
    && !k.dimensions.includes('region')).length;
  eq(excluded, undeclared, 'cards of KPIs without a region breakdown are set aside');
});

await check('on a 375 px wide screen nothing overflows sideways', async () => {
  const phone = await newPage({ width: 375, height: 812 });
  const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  await phone.goto(`${base}/#/dept/sales`);
  await ready(phone);
  await cardsLoaded(phone, 'sales');
  eq(await overflow(), 0, 'overview overflow (px)');
  await phone.screenshot({ path: join(dir, 'phone.png'), fullPage: true });
  await phone.click('.card[data-kpi="revenue"]');
  await phone.waitForSelector('#chart .uplot canvas');
  await phone.waitForSelector('#breakdown .bars canvas');
  await phone.waitForSelector('#leaders li');
  eq(await overflow(), 0, 'KPI page overflow (px)');
  const chartW = await phone.$eval('#chart .uplot', (u) => u.getBoundingClientRect().right);
  ok(chartW <= 375, `the chart fits: right edge at ${chartW}`);
  await phone.screenshot({ path: join(dir, 'phone-kpi.png'), fullPage: true });
  await phone.close();
});

await check('text meets WCAG AA contrast (4.5:1)', async () => {
  await page.goto(`${base}/#/dept/sales`);
  await cardsLoaded(page, 'sales');
  const bad = await page.evaluate(() => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bg = (el) => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out = [];
    const sel = '.card-name, .value, .unit, .status, .change, .card-target, [role="tab"], .control, .page-title';
    for (const el of document.querySelectorAll(sel)) {
      const a = lum(rgb(getComputedStyle(el).color));
      const b = lum(bg(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) out.push(`${el.className || el.tagName} ${ratio.toFixed(2)}`);
    }
    return out;
  });
  eq(bad.join('; '), '', 'low contrast');
});

await check('new data refreshes the page (polling /api/v1/streams)', async () => {
  await page.goto(`${base}/?poll=1#/dept/sales`);
  await ready(page);
  await cardsLoaded(page, 'sales');
  const csv = join(dir, 'late-order.csv');
  writeFileSync(csv, `line_id,order_id,ordered_at,region,quantity,revenue\nLATE-1,LATE,${period}-15T12:00:00Z,${read('filter').trim()},1,1000\n`);
  execFileSync(process.env.KPI, ['import', 'orders', csv], { stdio: 'ignore' });
  const now = JSON.parse(execFileSync(process.env.KPI, ['query', 'revenue', '--period', period,
    '--format', 'json'], { encoding: 'utf8' })).kpis[0].series[0].value;
  ok(now !== readJson('revenue.json').kpis[0].series[0].value, 'the import changed revenue');
  await page.waitForFunction((v) => document.querySelector('.card[data-kpi="revenue"]')
    ?.dataset.value === String(v), now, { timeout: 15000 });
  ok(await page.$eval('body', (b) => Number(b.dataset.refreshed) >= 1), 'a refresh was counted');
});

await check('?token=T is kept in sessionStorage and sent as a Bearer token', async () => {
  const out = execFileSync(process.env.KPI, ['token', 'create', '--role', 'viewer', '--name', 'dash'],
    { encoding: 'utf8' });
  const token = out.trim().split('\n').pop().trim();
  const anon = await newPage({ width: 1280, height: 900 });
  await anon.goto(`${base}/`);
  await anon.waitForSelector('main .error');
  ok(/token/.test(await anon.$eval('main .error', (e) => e.textContent)), 'without a token: a 401 message');
  await anon.close();
  const p = await newPage({ width: 1280, height: 900 });
  const auth = [];
  p.on('request', (r) => r.url().includes('/api/') && auth.push(r.headers().authorization || ''));
  await p.goto(`${base}/?token=${encodeURIComponent(token)}`);
  await ready(p);
  await cardsLoaded(p, depts[0]);
  ok(!p.url().includes('token='), `the token left the address bar: ${p.url()}`);
  eq(await p.evaluate(() => sessionStorage.getItem('kpi-token')), token, 'sessionStorage');
  ok(auth.length > 0 && auth.every((h) => h === `Bearer ${token}`), `headers: ${auth.join(',')}`);
  await p.close();
});

await check('no script errors in the browser console', async () => {
  // the token step's anonymous page gets 401s on purpose
  const real = errors.filter((e) => !/401 \(Unauthorized\)/.test(e));
  eq(real.join('\n'), '', 'errors');
});

await browser.close();
process.exit(failed ? 1 : 0);
