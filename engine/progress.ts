/**
 * How a long run reports how far it has got. Runs call it with the work done and the work in all
 * (in the run's own unit: events, nodes, schedules); the CLI turns it into a progress bar on a
 * terminal and ignores it otherwise. A run should call it at most every few thousand units of
 * work. It lives in engine/ because engine runs (token allocation) report progress too.
 */
export type Progress = (done: number, total: number) => void;

export const noProgress: Progress = () => {};
