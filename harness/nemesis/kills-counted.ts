/** Kills of one start entry: its `detail.count` when the nemesis recorded one, else 1. */
export function killsCounted(detail: Readonly<Record<string, unknown>> | undefined): number {
  const count = detail?.count;
  return typeof count === 'number' ? count : 1;
}
