import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, metadataV12 } from '@platformatic/kafka';
import { Redis } from 'ioredis';
import type { Infra } from './infra/types.ts';
import { kafkaNodes } from './nemesis/kafka-roles.ts';
import { sentinelPrimaries, sentinelsOf } from './nemesis/redis-roles.ts';

/**
 * The healed state of the cluster topology: after the last heal and the drain the cluster
 * must be whole again, or the run fails, naming what is missing. Read once the faults are
 * over; the judgement is pure, so it is tested on plain data.
 */
export interface ClusterHealth {
  /** Kafka nodes in the cluster (each partition's ISR must hold them all). */
  kafkaNodes: number;
  /** Every partition of every topic, as one node's metadata describes it. */
  partitions: { topic: string; partition: number; leader: number; isr: number[] }[];
  /** Kafka nodes that did not answer the metadata request. */
  kafkaSilent: number[];
  /** What each Sentinel names as the primary ('' when it names none or did not answer). */
  sentinelPrimaries: string[];
  /** The primary's replication, from its INFO (undefined: unreadable). */
  primary?: { role: string; offset: number; replicas: { state: string; offset: number }[] };
  /** Replicas the primary must have. */
  expectedReplicas: number;
}

/** What keeps the cluster from being whole; empty when it is. */
export function clusterHealthProblems(h: ClusterHealth): string[] {
  const out: string[] = [];
  if (h.kafkaSilent.length > 0) out.push(`kafka nodes ${h.kafkaSilent.join(', ')} do not answer`);
  for (const p of h.partitions) {
    const name = `${p.topic}-${p.partition}`;
    if (p.leader < 0) out.push(`${name} has no leader`);
    if (p.isr.length < h.kafkaNodes)
      out.push(`${name} ISR [${p.isr.join(',')}], not all ${h.kafkaNodes}`);
  }
  const named = new Set(h.sentinelPrimaries);
  if (named.size !== 1 || named.has('')) {
    out.push(`the Sentinels name ${[...named].map((n) => n || 'none').join(' / ')} as primary`);
  }
  if (!h.primary) out.push('the Redis primary is unreadable');
  else out.push(...replicationProblems(h.primary, h.expectedReplicas));
  return out;
}

function replicationProblems(p: NonNullable<ClusterHealth['primary']>, expected: number): string[] {
  if (p.role !== 'master') return [`the node the Sentinels name is a ${p.role}`];
  const out: string[] = [];
  const online = p.replicas.filter((r) => r.state === 'online');
  if (online.length < expected)
    out.push(`redis primary has ${online.length} of ${expected} replicas online`);
  for (const r of online) {
    if (r.offset !== p.offset)
      out.push(`redis replica at offset ${r.offset}, primary at ${p.offset}`);
  }
  return out;
}

/** The primary's INFO replication as `ClusterHealth.primary`. */
export function parseReplication(info: string): NonNullable<ClusterHealth['primary']> {
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
  const replicas = [...info.matchAll(/^slave\d+:(.*)$/gm)].map((m) => {
    const attrs = new Map((m[1] ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
    return { state: attrs.get('state') ?? '', offset: Number(attrs.get('offset')) };
  });
  return { role: field('role'), offset: Number(field('master_repl_offset')), replicas };
}

async function kafkaMetadata(address: string) {
  const [host, port] = address.split(':');
  const c = new Connection('harness-health', { connectTimeout: 2000, requestTimeout: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect(host ?? '127.0.0.1', Number(port));
    return await metadataV12.api.async(c, null, false);
  } finally {
    await c.close().catch(() => undefined);
  }
}

async function readKafka(
  infra: Infra,
): Promise<Pick<ClusterHealth, 'kafkaNodes' | 'partitions' | 'kafkaSilent'>> {
  const nodes = kafkaNodes(infra);
  const answers = await Promise.all(
    [...nodes].map(
      async ([n, address]) => [n, await kafkaMetadata(address).catch(() => undefined)] as const,
    ),
  );
  const first = answers.find(([, a]) => a !== undefined)?.[1];
  const partitions = (first?.topics ?? []).flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name ?? '?',
      partition: p.partitionIndex,
      leader: p.leaderId,
      isr: [...p.isrNodes].sort(),
    })),
  );
  return {
    kafkaNodes: nodes.size,
    partitions,
    kafkaSilent: answers.filter(([, a]) => !a).map(([n]) => n),
  };
}

async function readPrimary(infra: Infra, announced: string): Promise<ClusterHealth['primary']> {
  const direct = sentinelsOf(infra).natMap.direct[announced];
  if (!direct) return undefined;
  const redis = new Redis(`redis://${direct}`, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return parseReplication(await redis.info('replication'));
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** Reads the cluster's state now. */
export async function readClusterHealth(infra: Infra): Promise<ClusterHealth> {
  const [kafka, primaries] = await Promise.all([readKafka(infra), sentinelPrimaries(infra)]);
  const primary = primaries[0] ? await readPrimary(infra, primaries[0]) : undefined;
  const expectedReplicas = Object.keys(sentinelsOf(infra).natMap.direct).length - 1;
  return {
    ...kafka,
    sentinelPrimaries: primaries,
    ...(primary ? { primary } : {}),
    expectedReplicas,
  };
}

/**
 * Waits (bounded) for the cluster to be whole, as a resync or an ISR refill after the last
 * heal takes seconds; returns what is still missing at the end (empty: whole).
 */
export async function awaitWholeCluster(infra: Infra, boundMs = 30000): Promise<string[]> {
  const until = Date.now() + boundMs;
  let problems: string[] = [];
  for (let i = 0; i < 200; i++) {
    problems = clusterHealthProblems(await readClusterHealth(infra));
    if (problems.length === 0 || Date.now() >= until) return problems;
    await sleep(500);
  }
  return problems;
}
