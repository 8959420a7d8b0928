import { murmur2 } from '@platformatic/kafka';

/**
 * The partition of a key, as the Java client and kafkajs' DefaultPartitioner choose it
 * (murmur2, sign bit cleared, modulo the partition count): one key lands on the same
 * partition whichever client wrote it, so switching clients keeps per-key order.
 * (@platformatic/kafka's own default keeps the sign bit and differs for some keys.)
 */
export function partitionFor(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
