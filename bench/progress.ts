/**
 * How a long run reports how far it has got. Runs call it with the work done and the work in all
 * (in the run's own unit: events, nodes, schedules); the CLI turns it into a progress bar on a
 * terminal and ignores it otherwise. Calls are cheap to make but a run should still call at most
 * every few thousand units of work.
 */
export type Progress = (done: number, total: number) => void;

export const noProgress: Progress = () => {};
