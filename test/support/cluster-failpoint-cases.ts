import type { TransportName } from '../../lib/envelope.ts';
import type { FailpointName } from '../../lib/failpoints.ts';

/**
 * Unsafe ack settings on the replicated brokers: the loss needs the leader or primary to die
 * inside the replication window, which is timing, so each is tried with up to `tries` seeds
 * and must be caught as `lost` in one of them (catch rates measured: README).
 */
export const CLUSTER_FAILPOINT_CASES: {
  scenario: string;
  failpoint: FailpointName;
  transports: TransportName[];
  tries: number;
}[] = [
  { scenario: 'broker-failover', failpoint: 'acks-leader', transports: ['kafka'], tries: 3 },
  { scenario: 'redis-failover', failpoint: 'redis-no-wait', transports: ['redis'], tries: 3 },
];
