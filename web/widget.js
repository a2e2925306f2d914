// <sise-ticker>: the sise sidebar (name, price, 24 h change) as a custom element, fed by a
// sised daemon: GET /v1/snapshot, then the /v1/stream websocket, merged by row. No framework,
// no build step, no third-party requests, nothing a strict CSP blocks (see docs/widget.md).
(() => {
  'use strict';
  if (customElements.get('sise-ticker')) return;

  // The daemon defaults to the origin this script came from (the page sised serves itself).
  const scriptOrigin = document.currentScript ? new URL(document.currentScript.src).origin : '';

  const LABELS = {
    ko: {
      name: '종목', price: '현재가', change: '변동률', basis: '24시간 변동률 기준',
      partial: '최근 {h}시간 기준', gaps: '일부 누락', updated: '최종 업데이트', pause: '일시정지', resume: '재개',
      paused: '업데이트 멈춤', connecting: '연결 중', live: '실시간', stale: '지연',
      no_data: '데이터 없음', unlisted: '상장 안 됨',
      reconnecting: '연결 끊김, 다시 연결 중', caption: '시세',
    },
    en: {
      name: 'Name', price: 'Price', change: 'Change', basis: '24 h change',
      partial: 'over the last {h} h only', gaps: 'with gaps', updated: 'Updated', pause: 'Pause', resume: 'Resume',
      paused: 'updates paused', connecting: 'connecting', live: 'live', stale: 'stale',
      no_data: 'no data', unlisted: 'not listed',
      reconnecting: 'connection lost, reconnecting', caption: 'Prices',
    },
  };

  const CSS = `
:host{--sise-bg:#fff;--sise-fg:#1a1a1a;--sise-muted:#595959;--sise-line:#d0d0d0;
--sise-up:#c62828;--sise-down:#1565c0;--sise-font:system-ui,"Noto Sans CJK KR",sans-serif;
display:block;background:var(--sise-bg);color:var(--sise-fg);font:14px/1.4 var(--sise-font)}
:host([colors=us]){--sise-up:#1b7a2f;--sise-down:#c62828}
@media (prefers-color-scheme:dark){:host{--sise-bg:#121212;--sise-fg:#ececec;--sise-muted:#b0b0b0;
--sise-line:#3a3a3a;--sise-up:#ff8a80;--sise-down:#82b1ff}
:host([colors=us]){--sise-up:#7ee08f;--sise-down:#ff8a80}}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:4px 6px}
th,td{padding:4px 6px;border-bottom:1px solid var(--sise-line);white-space:nowrap}
th{font-weight:600;color:var(--sise-muted);text-align:left}
.n{text-align:right}
.sym{color:var(--sise-muted);font-size:85%;margin-left:4px}
.up{color:var(--sise-up)}.down{color:var(--sise-down)}
tr:not([data-status=live]) td{color:var(--sise-muted)}
tr[data-status=stale] .price::after{content:" \\2022";}
.note{color:var(--sise-muted);font-size:85%;margin-left:4px}
footer{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;padding:4px 6px;
color:var(--sise-muted);font-size:85%}
.state{font-weight:600;color:var(--sise-fg)}
button{font:inherit;color:var(--sise-fg);background:transparent;border:1px solid var(--sise-line);
border-radius:3px;padding:1px 8px;cursor:pointer}
button:focus-visible{outline:2px solid var(--sise-fg);outline-offset:1px}
svg{display:block;width:64px;height:18px}
polyline{fill:none;stroke:currentColor;stroke-width:1.25}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}`;

  // Constructable stylesheets are CSSOM, so a CSP without style-src 'unsafe-inline' allows
  // them; the <style> fallback (old browsers only) would need it.
  let sheet = null;
  try {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  } catch (e) {
    sheet = null;
  }

  const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

  // Thousands separators on the exchange's decimal text; the digits are never re-rounded.
  function formatPrice(text) {
    const m = DECIMAL.exec(text || '');
    if (!m) return text == null ? '—' : String(text);
    const int = m[2].replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+$)/g, ',');
    return m[1] + int + (m[3] !== undefined ? '.' + m[3] : '');
  }

  // Two decimals, half away from zero, on the digits (no float): "-2.9512" -> "-2.95%".
  function formatPercent(text) {
    const m = DECIMAL.exec(text || '');
    if (!m) return null;
    const frac = (m[3] || '') + '00';
    let digits = (m[2] + frac.slice(0, 2)).split('');
    if (frac[2] >= '5') {
      let i = digits.length - 1;
      while (i >= 0 && digits[i] === '9') digits[i--] = '0';
      if (i < 0) digits.unshift('1');
      else digits[i] = String(+digits[i] + 1);
    }
    const s = digits.join('').replace(/^0+(?=\d{3})/, '');
    const body = s.slice(0, -2) + '.' + s.slice(-2);
    const zero = /^[0.]+$/.test(body);
    return (zero ? '' : m[1] ? '-' : '+') + body + '%';
  }

  function wsUrl(base) {
    return base.replace(/^http/, 'ws') + '/v1/stream';
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  class SiseTicker extends HTMLElement {
    static get observedAttributes() {
      return ['src', 'markets', 'lang', 'colors', 'sparkline', 'announce'];
    }

    constructor() {
      super();
      this.root = this.attachShadow({ mode: 'open' });
      if (sheet) this.root.adoptedStyleSheets = [sheet];
      else this.root.append(el('style', {}, CSS));
      this.rows = new Map();   // "exchange:market" -> latest row from the daemon
      this.order = [];
      this.seq = -1;
      this.time = 0;
      this.paused = false;
      this.attempt = 0;
      this.timer = 0;
      this.ws = null;
      this.lastSpoken = 0;
    }

    connectedCallback() {
      this.build();
      this.connect();
    }

    disconnectedCallback() {
      this.stop();
    }

    attributeChangedCallback(name, oldValue, value) {
      if (!this.isConnected || oldValue === value) return;
      if (name === 'src' || name === 'markets') {
        this.stop();
        this.rows.clear();
        this.order = [];
        this.connect();
      }
      this.build();
    }

    get base() {
      return (this.getAttribute('src') || scriptOrigin).replace(/\/+$/, '');
    }

    get markets() {
      return (this.getAttribute('markets') || '').split(',').map((s) => s.trim()).filter(Boolean);
    }

    get t() {
      return LABELS[this.getAttribute('lang') === 'en' ? 'en' : 'ko'];
    }

    setState(state) {
      this.dataset.state = state;
      this.render();
    }

    stop() {
      this.generation = (this.generation || 0) + 1;  // a fetch still in flight is discarded
      clearTimeout(this.timer);
      clearInterval(this.sparkTimer);
      if (this.ws) {
        this.ws.onclose = this.ws.onmessage = this.ws.onerror = null;
        this.ws.close();
        this.ws = null;
      }
    }

    // Snapshot first (fast first paint), then the stream, whose first message is a snapshot
    // again; every (re)connection re-syncs the whole table this way.
    async connect() {
      this.stop();
      this.setState(this.attempt ? 'reconnecting' : 'connecting');
      const wanted = this.markets;
      const generation = this.generation;
      try {
        const query = wanted.length ? '?markets=' + encodeURIComponent(wanted.join(',')) : '';
        const res = await fetch(this.base + '/v1/snapshot' + query, { cache: 'no-store' });
        if (!res.ok) throw new Error('HTTP ' + res.status);
        const msg = await res.json();
        if (generation !== this.generation) return;
        this.apply(msg);
      } catch (e) {
        if (generation === this.generation) this.retry();
        return;
      }
      const ws = (this.ws = new WebSocket(wsUrl(this.base)));
      const openedAt = Date.now();
      ws.onopen = () => {
        if (wanted.length) ws.send(JSON.stringify({ type: 'subscribe', markets: wanted }));
      };
      ws.onmessage = (ev) => {
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch (e) {
          return;
        }
        this.apply(msg);
      };
      ws.onclose = () => {
        // A connection that stayed up 10 s starts the backoff over (as sised's feeds do).
        if (Date.now() - openedAt > 10000) this.attempt = 0;
        this.retry();
      };
      this.setSparklines();
    }

    retry() {
      this.stop();
      this.attempt++;
      this.setState('reconnecting');
      // Jittered exponential backoff: between half and all of min(30 s, 0.5 s * 2^n).
      const ceiling = Math.min(30000, 500 * 2 ** Math.min(this.attempt - 1, 10));
      this.timer = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
    }

    apply(msg) {
      if (!msg || !Array.isArray(msg.tickers)) return;
      if (msg.type === 'snapshot') {
        this.seq = msg.seq;
        this.rows.clear();
        this.order = [];
      } else if (msg.type === 'update') {
        // seq may skip (publications without our rows, or merged while we were slow); an
        // update older than what we hold is dropped, one before any snapshot means re-sync.
        if (this.seq < 0) return this.retry();
        if (msg.seq <= this.seq) return;
        this.seq = msg.seq;
      } else {
        return;
      }
      const wanted = this.markets;
      for (const row of msg.tickers) {
        const key = row.exchange + ':' + row.market;
        if (wanted.length && !wanted.includes(row.market) && !wanted.includes(key)) continue;
        if (!this.rows.has(key)) this.order.push(key);
        this.rows.set(key, row);
      }
      this.time = msg.time || this.time;
      this.dataset.state = 'live';
      if (!this.paused) this.render();
      this.speak();
    }

    build() {
      const t = this.t;
      this.root.replaceChildren();
      if (!sheet) this.root.append(el('style', {}, CSS));
      const table = el('table', { part: 'table' });
      this.caption = el('caption', { part: 'caption' }, t.caption);
      const head = el('tr', { part: 'header' });
      this.priceHead = el('th', { scope: 'col', class: 'n' }, t.price);
      head.append(el('th', { scope: 'col' }, t.name), this.priceHead,
        el('th', { scope: 'col', class: 'n' }, t.change));
      if (this.hasAttribute('sparkline')) head.append(el('th', { scope: 'col' }, '24h'));
      this.body = el('tbody');
      table.append(this.caption, el('thead', {}, null), this.body);
      table.tHead.append(head);
      const foot = el('footer', { part: 'footer' });
      this.stateText = el('span', { class: 'state', part: 'state' });
      this.basisText = el('span', {}, t.basis);
      this.updatedText = el('span');
      this.pauseButton = el('button', { type: 'button', part: 'pause', 'aria-pressed': 'false' });
      this.pauseButton.textContent = t.pause;
      this.pauseButton.onclick = () => this.togglePause();
      foot.append(this.stateText, this.basisText, this.updatedText, this.pauseButton);
      this.live = el('p', { class: 'sr', 'aria-live': 'polite' });
      this.root.append(table, foot, this.live);
      this.lines = new Map();
      this.render();
    }

    togglePause() {
      this.paused = !this.paused;
      this.pauseButton.setAttribute('aria-pressed', String(this.paused));
      this.pauseButton.textContent = this.paused ? this.t.resume : this.t.pause;
      this.render();
    }

    // Rows are kept (same <tr>) and only their text changes, so focus and selection survive.
    render() {
      if (!this.body) return;
      const t = this.t;
      const ko = t === LABELS.ko;
      const state = this.dataset.state || 'connecting';
      const keys = this.order.length ? this.order : this.markets.map((m) => (m.includes(':') ? m : ':' + m));
      const quotes = new Set();
      keys.forEach((key, i) => {
        const row = this.rows.get(key) || { market: key.split(':')[1], exchange: key.split(':')[0] };
        if (row.quote) quotes.add(row.quote);
        let line = this.lines.get(key);
        if (!line) {
          line = this.makeLine();
          this.lines.set(key, line);
        }
        if (this.body.children[i] !== line.tr) this.body.insertBefore(line.tr, this.body.children[i] || null);
        // The daemon's row status, except that nothing is live while we are not connected.
        const status = !row.status ? 'connecting' : state !== 'live' && row.status === 'live' ? 'stale' : row.status;
        line.tr.dataset.market = row.market;
        if (row.exchange) line.tr.dataset.exchange = row.exchange;
        line.tr.dataset.status = status;
        line.name.textContent = (ko ? row.name_ko || row.name_en : row.name_en) || row.market;
        line.sym.textContent = row.base || '';
        line.price.textContent = row.price == null ? '—' : formatPrice(row.price);
        const pct = formatPercent(row.change_pct_24h);
        const partial = row.basis === 'partial';
        line.pct.textContent = pct == null ? '—' : (partial ? '~' : '') + pct;
        const hours = Math.floor((row.covered_24h_ms || 0) / 3600000);
        // Partial: "~" and the hours the window covers, or "gaps" when it spans 24 h with holes.
        const span = hours >= 24 ? t.gaps : ko ? hours + '시간' : hours + ' h';
        // A status this script does not know is shown by its name, never as live.
        line.note.textContent = partial ? span : status === 'live' ? '' : t[status] || status;
        line.tr.title = partial ? (hours >= 24 ? t.gaps : t.partial.replace('{h}', hours)) : '';
        line.tr.dataset.basis = row.basis || 'none';
        const dir = pct == null ? '' : pct[0] === '+' ? 'up' : pct[0] === '-' ? 'down' : '';
        line.price.className = 'price ' + dir;
        line.pct.className = dir;
      });
      for (const [key, line] of this.lines) {
        if (!keys.includes(key)) {
          line.tr.remove();
          this.lines.delete(key);
        }
      }
      const quote = quotes.size === 1 ? [...quotes][0] : '';
      this.priceHead.textContent = !quote ? t.price : ko && quote === 'KRW' ? t.price + '(원)' : t.price + ' (' + quote + ')';
      this.stateText.textContent = this.paused ? t.paused : state === 'live' ? t.live : t[state];
      this.updatedText.textContent = this.time
        ? t.updated + ' ' + new Date(this.time).toTimeString().slice(0, 8)
        : '';
    }

    makeLine() {
      const tr = el('tr', { part: 'row' });
      const nameCell = el('th', { scope: 'row', part: 'name' });
      const name = el('span');
      const sym = el('span', { class: 'sym' });
      nameCell.append(name, sym);
      const priceCell = el('td', { class: 'n', part: 'price' });
      const price = el('span', { class: 'price' });
      priceCell.append(price);
      const pctCell = el('td', { class: 'n', part: 'change' });
      const pct = el('span');
      const note = el('span', { class: 'note' });
      pctCell.append(pct, note);
      tr.append(nameCell, priceCell, pctCell);
      const spark = el('td', { part: 'sparkline' });
      if (this.hasAttribute('sparkline')) tr.append(spark);
      return { tr, name, sym, price, pct, note, spark };
    }

    // Opt-in (announce="60"): a polite summary at most once per that many seconds.
    speak() {
      const every = Number(this.getAttribute('announce')) * 1000;
      if (!every || this.paused || Date.now() - this.lastSpoken < every) return;
      this.lastSpoken = Date.now();
      const ko = this.t === LABELS.ko;
      this.live.textContent = this.order.slice(0, 3).map((key) => {
        const row = this.rows.get(key);
        const pct = formatPercent(row.change_pct_24h);
        return (ko ? row.name_ko : row.name_en) + ' ' + formatPrice(row.price) + (pct ? ' ' + pct : '');
      }).join(', ');
    }

    // Optional sparkline (sparkline="5m"): closes of the last 24 h from /v1/history, redrawn
    // every 5 minutes; a daemon without history simply shows none.
    setSparklines() {
      const interval = this.getAttribute('sparkline');
      if (!interval) return;
      const draw = () => {
        for (const key of this.order) {
          const row = this.rows.get(key);
          const line = this.lines.get(key);
          if (!row || !line) continue;
          const url = this.base + '/v1/history?market=' + encodeURIComponent(row.market) +
            '&from=-24h&interval=' + encodeURIComponent(interval) + '&limit=300';
          fetch(url, { cache: 'no-store' })
            .then((r) => (r.ok ? r.json() : null))
            .then((h) => line.spark.replaceChildren(h && h.bars ? this.plot(h.bars.map((b) => +b.close)) : ''))
            .catch(() => {});
        }
      };
      clearInterval(this.sparkTimer);
      this.sparkTimer = setInterval(draw, 300000);
      setTimeout(draw, 500);
    }

    plot(values) {
      const ns = 'http://www.w3.org/2000/svg';
      const svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', '0 0 64 18');
      svg.setAttribute('aria-hidden', 'true');
      if (values.length < 2) return svg;
      const lo = Math.min(...values);
      const span = Math.max(...values) - lo || 1;
      const line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', values.map((v, i) =>
        ((i * 64) / (values.length - 1)).toFixed(1) + ',' + (17 - ((v - lo) * 16) / span).toFixed(1)).join(' '));
      svg.append(line);
      return svg;
    }
  }

  // The formatting, for sites and tests: SiseTicker.format.price('1234.50') -> "1,234.50".
  SiseTicker.format = { price: formatPrice, percent: formatPercent };
  customElements.define('sise-ticker', SiseTicker);
})();
