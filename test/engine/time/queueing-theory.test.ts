import { describe, expect, it } from 'vitest';

import {
  erlangC,
  mm1MeanResponseMs,
  mmcMeanResponseMs,
} from '../../../engine/time/queueing-theory.js';
import { expectRinglabError } from '../../helpers/errors.js';

/** Erlang C from its textbook sum, term by term: the oracle shares nothing with the recurrence. */
function erlangCBySum(c: number, a: number): number {
  let sum = 0;
  let term = 1; // a^k / k!
  for (let k = 0; k < c; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = (term * c) / (c - a); // a^c / c! x c / (c - a)
  return top / (sum + top);
}

describe('erlangC', () => {
  it('matches hand-computed values', () => {
    // c = 1: the probability of waiting is the utilisation.
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 14);
    // c = 2, a = 1: B = 1/5, C = 2B / (2 - (1 - B)) = 1/3.
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 14);
    // Published call-centre table value: 10 agents, 8 erlangs, P(wait) = 0.4092.
    expect(erlangC(10, 8)).toBeCloseTo(0.4092, 4);
    expect(erlangC(4, 0)).toBe(0);
  });

  it('matches the textbook sum across workers and loads', () => {
    for (const c of [1, 2, 3, 4, 8, 16, 32]) {
      for (const rho of [0.1, 0.5, 0.8, 0.9, 0.99]) {
        expect(erlangC(c, rho * c)).toBeCloseTo(erlangCBySum(c, rho * c), 12);
      }
    }
  });

  it('stays finite for large c, where a^c / c! overflows', () => {
    const p = erlangC(500, 450);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });
});

describe('mean response times', () => {
  it('M/M/1 is 1 / (mu - lambda), and M/M/c with c = 1 agrees', () => {
    expect(mm1MeanResponseMs(0.9, 1)).toBeCloseTo(10, 12);
    expect(mmcMeanResponseMs(1, 0.9, 1)).toBeCloseTo(10, 12);
  });

  it('M/M/2 at lambda 1, mu 1: W = C / (2 mu - lambda) + 1 / mu = 4/3', () => {
    expect(mmcMeanResponseMs(2, 1, 1)).toBeCloseTo(4 / 3, 12);
  });

  it('refuses unstable or meaningless inputs, naming the field', () => {
    expectRinglabError(() => erlangC(0, 0.5), 'INVALID_ARGUMENT', 'workers');
    expectRinglabError(() => erlangC(2, 2), 'INVALID_ARGUMENT', 'offeredLoad');
    expectRinglabError(() => mm1MeanResponseMs(1, 1), 'INVALID_ARGUMENT', 'lambda');
    expectRinglabError(() => mmcMeanResponseMs(2, -1, 1), 'INVALID_ARGUMENT', 'lambda');
    expectRinglabError(() => mmcMeanResponseMs(2, 1, 0), 'INVALID_ARGUMENT', 'mu');
  });
});
