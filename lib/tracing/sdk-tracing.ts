import {
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator, setGlobalErrorHandler } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import { withTimeout } from '../with-timeout.ts';
import type { MessagingTarget } from './messaging-target.ts';
import type { PublishSpans, ServerRequest, ServerSpan, TraceStep, Tracing } from './tracing.ts';

/** Loaded by `startTracing` only when an OTLP endpoint is set: the SDK stays out otherwise. */

export interface SdkTracingOptions {
  /** OTLP/HTTP traces endpoint (JSON encoding). */
  url: string;
  serviceName: string;
  attributes: Record<string, string>;
  /** Where failed exports and dropped spans are reported. */
  logger: Logger;
}

/**
 * The SDK reports failed exports and dropped spans (queue full) through its global error
 * handler and diag logger, which are silent by default: a collector that is down or too
 * slow would go unnoticed. Both go to our log instead, as warnings.
 */
function reportSdkProblems(logger: Logger): void {
  setGlobalErrorHandler((err) => logger.warn({ err: errorMessage(err) }, 'span export failed'));
  const warn = (message: string) => logger.warn(message);
  const quiet = () => undefined;
  diag.setLogger(
    { error: warn, warn, info: quiet, debug: quiet, verbose: quiet },
    DiagLogLevel.WARN,
  );
}

const propagator = new W3CTraceContextPropagator();

/** Longest a shutdown waits for the last export: a dead collector must not hold an exit. */
const SHUTDOWN_TIMEOUT_MS = 3000;

function failed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : errorMessage(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
}

/**
 * `messaging.*` attributes of the OpenTelemetry messaging semantic conventions: the message
 * id on a span of one message, the message count on a span of a batch.
 */
function messagingAttributes(
  target: MessagingTarget,
  operation: { name: string; type: string },
  ids: readonly string[],
): Attributes {
  return {
    'messaging.system': target.system,
    'messaging.destination.name': target.destination,
    'messaging.operation.name': operation.name,
    'messaging.operation.type': operation.type,
    ...(ids.length === 1
      ? { 'messaging.message.id': ids[0] }
      : { 'messaging.batch.message_count': ids.length }),
  };
}

function serverSpan(tracer: Tracer, request: ServerRequest): ServerSpan {
  // A caller's own traceparent makes the request part of the caller's trace.
  const parent = propagator.extract(ROOT_CONTEXT, request, {
    get: (carrier: ServerRequest, key) => carrier.header(key),
    keys: () => [],
  });
  const span = tracer.startSpan(
    `${request.method} ${request.route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        'http.route': request.route,
        'url.path': request.path,
        'url.scheme': 'http',
      },
    },
    parent,
  );
  return {
    context: trace.setSpan(parent, span),
    end(statusCode) {
      span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/**
 * One PRODUCER "send" span per publish call: of the one message, or of the whole batch
 * (semconv batch sending, `messaging.batch.message_count`), whose context every message of
 * the batch carries as its creation context. Not a span per event of a batch: at ~15 µs of
 * CPU a span that is 1.5 ms per 100-event request, while the events of one request share
 * its trace anyway (README, "Tracing").
 */
function publishSpans(
  tracer: Tracer,
  parent: Context | undefined,
  target: MessagingTarget,
  ids: readonly string[],
): PublishSpans {
  const base = parent ?? ROOT_CONTEXT;
  const operation = { name: 'publish', type: 'send' };
  const span = tracer.startSpan(
    `publish ${target.destination}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes(target, operation, ids) },
    base,
  );
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(base, span), carrier, defaultTextMapSetter);
  return {
    fields: ids.map(() => carrier),
    end(err) {
      if (err !== undefined) failed(span, err);
      span.end();
    },
  };
}

async function inSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export function createSdkTracing(options: SdkTracingOptions): Tracing {
  reportSdkProblems(options.logger);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...options.attributes,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.url }))],
  });
  const tracer = provider.getTracer('fault-tolerant-event-pipeline');
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    startServerSpan: (request) => serverSpan(tracer, request),
    startPublish: (parent, target, ids) => publishSpans(tracer, parent, target, ids),
    process(target, message, fn) {
      // The process span's parent is the publish span the message carries (semconv: a
      // single-message consumer continues the producer's trace).
      const parent = message.fields
        ? propagator.extract(ROOT_CONTEXT, message.fields, defaultTextMapGetter)
        : ROOT_CONTEXT;
      const span = tracer.startSpan(
        `process ${target.destination}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: messagingAttributes(target, { name: 'process', type: 'process' }, [
            message.id,
          ]),
        },
        parent,
      );
      const inner = trace.setSpan(parent, span);
      const step: TraceStep = (name, run, attributes) =>
        inSpan(tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, inner), run);
      return inSpan(span, () => fn(step));
    },
    shutdown() {
      stopping ??= withTimeout(
        provider.shutdown(),
        SHUTDOWN_TIMEOUT_MS,
        () => new Error('span export timed out'),
      ).catch(() => undefined);
      return stopping;
    },
  };
}
