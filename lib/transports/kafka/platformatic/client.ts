import { Admin, type BaseOptions } from '@platformatic/kafka';
import { fixTaggedFields } from './wire-fix.ts';

// Every @platformatic/kafka client of the project is made here, so the wire fix is in place
// before the first response is read.
fixTaggedFields();

export interface PlatformaticClientOptions {
  brokers: readonly string[];
  clientId: string;
  /** Connect and request timeouts; a fault must surface as an error within these. */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Retries of a failed request inside the client; `false`: none (one attempt). */
  retries?: number | false;
  retryDelayMs?: number;
}

/** The options every @platformatic/kafka client takes, from ours. */
export function baseOptions(o: PlatformaticClientOptions): BaseOptions {
  return {
    clientId: o.clientId,
    bootstrapBrokers: [...o.brokers],
    connectTimeout: o.connectTimeoutMs ?? 3000,
    timeout: o.requestTimeoutMs ?? 10000,
    // `false` is the client's "no retries" (0 would mean "default" for the idempotent producer).
    retries: o.retries ?? 5,
    retryDelay: o.retryDelayMs ?? 200,
    // Re-read on every stale-metadata error anyway; a short age costs a round trip per send.
    metadataMaxAge: 30_000,
  };
}

/** Runs `use` with an admin client, closed afterwards whatever happens. */
export async function withPlatformaticAdmin<T>(
  options: PlatformaticClientOptions,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = new Admin(baseOptions(options));
  try {
    return await use(admin);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * `close(true)`: closes a consumer's streams too. (TypeScript picks the callback overload
 * for a literal `true`, which returns nothing.)
 */
export function forceClose(client: { close(force?: boolean): Promise<void> }): Promise<void> {
  return client.close.call(client, true);
}
