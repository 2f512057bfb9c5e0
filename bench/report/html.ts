/**
 * The `--report report.html` page: one self-contained file that works offline. Everything is
 * inline (CSS, SVG charts); there is no script, no font, no image and no link off the page, and
 * a Content-Security-Policy of `default-src 'none'` makes the browser refuse any request a
 * future edit might add. It renders only what the `KataReport` holds, so the page shows the
 * same figures as the terminal and `--json`; the same report gives the same bytes.
 */
import type { Finding, KataReport, ReportTable } from '../kata/report.js';
import { decimal, formatCell, isNumeric } from './format.js';
import { chartSvg, escapeXml as escape } from './svg.js';

export function renderHtmlReport(report: KataReport): string {
  const [comparison, ...otherTables] = report.tables;
  const body = [
    headerHtml(report),
    findingsHtml(report.findings),
    comparison === undefined ? '' : sectionHtml('Comparison', tableHtml(comparison)),
    report.charts.length === 0
      ? ''
      : sectionHtml(
          'Charts',
          report.charts
            .map(
              (chart) =>
                `<figure id="figure-${escape(chart.id)}"><figcaption>${escape(chart.title)}</figcaption>${chartSvg(chart)}</figure>`,
            )
            .join('\n'),
        ),
    otherTables.length === 0 ? '' : sectionHtml('Details', otherTables.map(tableHtml).join('\n')),
    reproduceHtml(report),
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="generator" content="ringlab">',
    `<title>${escape(report.title)} · ringlab</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<div class="page">',
    ...body.filter((part) => part !== ''),
    `<footer>Made by ringlab from seed ${escape(String(report.seed))}: the same seed gives the same report.</footer>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function headerHtml(report: KataReport): string {
  const checker =
    report.violations === 0
      ? '<dd>no violations</dd>'
      : `<dd class="bad">${escape(decimal(report.violations))} violation${report.violations === 1 ? '' : 's'}</dd>`;
  return [
    '<header>',
    `<p class="kicker">ringlab · ${report.kata === 'experiment' ? 'experiment' : `kata ${escape(report.kata)}`}</p>`,
    `<h1>${escape(report.title)}</h1>`,
    `<p class="question">${escape(report.question)}</p>`,
    '<dl class="meta">',
    `<div><dt>seed</dt><dd>${escape(String(report.seed))}</dd></div>`,
    `<div><dt>designs</dt><dd>${escape(decimal(report.designs.length))}</dd></div>`,
    `<div><dt>checker</dt>${checker}</div>`,
    '</dl>',
    '</header>',
  ].join('\n');
}

function findingsHtml(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const items = findings.map((finding) => {
    const numbers = Object.entries(finding.numbers).map(
      ([key, value]) => `<span><code>${escape(key)}</code> ${escape(decimal(value))}</span>`,
    );
    return [
      `<li id="finding-${escape(finding.id)}">`,
      `<p class="finding">${escape(finding.text)}</p>`,
      numbers.length === 0 ? '' : `<p class="numbers">${numbers.join('')}</p>`,
      '</li>',
    ].join('');
  });
  return `<section id="findings" class="findings"><h2>Findings</h2><ol>${items.join('\n')}</ol></section>`;
}

function tableHtml(table: ReportTable): string {
  const cls = (numeric: boolean) => (numeric ? ' class="num"' : '');
  const head = table.columns
    .map((column) => `<th scope="col"${cls(isNumeric(column.format))}>${escape(column.label)}</th>`)
    .join('');
  const rows = table.rows.map((row) => {
    const cells = table.columns.map((column) => {
      const value = row[column.key] ?? null;
      // A string in a numeric column ("n/a", "timeout") stays aligned with its numbers.
      return `<td${cls(isNumeric(column.format))}>${escape(formatCell(value, column.format))}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return [
    `<div class="table-wrap"><table id="table-${escape(table.id)}">`,
    `<caption>${escape(table.title)}</caption>`,
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');
}

function reproduceHtml(report: KataReport): string {
  const command =
    report.kata === 'experiment'
      ? `ringlab run experiment.json --seed ${report.seed}`
      : `ringlab kata ${report.kata} --seed ${report.seed}`;
  const experiment = JSON.stringify(report.experiment ?? null, null, 2);
  return sectionHtml(
    'Reproduce',
    [
      `<p><code>${escape(command)}</code> gives this report again.</p>`,
      `<details><summary>The resolved experiment</summary><pre>${escape(experiment)}</pre></details>`,
    ].join('\n'),
  );
}

function sectionHtml(title: string, content: string): string {
  return `<section><h2>${escape(title)}</h2>\n${content}\n</section>`;
}

const STYLE = `
:root{color-scheme:light;--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--accent:#0072B2;--bad:#B24A00}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{max-width:1120px;margin:0 auto;padding:32px 20px 48px}
.kicker{margin:0;font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}
h1{margin:4px 0 8px;font-size:28px;line-height:1.2}
.question{margin:0 0 14px;font-size:18px;color:#3e4c59}
.meta{display:flex;flex-wrap:wrap;gap:6px 24px;margin:0;font-size:13px;color:var(--muted)}
.meta div{display:flex;gap:6px}
.meta dd{margin:0;color:var(--ink);font-weight:600;font-variant-numeric:tabular-nums}
.meta dd.bad{color:var(--bad)}
section{margin-top:32px}
h2{margin:0 0 12px;font-size:18px}
.findings ol{display:grid;gap:10px;margin:0;padding:0;list-style:none;counter-reset:finding}
.findings li{position:relative;padding:14px 18px 14px 54px;background:#fff;border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:8px;counter-increment:finding}
.findings li::before{content:counter(finding);position:absolute;left:16px;top:15px;display:grid;place-items:center;width:24px;height:24px;border-radius:50%;background:var(--accent);color:#fff;font-size:13px;font-weight:700}
.finding{margin:0;font-size:16px;font-weight:500}
.numbers{display:flex;flex-wrap:wrap;gap:2px 14px;margin:6px 0 0;font-size:12px;color:var(--muted);font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.table-wrap{margin-bottom:16px;overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:10px}
table{width:100%;border-collapse:collapse;font-size:14px}
caption{padding:12px 16px 6px;text-align:left;font-weight:600}
th,td{padding:8px 14px;text-align:left;white-space:nowrap;border-bottom:1px solid var(--line)}
thead th{min-width:6em;white-space:normal;vertical-align:bottom;background:#fafbfc;color:var(--muted);font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover{background:#f3f8fc}
.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:0 0 16px;padding:16px 16px 8px;overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:10px}
figcaption{margin-bottom:4px;font-weight:600}
svg.chart{display:block;width:100%;min-width:540px;height:auto}
svg.chart-ring{max-width:760px}
details pre{max-height:480px;overflow:auto;padding:12px;background:#fafbfc;border:1px solid var(--line);border-radius:8px;font-size:12px}
summary{cursor:pointer;color:var(--accent)}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media print{body{background:#fff}figure,.findings li,.table-wrap{break-inside:avoid}}
`.trim();
