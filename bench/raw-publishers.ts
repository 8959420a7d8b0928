import { chunks, forEachBounded } from '../lib/bounded.ts';
import type { Config } from '../lib/config.ts';
import type { EventEnvelope, TransportName } from '../lib/envelope.ts';
import { driverFor } from '../lib/transports/registry.ts';

/** Fills a backlog fast with the raw client: batches of 1000, four in flight. */
export async function fillBacklog(
  transport: TransportName,
  config: Config,
  events: readonly EventEnvelope[],
): Promise<void> {
  const publisher = await driverFor(transport).raw.publisher(config);
  try {
    await forEachBounded(chunks(events, 1000), 4, (batch) => publisher.publish(batch));
  } finally {
    await publisher.close();
  }
}
