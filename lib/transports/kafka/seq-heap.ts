/** What the heap orders: anything with a push sequence number. */
export interface Sequenced {
  readonly seq: number;
}

export interface SeqHeap<T extends Sequenced> {
  push(item: T): void;
  /** The item with the lowest `seq`, removed; undefined when empty. */
  pop(): T | undefined;
  readonly size: number;
}

/** A binary min-heap by `seq`: the oldest ready message is started first. */
export function createSeqHeap<T extends Sequenced>(): SeqHeap<T> {
  const items: T[] = [];
  const less = (i: number, j: number) => (items[i] as T).seq < (items[j] as T).seq;
  const swap = (i: number, j: number) => {
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  };
  const up = (start: number) => {
    for (let i = start; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (start: number) => {
    for (let i = start; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < items.length && less(l, min)) min = l;
      if (r < items.length && less(r, min)) min = r;
      if (min === i) return;
      swap(i, min);
      i = min;
    }
  };
  return {
    push(item) {
      items.push(item);
      up(items.length - 1);
    },
    pop() {
      const top = items[0];
      const last = items.pop();
      if (items.length > 0 && last !== undefined) {
        items[0] = last;
        down(0);
      }
      return top;
    },
    get size() {
      return items.length;
    },
  };
}
