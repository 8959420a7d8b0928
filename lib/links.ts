/**
 * Names of the Toxiproxy links, one per client group and server: the drivers declare which
 * they use, the infra providers create them, the nemeses break them.
 */
export const PROXIES = [
  'kafka-producer',
  'kafka-workers',
  'redis-producer',
  'redis-workers',
  'sink-workers',
] as const;
export type ProxyName = (typeof PROXIES)[number];
