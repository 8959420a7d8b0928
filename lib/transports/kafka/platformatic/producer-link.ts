import { Admin, ProduceAcks, Producer } from '@platformatic/kafka';
import type { Config } from '../../../config.ts';
import { NotSentError } from '../../../errors.ts';
import { createHealthMonitor, type HealthMonitor } from '../../../health-monitor.ts';
import type { Logger } from '../../../log.ts';
import { withTimeout } from '../../../with-timeout.ts';
import type { MessageLimit } from '../message-limit.ts';
import { baseOptions, type PlatformaticClientOptions } from './client.ts';
import { createProducerSlot } from './idempotent.ts';
import { readPlatformaticMessageLimit } from './message-limit.ts';
import { ensurePlatformaticTopics } from './topics.ts';

/** The producer's connection to Kafka, its first-contact set-up and its health. */
export interface PlatformaticProducerLink {
  readonly health: HealthMonitor;
  /** Set up (topic made, limit read, producer id held) and the last check passed. */
  isReady(): boolean;
  limit(): MessageLimit | undefined;
  partitions(): number;
  /** The producer to send with, its producer id obtained; throws NotSentError if it cannot. */
  producer(timeoutMs: number): Promise<Producer>;
  /**
   * Drops the producer after a send whose outcome it cannot know: its sequence numbers may
   * no longer match the broker's. The next `producer()` starts over with a new producer id.
   */
  retire(): void;
  close(): Promise<void>;
}

/** Each request is sent once: the publisher decides what to resend (send-chunk.ts). */
function producerClient(config: Config, checkTimeoutMs: number): PlatformaticClientOptions {
  return {
    brokers: config.kafka.producerBrokers,
    clientId: 'pipeline-producer',
    connectTimeoutMs: checkTimeoutMs,
    requestTimeoutMs: config.producer.ackTimeoutMs,
    retries: false,
  };
}

const newIdempotentProducer = (client: PlatformaticClientOptions) =>
  new Producer({
    ...baseOptions(client),
    idempotent: true,
    acks: ProduceAcks.ALL,
    repeatOnStaleMetadata: false,
  });

/**
 * Connects in the background and keeps checking: the first successful check makes the
 * topics, reads the message limit and obtains a producer id; later ones read the topic's
 * metadata. The producer sends each request once (`retries: false`): the publisher decides
 * what to resend, which is what tells "not sent" from "indeterminate".
 */
export function createPlatformaticProducerLink(
  config: Config,
  logger: Logger,
): PlatformaticProducerLink {
  const { ackTimeoutMs, healthIntervalMs } = config.producer;
  const { topic, partitions: wanted } = config.kafka;
  const checkTimeoutMs = Math.min(ackTimeoutMs, 2000);
  const client = producerClient(config, checkTimeoutMs);
  const admin = new Admin(baseOptions(client));
  const slot = createProducerSlot(() => newIdempotentProducer(client));
  let setUp = false;
  let partitions = wanted;
  let limit: MessageLimit | undefined;
  const check = async () => {
    if (!setUp) {
      await ensurePlatformaticTopics(admin, { topic, partitions: wanted });
      limit = await readPlatformaticMessageLimit(admin, topic);
      logger.info({ limitBytes: limit.bytes, setting: limit.setting }, 'kafka message limit');
      await slot.get(ackTimeoutMs);
      setUp = true;
    }
    const timedOut = () => new NotSentError('metadata timed out');
    const md = await withTimeout(
      admin.metadata({ topics: [topic], forceUpdate: true }),
      checkTimeoutMs,
      timedOut,
    );
    partitions = md.topics.get(topic)?.partitionsCount ?? partitions;
  };
  const health = createHealthMonitor({
    intervalMs: healthIntervalMs,
    // Topic creation waits for leaders, so the first check gets the full ack timeout.
    timeoutMs: ackTimeoutMs,
    check,
    onChange: (up, err) =>
      up ? logger.info({ partitions }, 'kafka ready') : logger.warn({ err }, 'kafka unreachable'),
  });
  void health.checkNow();

  return {
    health,
    isReady: () => setUp && health.isReady(),
    limit: () => limit,
    partitions: () => partitions,
    producer: (timeoutMs) => slot.get(timeoutMs),
    retire: () => slot.retire(),
    async close() {
      health.stop();
      const results = await Promise.allSettled([slot.close(), admin.close()]);
      for (const r of results)
        if (r.status === 'rejected') logger.warn({ err: r.reason }, 'kafka disconnect failed');
    },
  };
}
