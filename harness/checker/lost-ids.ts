import type { SinkRecord } from '../../lib/sink.ts';
import type { IdState } from '../history-index.ts';
import { applied } from './inputs.ts';

/**
 * The ids the `lost` rule counts, in the same order: acknowledged (`ok`), not poison, no
 * effect in the sink. Shared by the lost-classes measure and the harness, which asks the
 * brokers where exactly these went.
 */
export function* lostIds(
  ids: ReadonlyMap<string, IdState>,
  sink: ReadonlyMap<string, SinkRecord>,
  isPoison: (id: string) => boolean,
): Generator<string> {
  for (const [id, s] of ids) {
    if (s.outcome === 'ok' && !isPoison(id) && !applied(sink.get(id))) yield id;
  }
}
