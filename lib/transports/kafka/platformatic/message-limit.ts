import { ConfigResourceTypes, type Admin, type ConfigResourceTypeValue } from '@platformatic/kafka';
import { KAFKA_DEFAULT_MESSAGE_MAX_BYTES, type MessageLimit } from '../message-limit.ts';
import { protocolErrorName, errorTree } from './errors.ts';

/**
 * The topic's `max.message.bytes`, else the broker's `message.max.bytes`, else Kafka's
 * default (the kafkajs driver's rule, message-limit.ts). Only a broker's refusal moves on
 * to the next source; a broker that cannot be reached fails the setup.
 */
export async function readPlatformaticMessageLimit(
  admin: Admin,
  topic: string,
): Promise<MessageLimit> {
  const fromTopic = await describeBytes(
    admin,
    ConfigResourceTypes.TOPIC,
    topic,
    'max.message.bytes',
  );
  if (fromTopic !== undefined)
    return { bytes: fromTopic, setting: `max.message.bytes of topic ${topic}` };
  const metadata = await admin.metadata({ topics: [] });
  for (const nodeId of metadata.brokers.keys()) {
    const bytes = await describeBytes(
      admin,
      ConfigResourceTypes.BROKER,
      String(nodeId),
      'message.max.bytes',
    );
    if (bytes !== undefined) return { bytes, setting: `message.max.bytes of broker ${nodeId}` };
  }
  return { bytes: KAFKA_DEFAULT_MESSAGE_MAX_BYTES, setting: "Kafka's default message.max.bytes" };
}

async function describeBytes(
  admin: Admin,
  resourceType: ConfigResourceTypeValue,
  resourceName: string,
  key: string,
): Promise<number | undefined> {
  let described;
  try {
    described = await admin.describeConfigs({
      resources: [{ resourceType, resourceName, configurationKeys: [key] }],
    });
  } catch (err) {
    // An answer with an error code (not authorized, say): try the next source.
    if ([...errorTree(err)].some((e) => protocolErrorName(e) !== undefined)) return undefined;
    throw err;
  }
  const entry = described.flatMap((r) => r.configs).find((c) => c.name === key);
  const bytes = Number(entry?.value);
  return entry !== undefined && Number.isInteger(bytes) && bytes > 0 ? bytes : undefined;
}
