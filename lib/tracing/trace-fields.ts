/**
 * The carrier every driver speaks: the W3C trace context of one message as plain text
 * fields (`traceparent`, and `tracestate` when there is one). A driver writes them into
 * its own message format (Kafka headers, stream fields, job data) and reads them back;
 * only lib/tracing turns them into span contexts.
 */
export type TraceFields = Readonly<Record<string, string>>;

/** The fields of the W3C Trace Context propagator, the only ones a message carries. */
export const TRACE_FIELD_NAMES = ['traceparent', 'tracestate'] as const;

/** The trace fields found through `get` (a header, a stream field), or undefined for none. */
export function readTraceFields(
  get: (name: string) => string | undefined,
): TraceFields | undefined {
  let fields: Record<string, string> | undefined;
  for (const name of TRACE_FIELD_NAMES) {
    const value = get(name);
    if (value !== undefined && value !== '') (fields ??= {})[name] = value;
  }
  return fields;
}
