import type { Context } from '@opentelemetry/api';
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import type { MessagingTarget } from './messaging-target.ts';
import type { TraceFields } from './trace-fields.ts';

/** The SERVER span of one HTTP request, ended with its answer's status code. */
export interface ServerSpan {
  /** The parent of what the request does (the publish spans). */
  readonly context: Context;
  end(statusCode: number): void;
}

export interface ServerRequest {
  method: string;
  /** The route's pattern (`/v1/events/:transport`), the span's name and `http.route`. */
  route: string;
  path: string;
  /** A request header, for a caller's own `traceparent`. */
  header(name: string): string | undefined;
}

/** The PRODUCER span of one publish (one event or a batch), and what each message carries. */
export interface PublishSpans {
  /** In event order: what each event's message carries to the worker. */
  readonly fields: readonly TraceFields[];
  /** Ends the span, failed when `err` is given. */
  end(err?: unknown): void;
}

export interface ProcessedMessage {
  id: string;
  /** What the message carried; absent when it was published with tracing off. */
  fields?: TraceFields;
}

/** Runs one step of the processing (the sink write) in a child span named `name`. */
export type TraceStep = <T>(
  name: string,
  fn: () => Promise<T>,
  attributes?: Record<string, string>,
) => Promise<T>;

/**
 * Opt-in OpenTelemetry tracing (the README's "Tracing" section). Off, it
 * is `NO_TRACING`: nothing of the SDK is loaded and every verb costs a call at most. Spans
 * take their parents explicitly, so no context manager (async hooks) is installed either.
 */
export interface Tracing {
  readonly enabled: boolean;
  startServerSpan(request: ServerRequest): ServerSpan | undefined;
  startPublish(
    parent: Context | undefined,
    target: MessagingTarget,
    ids: readonly string[],
  ): PublishSpans | undefined;
  /** Runs `fn` in a CONSUMER span whose parent is the context the message carried. */
  process<T>(
    target: MessagingTarget,
    message: ProcessedMessage,
    fn: (step: TraceStep) => Promise<T>,
  ): Promise<T>;
  /** Exports what is buffered and stops; idempotent. */
  shutdown(): Promise<void>;
}

const direct: TraceStep = (_name, fn) => fn();

export const NO_TRACING: Tracing = {
  enabled: false,
  startServerSpan: () => undefined,
  startPublish: () => undefined,
  process: (_target, _message, fn) => fn(direct),
  shutdown: () => Promise.resolve(),
};

/** The OTLP/HTTP traces URL the config names, or undefined when tracing is off. */
export function tracesUrl(config: Config): string | undefined {
  const { endpoint, tracesEndpoint } = config.tracing;
  // The signal-specific variable is used as it is; the general one gets the signal's path.
  if (tracesEndpoint !== '') return tracesEndpoint;
  if (endpoint !== '') return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/**
 * Tracing for this process, named `serviceName` (`service.name`): on only when an OTLP
 * endpoint is configured, and then the SDK is imported here, not before.
 */
export async function startTracing(
  config: Config,
  serviceName: string,
  attributes: Record<string, string> = {},
): Promise<Tracing> {
  const url = tracesUrl(config);
  if (url === undefined) return NO_TRACING;
  const { createSdkTracing } = await import('./sdk-tracing.ts');
  const logger = createLogger('tracing', { url });
  return createSdkTracing({ url, serviceName, attributes, logger });
}
