/**
 * The live dashboard at `GET /`: a page with no dependency off the server (no CDN, no font), whose
 * small script asks `/api/v1/dashboard` once a second for the current view and swaps it in. The
 * charts are drawn on the server by the report's chart code (bench/report/svg.ts), the same SVG
 * the kata reports carry: per-node rows and writes, requests per second and latency over the last
 * minute; beside them each node's state and the recent failures and injected faults.
 *
 * Request activity is counted per wall-clock second: it describes the HTTP traffic, not the
 * simulated cluster.
 */
import { barChartSvg, lineChartSvg } from '../report/svg.js';
import type { NodeState } from './store.js';

const WINDOW_SECONDS = 60;
const RECENT = 20;

interface Second {
  at: number;
  requests: number;
  errors: number;
  latencySumMs: number;
  latencyMaxMs: number;
}

export interface Activity {
  request(status: number, elapsedMs: number): void;
  failure(method: string, url: string, status: number, error: string): void;
  event(what: string): void;
  seconds(): readonly Second[];
  readonly failures: readonly {
    at: string;
    method: string;
    url: string;
    status: number;
    error: string;
  }[];
  readonly events: readonly { at: string; what: string }[];
  readonly totals: { requests: number; errors: number };
}

export function createActivity(clock: () => number = Date.now): Activity {
  const window: Second[] = [];
  const failures: { at: string; method: string; url: string; status: number; error: string }[] = [];
  const events: { at: string; what: string }[] = [];
  const totals = { requests: 0, errors: 0 };
  const current = (): Second => {
    const at = Math.floor(clock() / 1000);
    let last = window[window.length - 1];
    if (last === undefined || last.at !== at) {
      last = { at, requests: 0, errors: 0, latencySumMs: 0, latencyMaxMs: 0 };
      window.push(last);
      while (window.length > 0 && window[0]!.at <= at - WINDOW_SECONDS) window.shift();
    }
    return last;
  };
  const keep = <T>(list: T[], item: T): void => {
    list.unshift(item);
    if (list.length > RECENT) list.pop();
  };
  return {
    request(status, elapsedMs) {
      const second = current();
      second.requests++;
      second.latencySumMs += elapsedMs;
      second.latencyMaxMs = Math.max(second.latencyMaxMs, elapsedMs);
      totals.requests++;
      if (status >= 500) {
        second.errors++;
        totals.errors++;
      }
    },
    failure(method, url, status, error) {
      keep(failures, {
        at: new Date(clock()).toISOString(),
        method,
        url: url.slice(0, 120),
        status,
        error,
      });
    },
    event(what) {
      keep(events, { at: new Date(clock()).toISOString(), what });
    },
    seconds: () => {
      current();
      return window;
    },
    failures,
    events,
    totals,
  };
}

export interface DashboardView {
  readonly nodes: readonly { id: string; up: boolean; believed_up: boolean; slowdown: number }[];
  readonly charts: { readonly load: string; readonly rate: string; readonly latency: string };
  readonly failures: Activity['failures'];
  readonly events: Activity['events'];
  readonly totals: Activity['totals'];
  readonly virtual_ms: number;
}

export function dashboardView(
  cluster: { readonly nodes: readonly NodeState[]; readonly virtual_ms: number },
  activity: Activity,
): DashboardView {
  const { nodes } = cluster;
  // The second under way is left out: its counts are not complete yet.
  const all = activity.seconds();
  const now = all[all.length - 1]?.at ?? 0;
  const seconds = all.slice(0, -1);
  const points = (value: (s: Second) => number) =>
    seconds.map((s) => [s.at - now, value(s)] as const);
  return {
    nodes: nodes.map(({ id, up, believed_up, slowdown }) => ({ id, up, believed_up, slowdown })),
    charts: {
      load: barChartSvg({
        kind: 'bars',
        id: 'node-load',
        title: 'Rows stored and reads served per node',
        unit: 'rows',
        categories: nodes.map((n) => (n.up ? n.id : `${n.id} (down)`)),
        series: [
          { label: 'rows stored', values: nodes.map((n) => n.rows) },
          { label: 'read requests served', values: nodes.map((n) => n.reads) },
        ],
      }),
      rate: lineChartSvg({
        kind: 'lines',
        id: 'request-rate',
        title: 'Requests per second',
        xLabel: 'seconds ago',
        yLabel: 'requests/s',
        series: [
          { label: 'requests', points: points((s) => s.requests) },
          { label: 'server errors (5xx)', points: points((s) => s.errors) },
        ],
      }),
      latency: lineChartSvg({
        kind: 'lines',
        id: 'request-latency',
        title: 'Request latency',
        xLabel: 'seconds ago',
        yLabel: 'ms',
        series: [
          {
            label: 'mean',
            points: points((s) => (s.requests === 0 ? 0 : s.latencySumMs / s.requests)),
          },
          { label: 'max', points: points((s) => s.latencyMaxMs) },
        ],
      }),
    },
    failures: activity.failures,
    events: activity.events,
    totals: activity.totals,
    virtual_ms: cluster.virtual_ms,
  };
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
.page{max-width:1100px;margin:0 auto;padding:16px 24px}
h1{font-size:20px;margin:0 0 4px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
figure svg{width:100%;height:auto}
#nodes{display:flex;flex-wrap:wrap;gap:6px;margin:12px 0}
.node{padding:4px 10px;border-radius:12px;background:#dff3e4;border:1px solid #8fcf9f}
.node.down{background:#fbe0e0;border-color:#e08c8c}
.node.suspect{background:#fff3cd;border-color:#e0c36c}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;font-size:13px}
`;

export function dashboardHtml(): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>ringlab serve</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<div class="page">',
    '<h1>ringlab serve</h1>',
    '<div id="summary">waiting for the first update…</div>',
    '<div id="nodes"></div>',
    '<div class="grid">',
    '<figure><figcaption>Per-node load</figcaption><div id="chart-load"></div></figure>',
    '<figure><figcaption>Requests per second</figcaption><div id="chart-rate"></div></figure>',
    '<figure><figcaption>Latency</figcaption><div id="chart-latency"></div></figure>',
    '<figure><figcaption>Recent failures and faults</figcaption><table><thead><tr><th>when</th><th>what</th></tr></thead><tbody id="recent"></tbody></table></figure>',
    '</div>',
    '</div>',
    '<script src="/dashboard.js"></script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The page's script: plain ES2017, no framework; text goes in through textContent only. */
export function dashboardScript(): string {
  return `'use strict';
(function () {
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function render(view) {
    document.getElementById('summary').textContent =
      view.totals.requests + ' requests, ' + view.totals.errors + ' server errors · virtual time ' +
      (view.virtual_ms / 1000).toFixed(1) + ' s';
    var nodes = document.getElementById('nodes');
    nodes.replaceChildren.apply(nodes, view.nodes.map(function (n) {
      var state = !n.up ? 'down' : !n.believed_up ? 'suspect' : 'up';
      var e = el('span', n.id + ' ' + state + (n.slowdown > 1 ? ' (x' + n.slowdown + ' slow)' : ''),
        'node' + (state === 'up' ? '' : ' ' + state));
      e.setAttribute('data-node', n.id);
      e.setAttribute('data-state', state);
      return e;
    }));
    // The charts are SVG the server drew with the report's chart code, its text escaped there.
    document.getElementById('chart-load').innerHTML = view.charts.load;
    document.getElementById('chart-rate').innerHTML = view.charts.rate;
    document.getElementById('chart-latency').innerHTML = view.charts.latency;
    var rows = view.events.map(function (e) { return [e.at, 'fault: ' + e.what, 'event']; })
      .concat(view.failures.map(function (f) {
        return [f.at, f.status + ' ' + f.method + ' ' + f.url + ': ' + f.error, 'failure'];
      }))
      .sort(function (a, b) { return a[0] < b[0] ? 1 : -1; }).slice(0, 20);
    var body = document.getElementById('recent');
    body.replaceChildren.apply(body, rows.map(function (r) {
      var tr = el('tr', undefined, r[2]);
      tr.appendChild(el('td', r[0].slice(11, 19)));
      tr.appendChild(el('td', r[1]));
      return tr;
    }));
  }
  function tick() {
    fetch('/api/v1/dashboard').then(function (r) { return r.json(); }).then(render)
      .catch(function () { document.getElementById('summary').textContent = 'server unreachable'; })
      .then(function () { setTimeout(tick, 1000); });
  }
  tick();
})();
`;
}
