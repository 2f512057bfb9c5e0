import { describe, expect, it } from 'vitest';
import {
  createHistoryRecorder,
  historyToJsonLines,
  pairOperations,
  parseHistory,
} from '../../bench/check/history.js';
import { runSchedule } from '../../bench/check/run.js';
import { generateSchedule } from '../../bench/check/schedule.js';
import { expectRinglabError } from '../helpers/errors.js';

describe('history: Jepsen-shaped JSON lines', () => {
  it('round-trips a schedule’s whole history, byte for byte', () => {
    const run = runSchedule(generateSchedule(42), { clWrite: 'QUORUM', clRead: 'QUORUM' });
    const text = historyToJsonLines(run.events);
    expect(parseHistory(text)).toEqual(run.events);
    expect(historyToJsonLines(parseHistory(text))).toBe(text);
    const first = JSON.parse(text.split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['process', 'type', 'f', 'key', 'value', 'index', 'time']);
    // Every kind of operation and outcome a schedule records appears in it.
    const fs = new Set(run.events.map((event) => event.f));
    expect([...fs].sort()).toEqual(['query', 'read', 'write']);
  });

  it('records invocations and completions in order, each naming its process', () => {
    const history = createHistoryRecorder();
    const w = history.invoke(0, 'write', 'k1', 7, 10);
    const r = history.invoke(1, 'read', 'k1', null, 11);
    history.complete(r, 'info', null, 5011, 'timeout');
    history.complete(w, 'ok', 7, 12.5);
    expect(historyToJsonLines(history.events)).toBe(
      [
        '{"process":0,"type":"invoke","f":"write","key":"k1","value":7,"index":0,"time":10}',
        '{"process":1,"type":"invoke","f":"read","key":"k1","value":null,"index":1,"time":11}',
        '{"process":1,"type":"info","f":"read","key":"k1","value":null,"index":2,"time":5011,"error":"timeout"}',
        '{"process":0,"type":"ok","f":"write","key":"k1","value":7,"index":3,"time":12.5}',
        '',
      ].join('\n'),
    );
    expect(pairOperations(history.events)).toEqual([
      {
        process: 0,
        f: 'write',
        key: 'k1',
        type: 'ok',
        value: 7,
        argument: 7,
        index: 0,
        invokeMs: 10,
        completeMs: 12.5,
      },
      {
        process: 1,
        f: 'read',
        key: 'k1',
        type: 'info',
        value: null,
        argument: null,
        index: 1,
        invokeMs: 11,
        completeMs: Infinity,
      },
    ]);
  });

  it('closes an invocation that never completed as indefinite', () => {
    const history = createHistoryRecorder();
    history.invoke(3, 'write', 'k0', 9, 1);
    expect(pairOperations(history.events)).toMatchObject([{ type: 'info', completeMs: Infinity }]);
  });

  it.each([
    ['not JSON', '{"process":'],
    [
      'an unknown type',
      '{"process":0,"type":"done","f":"read","key":"k","value":null,"index":0,"time":0}',
    ],
    ['a missing time', '{"process":0,"type":"invoke","f":"read","key":"k","value":null,"index":0}'],
    ['an array', '[1,2]'],
  ])('refuses %s, naming the line', (_, line) => {
    expectRinglabError(() => parseHistory(`\n${line}\n`), 'INVALID_ARGUMENT', 'history');
  });

  it('refuses a completion with nothing invoked', () => {
    const events = parseHistory(
      '{"process":0,"type":"ok","f":"read","key":"k","value":null,"index":0,"time":0}\n',
    );
    expectRinglabError(() => pairOperations(events), 'INVALID_ARGUMENT', 'history');
  });
});
