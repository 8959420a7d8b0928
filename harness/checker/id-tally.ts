/** Counts ids and keeps the first few as samples, so a run losing 10^6 events stays small. */
export interface IdTally {
  readonly count: number;
  readonly ids: readonly string[];
  add(id: string): void;
}

export function idTally(limit: number): IdTally {
  let count = 0;
  const ids: string[] = [];
  return {
    get count() {
      return count;
    },
    ids,
    add(id) {
      count++;
      if (ids.length < limit) ids.push(id);
    },
  };
}
