/**
 * The newest `k` of many rows, by id: what a page of `GET /api/v1/logs` needs from the rows a
 * query gathered. Sorting every matching row to keep a hundred costs O(n log n) string
 * comparisons (a quarter of a second for a 300,000-row partition); a min-heap of the `k` newest
 * seen so far costs O(n log k), and for most rows one comparison with the heap's oldest.
 */

/**
 * The `k` items with the greatest `idOf` among those that pass `keep`, greatest first, and
 * whether more passed. Ids are compared as strings; equal ids are not expected (log ids are
 * unique).
 */
export function newestOf<T>(
  items: readonly T[],
  k: number,
  idOf: (item: T) => string,
  keep: (item: T) => boolean,
): { readonly newest: T[]; readonly more: boolean } {
  const heap: T[] = [];
  const ids: string[] = [];
  let passed = 0;
  const swap = (i: number, j: number): void => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  };
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < ids.length && ids[left]! < ids[least]!) least = left;
      if (right < ids.length && ids[right]! < ids[least]!) least = right;
      if (least === i) return;
      swap(i, least);
      i = least;
    }
  };
  for (const item of items) {
    if (!keep(item)) continue;
    passed++;
    if (k <= 0) continue;
    const id = idOf(item);
    if (heap.length < k) {
      heap.push(item);
      ids.push(id);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (ids[parent]! <= ids[i]!) break;
        swap(i, parent);
        i = parent;
      }
    } else if (id > ids[0]!) {
      heap[0] = item;
      ids[0] = id;
      siftDown();
    }
  }
  const order = heap.map((item, i) => ({ item, id: ids[i]! }));
  order.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { newest: order.map((o) => o.item), more: passed > heap.length };
}
