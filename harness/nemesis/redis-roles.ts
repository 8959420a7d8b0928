import { Redis } from 'ioredis';
import { AppError } from '../../lib/errors.ts';
import type { Infra, ManagedServer, SentinelEndpoints } from '../infra/types.ts';

/**
 * Who the Sentinels name as the broker Redis primary, and which managed node that is. The
 * Sentinels are asked directly (no proxy is in front of them), each on its own connection.
 */

export function sentinelsOf(infra: Infra): SentinelEndpoints {
  const s = infra.endpoints.redis.sentinel;
  if (!s) {
    throw new AppError(
      'UNSUPPORTED_FAULT',
      'no Sentinels: Redis role faults need the cluster topology of the local provider',
    );
  }
  return s;
}

/** One Sentinel's answer to get-master-addr-by-name ('' when it has none or is down). */
async function askSentinel(address: string, name: string): Promise<string> {
  const [host, port] = address.split(':');
  const redis = new Redis({
    host: host ?? '127.0.0.1',
    port: Number(port),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const addr = (await redis.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
    return addr ? `${addr[0]}:${addr[1]}` : '';
  } catch {
    return '';
  } finally {
    redis.disconnect();
  }
}

/** What each Sentinel names as the primary (its announced address), in Sentinel order. */
export function sentinelPrimaries(infra: Infra): Promise<string[]> {
  const s = sentinelsOf(infra);
  return Promise.all(s.sentinels.map((a) => askSentinel(a, s.name)));
}

/** The managed Redis node that `announced` (a peer-proxy address, as Sentinel reports) is. */
export function redisNodeAt(infra: Infra, announced: string): ManagedServer | undefined {
  const direct = sentinelsOf(infra).natMap.direct[announced];
  const port = Number(direct?.split(':')[1]);
  return [...infra.servers.values()].find((s) => /^redis-\d+$/.test(s.name) && s.port === port);
}

/** The primary most Sentinels name, as a managed node; throws when they name none. */
export async function redisPrimary(
  infra: Infra,
): Promise<{ server: ManagedServer; announced: string }> {
  const views = (await sentinelPrimaries(infra)).filter((v) => v !== '');
  const votes = new Map<string, number>();
  for (const v of views) votes.set(v, (votes.get(v) ?? 0) + 1);
  const [announced] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  const server = announced === undefined ? undefined : redisNodeAt(infra, announced);
  if (!server || announced === undefined) {
    throw new AppError('ROLE_UNKNOWN', `the Sentinels name no known primary (${views.join(', ')})`);
  }
  return { server, announced };
}
