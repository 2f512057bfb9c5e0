/**
 * Space-Saving (Metwally, Agrawal, El Abbadi, 2005): the top items of a stream in bounded
 * memory. With `capacity` counters, every item whose true count exceeds n / capacity is
 * tracked, and each tracked count overestimates by at most its recorded error. Deterministic:
 * ties on the minimum are broken by the heap's order, which depends only on the stream.
 */
export interface SpaceSaving {
  readonly capacity: number;
  /** Events offered since the last reset. */
  readonly total: number;
  offer(item: string): void;
  /** A lower bound on the item's true count (0 when it is not tracked). */
  guaranteed(item: string): number;
  /** Tracked items with their count and the lower bound count - error, largest count first. */
  entries(): { item: string; count: number; guaranteed: number }[];
  reset(): void;
}

export function createSpaceSaving(capacity: number): SpaceSaving {
  // A min-heap on count over parallel arrays; `slot` maps an item to its heap index.
  let items: string[] = [];
  let counts: number[] = [];
  let errors: number[] = [];
  let slot = new Map<string, number>();
  let total = 0;

  const swap = (a: number, b: number): void => {
    [items[a], items[b]] = [items[b]!, items[a]!];
    [counts[a], counts[b]] = [counts[b]!, counts[a]!];
    [errors[a], errors[b]] = [errors[b]!, errors[a]!];
    slot.set(items[a]!, a);
    slot.set(items[b]!, b);
  };

  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && counts[left]! < counts[smallest]!) smallest = left;
      if (right < items.length && counts[right]! < counts[smallest]!) smallest = right;
      if (smallest === i) return;
      swap(i, smallest);
      i = smallest;
    }
  };

  const siftUp = (start: number): void => {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (counts[parent]! <= counts[i]!) return;
      swap(i, parent);
      i = parent;
    }
  };

  return {
    capacity,
    get total() {
      return total;
    },
    offer(item) {
      total++;
      const at = slot.get(item);
      if (at !== undefined) {
        counts[at]!++;
        siftDown(at);
        return;
      }
      if (items.length < capacity) {
        items.push(item);
        counts.push(1);
        errors.push(0);
        slot.set(item, items.length - 1);
        siftUp(items.length - 1);
        return;
      }
      // Replace the least-counted item: the newcomer inherits its count as error.
      slot.delete(items[0]!);
      errors[0] = counts[0]!;
      counts[0]!++;
      items[0] = item;
      slot.set(item, 0);
      siftDown(0);
    },
    guaranteed(item) {
      const at = slot.get(item);
      return at === undefined ? 0 : counts[at]! - errors[at]!;
    },
    entries() {
      return items
        .map((item, i) => ({ item, count: counts[i]!, guaranteed: counts[i]! - errors[i]! }))
        .sort((a, b) => b.count - a.count || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    },
    reset() {
      items = [];
      counts = [];
      errors = [];
      slot = new Map();
      total = 0;
    },
  };
}
