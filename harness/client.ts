import type { TransportName } from '../lib/envelope.ts';

/**
 * The harness's client of the producer HTTP API. It never throws: every request ends in
 * one Jepsen outcome. `ok` = 202 (durably in the broker); `fail` = definitely not sent
 * (4xx, 503, connection refused); `info` = unknown (504, other 5xx, timeout, a socket
 * error once the request may have been written).
 */
export interface ClientEvent {
  id: string;
  type: string;
  /** The ordering key (Kafka: the partition key); absent: the id is the key. */
  key?: string;
  payload: unknown;
}

export interface Outcome {
  type: 'ok' | 'fail' | 'info';
  status?: number;
  /** Short machine-readable reason: an errno code, `timeout`, `http-503`. */
  error?: string;
}

export interface ClientOptions {
  /** Base URL of the producer, e.g. `http://127.0.0.1:3000`. */
  producerUrl: string;
  /** Per-request timeout in ms (default 8000): above the producer's ack timeout (5000),
   * so a slow broker shows up as the producer's 504 rather than a client timeout. */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface Client {
  send(transport: TransportName, events: readonly ClientEvent[]): Promise<Outcome>;
}

/** Errno codes raised before any byte of the request left this host. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

export function classifyStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return { type: 'ok', status };
  if (status === 504) return { type: 'info', status, error: 'http-504' };
  // The producer contract: 4xx and 503 mean nothing was published.
  if (status === 503 || (status >= 400 && status < 500)) {
    return { type: 'fail', status, error: `http-${status}` };
  }
  // 500, 502 and anything unexpected: the producer may have published before failing.
  return { type: 'info', status, error: `http-${status}` };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Codes of an error and its causes; AggregateError (happy eyeballs) contributes all. */
function errorCodes(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 4) return [];
  const own = errorCode(err);
  const nested = err instanceof AggregateError ? err.errors : [];
  const cause = (err as { cause?: unknown }).cause;
  return [
    ...(own ? [own] : []),
    ...nested.flatMap((e) => errorCodes(e, depth + 1)),
    ...errorCodes(cause, depth + 1),
  ];
}

/** Classifies a thrown fetch error: definite only when the connection never opened. */
export function classifyError(err: unknown): Outcome {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return { type: 'info', error: 'timeout' };
  const codes = errorCodes(err);
  const connectCodes = codes.filter((c) => NOT_SENT_CODES.has(c));
  const other = codes.find((c) => !NOT_SENT_CODES.has(c));
  if (connectCodes.length > 0 && other === undefined) {
    return { type: 'fail', error: connectCodes[0] };
  }
  return { type: 'info', error: other ?? connectCodes[0] ?? 'network-error' };
}

export function createClient(options: ClientOptions): Client {
  const base = options.producerUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 8000;
  const doFetch = options.fetch ?? fetch;
  return {
    async send(transport, events) {
      // A single event goes as a bare object, a batch as {events}: both API forms get load.
      const body = events.length === 1 ? events[0] : { events };
      try {
        const response = await doFetch(`${base}/v1/events/${transport}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Drain the body so the keep-alive socket is reused; its content is not needed.
        await response.arrayBuffer().catch(() => undefined);
        return classifyStatus(response.status);
      } catch (err) {
        return classifyError(err);
      }
    },
  };
}
