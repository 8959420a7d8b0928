import { protocolErrorsCodesById } from '@platformatic/kafka';

/** Every error in the chain: causes and the members of aggregated errors. */
export function* errorTree(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length > 0) {
    const e = stack.pop();
    if (e === undefined || e === null || seen.has(e)) continue;
    seen.add(e);
    yield e;
    if (e instanceof Error && e.cause !== undefined) stack.push(e.cause);
    if (e instanceof AggregateError) stack.push(...(e.errors as unknown[]));
  }
}

/** The broker's error code name (`NOT_LEADER_OR_FOLLOWER`) of a protocol error, if it is one. */
export function protocolErrorName(err: unknown): string | undefined {
  const id = (err as { apiId?: unknown } | null)?.apiId;
  return typeof id === 'string' ? id : undefined;
}

/** The broker's error names in an error chain (`NOT_COORDINATOR`, else messages), for logs. */
export const brokerCodes = (err: unknown): string[] => [
  ...new Set([...errorTree(err)].map((e) => protocolErrorName(e) ?? (e as Error)?.message)),
];

/** True when the chain holds the broker error `name` (as Kafka names it). */
export function isProtocolError(err: unknown, name: string): boolean {
  for (const e of errorTree(err)) if (protocolErrorName(e) === name) return true;
  return false;
}

/** The name Kafka gives the numeric error `code` of a response (`NOT_LEADER_OR_FOLLOWER`). */
export const errorName = (code: number): string => protocolErrorsCodesById[code] ?? `CODE_${code}`;

/** Socket errors that only happen while connecting: no request went out on that socket. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/** True when the chain shows a connection to the broker could not be opened. */
export function isConnectFailure(err: unknown): boolean {
  for (const e of errorTree(err)) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && CONNECT_CODES.has(code)) return true;
  }
  return false;
}

/** True when any error in the chain says the client's metadata is stale (leader moved). */
export function hasStaleMetadata(err: unknown): boolean {
  for (const e of errorTree(err))
    if ((e as { hasStaleMetadata?: unknown } | null)?.hasStaleMetadata === true) return true;
  return false;
}
