/**
 * The time plane's network: every message between two nodes takes a delay drawn from its link's
 * distribution (one for links inside a DC, one for links across DCs), unless the link is cut by
 * a partition or the message is lost. It is a module of its own that the simulation owns and
 * hands to the coordinators, so that faults on the network are scheduled in one place.
 *
 * A message a node sends itself is delivered at once and never lost: a coordinator applies its
 * own replica's mutation in-process, as Cassandra does.
 */
import { invalidConfig } from '../errors.js';
import type { Random } from '../random.js';
import type { NodeSpec } from '../ring.js';
import { createDelay, type DelayInput } from './delay.js';
import type { EventHandler, Scheduler } from './scheduler.js';

export interface NetworkOptions {
  /** Delay of a message between two nodes of one DC. */
  readonly localDelay: DelayInput;
  /** Delay of a message between DCs. */
  readonly crossDcDelay: DelayInput;
  /** Probability that any message is lost, in [0, 1). */
  readonly lossProbability?: number;
}

export interface Network {
  /**
   * Sends a message from node `from` to node `to`: `deliver` runs on arrival. Returns false when
   * the message is lost or the link is cut (nothing will arrive).
   */
  send(from: number, to: number, deliver: EventHandler): boolean;
  /** Cuts every link between the two sets of nodes, both ways, until `heal`. */
  partition(sideA: readonly number[], sideB: readonly number[]): void;
  /** Restores every cut link. */
  heal(): void;
  /** Loss probability for every link, or for one link (both ways) when `link` is given. */
  setLoss(probability: number, link?: readonly [number, number]): void;
  /** Removes a link's own loss probability: it follows the all-links one again. */
  clearLoss(link: readonly [number, number]): void;
  /** Messages sent, and of them lost or cut. */
  readonly sent: number;
  readonly dropped: number;
}

export function createNetwork(
  scheduler: Scheduler,
  nodes: readonly NodeSpec[],
  options: NetworkOptions,
  random: Random,
): Network {
  const count = nodes.length;
  const local = createDelay(options.localDelay, random.fork('local'), 'localDelay');
  const crossDc = createDelay(options.crossDcDelay, random.fork('cross-dc'), 'crossDcDelay');
  const loss = random.fork('loss');
  /** Each node's DC as a small integer, so a message's link is told by comparing two. */
  const dcIds = new Map<string, number>();
  for (const { dc } of nodes) if (!dcIds.has(dc)) dcIds.set(dc, dcIds.size);
  const dcOf = Int32Array.from(nodes, (node) => dcIds.get(node.dc)!);
  /** 1 where the link from i to j is cut: `cut[i * count + j]`. */
  const cut = new Uint8Array(count * count);
  let cuts = 0;
  let globalLoss = checkedLoss(options.lossProbability ?? 0);
  const linkLoss = new Map<number, number>();
  let sent = 0;
  let dropped = 0;

  return {
    send(from, to, deliver) {
      sent++;
      if (from === to) {
        scheduler.after(0, deliver);
        return true;
      }
      const link = from * count + to;
      const lossProbability = linkLoss.size === 0 ? globalLoss : (linkLoss.get(link) ?? globalLoss);
      // The loss draw is taken for every message, lost or not, so that cutting one link does not
      // shift the draws of the others.
      const lost = lossProbability > 0 && loss.nextFloat() < lossProbability;
      if ((cuts > 0 && cut[link] === 1) || lost) {
        dropped++;
        return false;
      }
      scheduler.after((dcOf[from] === dcOf[to] ? local : crossDc).sample(), deliver);
      return true;
    },
    partition(sideA, sideB) {
      for (const a of sideA) {
        for (const b of sideB) {
          if (a === b) continue;
          if (cut[a * count + b] === 0) cuts++;
          if (cut[b * count + a] === 0) cuts++;
          cut[a * count + b] = 1;
          cut[b * count + a] = 1;
        }
      }
    },
    heal() {
      cut.fill(0);
      cuts = 0;
    },
    setLoss(probability, link) {
      const checked = checkedLoss(probability);
      if (link === undefined) {
        globalLoss = checked;
        return;
      }
      const [a, b] = link;
      linkLoss.set(a * count + b, checked);
      linkLoss.set(b * count + a, checked);
    },
    clearLoss([a, b]) {
      linkLoss.delete(a * count + b);
      linkLoss.delete(b * count + a);
    },
    get sent() {
      return sent;
    },
    get dropped() {
      return dropped;
    },
  };
}

function checkedLoss(probability: number): number {
  if (!(probability >= 0 && probability < 1)) {
    throw invalidConfig('loss', `must be a probability in [0, 1), got ${probability}`);
  }
  return probability;
}
