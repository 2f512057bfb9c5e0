/**
 * Closed forms for the queues the time plane models, so that simulations can be checked
 * against theory and reports can say how far a run is from it. Rates are per millisecond and
 * times in milliseconds; `lambda` is the arrival rate, `mu` one worker's service rate.
 */
import { RinglabError } from '../errors.js';

/**
 * Erlang C: the probability that an arrival to an M/M/c queue has to wait, for `workers`
 * servers and offered load `a` = lambda / mu (in erlangs, below `workers`). Computed through
 * the Erlang B recurrence B(k) = a B(k-1) / (k + a B(k-1)), which stays in [0, 1] and so
 * neither overflows nor loses precision the way a^c / c! does for large c.
 */
export function erlangC(workers: number, offeredLoad: number): number {
  checkWorkers(workers);
  if (!(offeredLoad >= 0 && offeredLoad < workers)) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `offeredLoad must be in [0, workers) for a stable queue, got ${offeredLoad}`,
      'offeredLoad',
    );
  }
  let b = 1;
  for (let k = 1; k <= workers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  return (workers * b) / (workers - offeredLoad * (1 - b));
}

/** Mean time in an M/M/c system (waiting plus service): C / (c mu - lambda) + 1 / mu. */
export function mmcMeanResponseMs(workers: number, lambdaPerMs: number, muPerMs: number): number {
  checkRates(lambdaPerMs, muPerMs);
  const load = lambdaPerMs / muPerMs;
  return erlangC(workers, load) / (workers * muPerMs - lambdaPerMs) + 1 / muPerMs;
}

/** Mean time in an M/M/1 system: 1 / (mu - lambda). */
export function mm1MeanResponseMs(lambdaPerMs: number, muPerMs: number): number {
  checkRates(lambdaPerMs, muPerMs);
  if (!(lambdaPerMs < muPerMs)) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `lambda must be below mu for a stable queue, got ${lambdaPerMs} >= ${muPerMs}`,
      'lambda',
    );
  }
  return 1 / (muPerMs - lambdaPerMs);
}

function checkWorkers(workers: number): void {
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `workers must be a positive integer, got ${workers}`,
      'workers',
    );
  }
}

function checkRates(lambdaPerMs: number, muPerMs: number): void {
  if (!(lambdaPerMs >= 0 && lambdaPerMs < Infinity)) {
    throw new RinglabError('INVALID_ARGUMENT', `lambda must be finite and >= 0`, 'lambda');
  }
  if (!(muPerMs > 0 && muPerMs < Infinity)) {
    throw new RinglabError('INVALID_ARGUMENT', `mu must be finite and > 0`, 'mu');
  }
}
