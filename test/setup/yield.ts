/**
 * Lets each test worker answer vitest's own messages between tests. A simulated run is one long
 * synchronous stretch; vitest's worker waits at most 60 s for the answer to a message it sent,
 * and that answer is only read when the event loop gets to poll. Back-to-back runs with only
 * microtask turns between them can starve it past 60 s ("Timeout calling onTaskUpdate"), which
 * fails the run though every test passed. `setImmediate` resumes after the poll phase, so what
 * arrived meanwhile is read first.
 */
import { beforeEach } from 'vitest';

export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

beforeEach(turn);
