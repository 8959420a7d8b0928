import type { SinkRecord } from '../../lib/sink.ts';
import { parsePosition, type BrokerPosition } from '../../lib/transports/position.ts';
import type { IdState } from '../history-index.ts';
import { applied } from './inputs.ts';

/** An applied event sent with a key, with where the broker held it. */
export interface KeyedEvent {
  id: string;
  state: IdState;
  record: SinkRecord;
  position: BrokerPosition;
}

/**
 * The applied keyed events, grouped by key and then by shard (a Kafka partition; one
 * stream or queue is one shard), each group in broker order. Events without a key, an
 * effect or a readable position are left out: there is nothing to order them against.
 */
export function keyedEventsByKey(
  ids: ReadonlyMap<string, IdState>,
  sink: ReadonlyMap<string, SinkRecord>,
): Map<string, KeyedEvent[]> {
  const byKey = new Map<string, KeyedEvent[]>();
  for (const [id, state] of ids) {
    if (state.key === undefined) continue;
    const record = sink.get(id);
    const position = parsePosition(record?.position);
    if (!applied(record) || !position) continue;
    let events = byKey.get(state.key);
    if (!events) byKey.set(state.key, (events = []));
    events.push({ id, state, record, position });
  }
  return byKey;
}

/** One key's events split by shard, each in broker order. */
export function byShardInOrder(events: readonly KeyedEvent[]): KeyedEvent[][] {
  const shards = new Map<string, KeyedEvent[]>();
  for (const e of events) {
    let list = shards.get(e.position.shard);
    if (!list) shards.set(e.position.shard, (list = []));
    list.push(e);
  }
  const inOrder = (a: KeyedEvent, b: KeyedEvent) =>
    a.position.at[0] - b.position.at[0] || a.position.at[1] - b.position.at[1];
  return [...shards.values()].map((list) => list.sort(inOrder));
}
