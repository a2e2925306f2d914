// End-to-end test of web/widget.js in real headless Chromium (Debian's /usr/bin/chromium):
// the fake exchange feeds sised, and <sise-ticker> shows it. Run by scripts/test after the
// ctest runs (node --test tests/browser/); needs build/ci (sised, sise-fake-exchange).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import puppeteer from 'puppeteer-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.SISE_BIN_DIR || path.join(repo, 'build/ci');
const web = path.join(repo, 'web');
const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'];

// The one-line switch: false while sised's router does not serve "/" and "/widget.js" yet
// (the demo page and widget.js then come from the node server, cross-origin); true once it
// does (the page is sised's own, same origin).
const DEMO_FROM_SISED = true;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sise-browser-'));
const children = [];
let browser, fake, sised, sisedPort, embedder, stranger;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts a child; resolves once a line of its output matches `ready`.
function start(file, args, ready, logName) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let log = '';
    const onData = (chunk) => {
      log += chunk;
      writeFileSync(path.join(tmp, logName), log);
      const m = ready.exec(log);
      if (m) resolve({ child, match: m });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before ready:\n${log}`)));
    setTimeout(() => reject(new Error(`${file} not ready in 10 s:\n${log}`)), 10000);
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}

async function startSised() {
  const { child } = await start(path.join(bin, 'sised'), ['--config', path.join(tmp, 'sised.toml')],
    /listening on/, 'sised.log');
  sised = child;
}

// A tiny static server on its own loopback origin: the embedding site.
function serveSite(port, pageFor) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    let body;
    if (name === 'index.html' || name === 'embed.html') body = pageFor(name);
    else if (/^[a-z]+\.(js|css)$/.test(name)) {
      try { body = readFileSync(path.join(web, name)); } catch { body = null; }
    }
    if (body == null) {
      res.writeHead(404).end();
      return;
    }
    const origin = `http://127.0.0.1:${port}`;
    const sisedOrigin = `http://127.0.0.1:${sisedPort}`;
    // The strictest CSP the widget works under (docs/widget.md): no inline anything.
    res.writeHead(200, {
      'Content-Type': types[path.extname(name)],
      'Content-Security-Policy': `default-src 'none'; script-src ${origin}; style-src ${origin}; ` +
        `connect-src ${sisedOrigin} ws://127.0.0.1:${sisedPort}; img-src 'none'`,
    });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

// index.html as the node server serves it: pointed at sised, since widget.js comes from here.
function demoPage() {
  return readFileSync(path.join(web, 'index.html'), 'utf8')
    .replace('<sise-ticker', `<sise-ticker src="http://127.0.0.1:${sisedPort}"`);
}

function embedPage(markets) {
  return () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>embed</title>
<script src="/widget.js" defer></script></head><body>
<sise-ticker src="http://127.0.0.1:${sisedPort}" markets="${markets}" lang="en" colors="us"></sise-ticker>
</body></html>`;
}

// Opens a page, recording every request and websocket that leaves `origins`, and CSP errors.
async function open(url, origins) {
  const page = await browser.newPage();
  const foreign = [];
  const cspErrors = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const origin = new URL(req.url()).origin;
    if (!origins.includes(origin)) {
      foreign.push(req.url());
      req.abort();
    } else {
      req.continue();
    }
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', ({ url: ws }) => {
    const origin = new URL(ws.replace(/^ws/, 'http')).origin;
    if (!origins.includes(origin)) foreign.push(ws);
  });
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
  });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return { page, foreign, cspErrors };
}

function rows(page) {
  return page.$$eval('sise-ticker', (els) => [...els[0].shadowRoot.querySelectorAll('tbody tr')].map((tr) => ({
    market: tr.dataset.market,
    exchange: tr.dataset.exchange,
    status: tr.dataset.status,
    name: tr.querySelector('th span').textContent,
    price: tr.querySelector('.price').textContent,
    change: tr.cells[2].textContent,
  })));
}

const state = (page) => page.$eval('sise-ticker', (el) => el.dataset.state);

async function until(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function snapshot() {
  const res = await fetch(`http://127.0.0.1:${sisedPort}/v1/snapshot`);
  return (await res.json()).tickers;
}

async function healthz() {
  return (await fetch(`http://127.0.0.1:${sisedPort}/healthz`)).json();
}

const groupDigits = (s) => s.replace(/^(-?)(\d+)/, (_, sign, int) => sign + int.replace(/\B(?=(\d{3})+$)/g, ','));

before(async () => {
  const { match } = await start(path.join(bin, 'sise-fake-exchange'),
    ['--port', '0', '--rate', '20', '--markets', MARKETS.join(','), '--quiet'],
    /listening on 127\.0\.0\.1:(\d+)/, 'fake.log');
  fake = children.at(-1);
  const fakePort = match[1];
  sisedPort = await freePort();
  const embedPort = await freePort();
  const strangerPort = await freePort();
  writeFileSync(path.join(tmp, 'sised.toml'), `
[server]
port = ${sisedPort}
publish_interval_ms = 100
allowed_origins = ["http://127.0.0.1:${embedPort}"]
[history]
dir = "${tmp}/history"
[feeds.upbit]
markets = ${JSON.stringify(MARKETS)}
websocket_url = "ws://127.0.0.1:${fakePort}/websocket/v1"
rest_url = "http://127.0.0.1:${fakePort}"
idle_timeout_ms = 1500
connect_timeout_ms = 1000
reconnect_initial_ms = 200
reconnect_max_ms = 1000
`);
  await startSised();
  embedder = await serveSite(embedPort, (name) => (name === 'index.html' ? demoPage() : embedPage('KRW-BTC,KRW-ETH')()));
  stranger = await serveSite(strangerPort, embedPage('KRW-BTC'));
  browser = await puppeteer.launch({
    executablePath: process.env.SISE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--lang=ko-KR'],
  });
});

after(async () => {
  if (browser) await browser.close();
  embedder?.close();
  stranger?.close();
  await Promise.all(children.map(stop));
  if (!process.exitCode) rmSync(tmp, { recursive: true, force: true });
  else console.log(`logs kept in ${tmp}`);
});

const demoUrl = () => DEMO_FROM_SISED ? `http://127.0.0.1:${sisedPort}/`
  : `http://127.0.0.1:${embedder.address().port}/`;
const demoOrigins = () => [`http://127.0.0.1:${sisedPort}`, new URL(demoUrl()).origin];

test('widget.js gzips to under 8 KB', () => {
  const size = zlib.gzipSync(readFileSync(path.join(web, 'widget.js')), { level: 9 }).length;
  console.log(`widget.js gzipped: ${size} bytes`);
  assert.ok(size < 8192, `${size} bytes`);
});

test('prices keep the exchange\'s digits, grouped; percents round half away from zero on the digits', async () => {
  const { page } = await open(demoUrl(), demoOrigins());
  const out = await page.evaluate(() => {
    const f = customElements.get('sise-ticker').format;
    return {
      price: ['150201000', '1234567.89000000', '0.00001234', '-1000', '999', '0.30000000000000004'].map(f.price),
      percent: ['-2.9512', '2.995', '-0.004', '99.995', '0', '12', '-0.005', '1.2'].map(f.percent),
    };
  });
  assert.deepEqual(out.price, ['150,201,000', '1,234,567.89000000', '0.00001234', '-1,000', '999', '0.30000000000000004']);
  assert.deepEqual(out.percent, ['-2.95%', '+3.00%', '0.00%', '+100.00%', '0.00%', '+12.00%', '-0.01%', '+1.20%']);
  await page.close();
});

test('the demo page shows one row per configured market with the fake\'s prices, then the next tick', async () => {
  const { page, foreign, cspErrors } = await open(demoUrl(), demoOrigins());
  await until('live', async () => (await state(page)) === 'live');
  const shown = await until('3 live rows with prices', async () => {
    const r = await rows(page);
    return r.length === 3 && r.every((x) => x.status === 'live' && /\d/.test(x.price)) && r;
  });
  assert.deepEqual(shown.map((r) => r.market), MARKETS);
  assert.ok(shown.every((r) => r.exchange === 'upbit'));
  assert.equal(shown[0].name, '비트코인');

  // Every shown price is one sised had (the exchange's digits, grouped), and a row moves.
  const first = shown.map((r) => r.price);
  const moved = await until('a price change', async () => {
    const [now, truth] = [await rows(page), await snapshot()];
    const known = new Set(truth.map((t) => groupDigits(t.price)));
    const changed = now.find((r, i) => r.price !== first[i]);
    return changed && known.has(changed.price) && changed;
  });
  assert.match(moved.price, /^\d{1,3}(,\d{3})*(\.\d+)?$/);
  assert.match(moved.change, /^~?[+-]?\d+\.\d\d%/);

  const basis = await page.$eval('sise-ticker', (el) => el.shadowRoot.querySelector('footer').textContent);
  assert.match(basis, /24시간 변동률 기준/);
  assert.match(basis, /최종 업데이트 \d\d:\d\d:\d\d/);

  await page.setViewport({ width: 520, height: 900, deviceScaleFactor: 1 });
  const widget = await page.$('sise-ticker');
  await widget.screenshot({ path: path.join(repo, 'docs/widget.png') });
  assert.deepEqual(foreign, []);
  assert.deepEqual(cspErrors, []);
  await page.close();
});

test('rows go stale while the fake stalls and live again after it recovers', async () => {
  const { page } = await open(demoUrl(), demoOrigins());
  await until('live rows', async () => (await rows(page)).filter((r) => r.status === 'live').length === 3);
  fake.kill('SIGSTOP');
  try {
    await until('stale rows', async () => (await rows(page)).every((r) => r.status === 'stale'));
    // The daemon connection is fine: only the feed is down, and the element says which.
    assert.equal(await state(page), 'live');
  } finally {
    fake.kill('SIGCONT');
  }
  await until('live again', async () => (await rows(page)).every((r) => r.status === 'live'), 20000);
  await page.close();
});

test('the element shows the lost daemon and reconnects after sised restarts', async () => {
  const { page } = await open(demoUrl(), demoOrigins());
  await until('live', async () => (await state(page)) === 'live');
  await stop(sised);
  try {
    await until('reconnecting', async () => (await state(page)) === 'reconnecting');
    // Prices are never shown as live while the daemon is gone.
    assert.ok((await rows(page)).every((r) => r.status !== 'live'));
  } finally {
    await startSised();  // the later tests need it even when this one failed
  }
  await until('live again', async () => (await state(page)) === 'live'
    && (await rows(page)).every((r) => r.status === 'live'), 20000);
  await page.close();
});

test('an allowed origin embeds the element; any other origin is refused', async () => {
  const allowed = `http://127.0.0.1:${embedder.address().port}`;
  const ok = await open(`${allowed}/embed.html`, [allowed, `http://127.0.0.1:${sisedPort}`]);
  const okRows = await until('2 live rows', async () => {
    const r = await rows(ok.page);
    return r.length === 2 && r.every((x) => x.status === 'live') && r;
  });
  assert.deepEqual(okRows.map((r) => r.market), ['KRW-BTC', 'KRW-ETH']);
  assert.equal(okRows[0].name, 'Bitcoin');
  assert.deepEqual(ok.foreign, []);
  assert.deepEqual(ok.cspErrors, []);
  await ok.page.close();

  const before = (await healthz()).server.rejected_origins;
  const other = `http://127.0.0.1:${stranger.address().port}`;
  const refused = await open(`${other}/embed.html`, [other, `http://127.0.0.1:${sisedPort}`]);
  await until('a refused request', async () => (await healthz()).server.rejected_origins > before);
  await new Promise((r) => setTimeout(r, 1000));
  assert.notEqual(await state(refused.page), 'live');
  const r = await rows(refused.page);
  assert.equal(r.length, 1);
  assert.equal(r[0].price, '—');
  assert.notEqual(r[0].status, 'live');
  assert.deepEqual(refused.foreign, []);
  await refused.page.close();
});

// Runs once sised serves the assets itself (DEMO_FROM_SISED): the route's HTTP contract.
test('sised serves / and /widget.js with their type, a strong ETag, 304 and cache headers',
  { skip: !DEMO_FROM_SISED && 'sised does not serve the assets yet' }, async () => {
    const base = `http://127.0.0.1:${sisedPort}`;
    for (const [target, file, type] of [['/', 'index.html', 'text/html'], ['/widget.js', 'widget.js', 'text/javascript']]) {
      const res = await fetch(base + target);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), new RegExp(`^${type}; charset=utf-8$`));
      assert.equal(await res.text(), readFileSync(path.join(web, file), 'utf8'));
      const etag = res.headers.get('etag');
      assert.match(etag, /^"sha256-[0-9a-f]{32}"$/);
      assert.ok(res.headers.get('cache-control'));
      const again = await fetch(base + target, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('etag'), etag);
    }
    const live = await fetch(`${base}/v1/snapshot`);
    assert.equal(live.headers.get('cache-control'), 'no-store');
  });
