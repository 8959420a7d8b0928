import kafkajs from 'kafkajs';

// kafkajs is CommonJS and spreads its error classes into module.exports, which Node's ESM
// loader cannot see as named exports: take them from the default export.
const { KafkaJSConnectionError, KafkaJSProtocolError } = kafkajs;

/** Socket errors that only happen while connecting: no request went out on that socket. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/** Broker answers that reject a produce request before anything is appended to the log. */
const REJECTED_TYPES = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_LEADER_FOR_PARTITION',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'NOT_ENOUGH_REPLICAS',
  'INVALID_REQUIRED_ACKS',
  'TOPIC_AUTHORIZATION_FAILED',
  'CORRUPT_MESSAGE',
]);

function* causes(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

/** True when the error proves the connection to the broker could not be opened. */
export function isConnectFailure(err: unknown): boolean {
  for (const e of causes(err)) {
    // kafkajs sets the socket error code on the instance; its typings leave it out.
    const code = e instanceof KafkaJSConnectionError ? (e as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && CONNECT_CODES.has(code)) return true;
  }
  return false;
}

/**
 * True when a failed send certainly wrote nothing to the log: the broker answered and
 * rejected the request. A connect failure is NOT proof: kafkajs may have written the request
 * on a socket that was then cut, and surfaces only the failed reconnect after it (seen in the
 * partition-producer scenario: 503 answered, events processed). Only sound for a request
 * that touches one partition: kafkajs reports one partition's error for the whole request.
 */
export function provesNothingWritten(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e instanceof KafkaJSProtocolError && REJECTED_TYPES.has(e.type)) return true;
  }
  return false;
}
