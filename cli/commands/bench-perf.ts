import type { Command } from 'commander';
import { ROW, runPerf, type PerfReport, type TargetResult } from '../../bench/perf.js';
import type { Io } from '../io.js';
import { addExamples, jsonOption, seedOption } from '../options.js';
import { statusLines } from '../progress.js';
import { bytes, count, fixed, renderTable, toJson } from '../render.js';

interface PerfFlags {
  quick?: boolean;
  json?: boolean;
  seed?: number;
}

export function registerPerf(bench: Command, io: Io): void {
  const command = bench
    .command('perf')
    .description(
      'the performance suite: token, ring and write-path rates against cassandra-driver and hashring, the time plane, heap per row, a 1,000-node scale run',
    )
    .option('--quick', 'a smaller run (under a minute); the scale run is scaled down')
    .addOption(jsonOption())
    .addOption(seedOption('seed for keys, events and tokens'))
    .action((flags: PerfFlags) => {
      const json = flags.json ?? false;
      const report = runPerf({
        quick: flags.quick ?? false,
        seed: flags.seed,
        onProgress: statusLines(io, { json }),
      });
      // Every JSON document leads with the seed that reproduces it, as the other commands' do.
      io.out(json ? toJson({ seed: report.config.seed, ...report }) : renderPerf(report));
    });
  addExamples(command, [
    ['ringlab bench perf --quick', 'the whole suite in under a minute'],
    ['ringlab bench perf --json > perf.json', 'the full run, as JSON'],
  ]);
}

export function renderPerf(report: PerfReport): string {
  const { config, environment, ratios, heap, scale } = report;
  const timePlane = report.rows.find((row) => row.name === ROW.timePlane)!;
  const lines = [
    `seed ${config.seed} · ${config.size} run · node ${environment.node} · ${environment.platform} · ${environment.cpus} × ${environment.cpuModel}`,
    `rows 2-8 and ${ROW.timePlane} on ${config.cluster.nodes} nodes × ${config.cluster.vnodes} vnodes, rf ${config.cluster.rf}, over ${count(config.keys)} pre-generated keys`,
    '',
    renderTable(
      [
        { header: 'row' },
        { header: 'rate', align: 'right' },
        { header: 'unit' },
        { header: '±', align: 'right' },
        { header: 'cycles', align: 'right' },
        { header: 'what' },
      ],
      report.rows.map((row) => [
        row.name,
        count(row.opsPerSec),
        row.unit,
        `${fixed(row.spreadPercent, 1)}%`,
        count(row.cycles),
        row.description,
      ]),
    ),
    '',
    `ratios: write/murmur3 ${fixed(ratios.writeOverMurmur3, 2)} · ring/hashring ${fixed(ratios.ringOverHashring, 1)} · murmur3/driver ${fixed(ratios.murmur3OverDriver, 1)} · event-loop/typed-heap ${fixed(ratios.eventLoopOverTypedHeap, 2)} · time plane ${count(timePlane.opsPerSec)} messages/s`,
    `heap: ${fixed(report.bytesPerRow, 1)} B per stored row beyond its payload strings (${count(heap.storedRows)} rows from ${count(heap.events)} events at rf ${config.cluster.rf}; each event_id string ${fixed(heap.payloadStringBytesPerEvent, 1)} B, subtracted)`,
    `scale: ${count(scale.nodes)} nodes × ${scale.vnodes} vnodes (${scale.allocator}), ${count(scale.events)} events, counters only: ${seconds(scale.wallMs)} (tokens ${seconds(scale.placementMs)}, writes ${seconds(scale.writeMs)}), peak RSS ${bytes(scale.peakRssBytes)}${scale.scaledDown ? ' (scaled down)' : ''}`,
    '',
    renderTable(
      [
        { header: 'target' },
        { header: 'measured', align: 'right' },
        { header: 'required' },
        { header: '' },
        { header: 'what' },
      ],
      report.targets.map((target) => [
        target.id,
        measuredCell(target),
        target.required,
        target.met === null ? '– not evaluated' : target.met ? '✓ met' : '✗ not met',
        target.description,
      ]),
    ),
    '',
    ...report.notes.map((note) => `note: ${note}`),
  ];
  return `${lines.join('\n')}\n`;
}

function measuredCell(target: TargetResult): string {
  switch (target.unit) {
    case 'ratio':
      return `${fixed(target.measured, 2)}x`;
    case 'events/s':
      return `${count(target.measured)} events/s`;
    case 'messages/s':
      return `${count(target.measured)} messages/s`;
    case 'ms':
      return `${count(target.measured)} ms`;
    case 'bytes':
      return target.measured < 1024 ? `${fixed(target.measured, 1)} B` : bytes(target.measured);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
