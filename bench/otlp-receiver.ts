/**
 * A real OTLP/HTTP traces receiver in this process (the tracing test's, the bench's tracing
 * cost): `POST /v1/traces` with the JSON encoding (what @opentelemetry/exporter-trace-otlp-http
 * sends). Spans are counted, and kept flat with their resource's `service.name` when asked.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

const valueOf = (v: OtlpValue) =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue ?? ''));

const attributesOf = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export function flattenSpans(request: OtlpRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        service,
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind,
        attributes: attributesOf(s.attributes),
      })),
    );
  });
}

export interface OtlpReceiver {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Every span received (kept or not). */
  count: number;
  /** Requests that were not a JSON POST /v1/traces (must stay 0). */
  rejected: number;
  close(): Promise<void>;
}

export async function startOtlpReceiver(
  options: { keepSpans?: boolean } = {},
): Promise<OtlpReceiver> {
  const keep = options.keepSpans ?? true;
  const receiver = { spans: [] as ReceivedSpan[], count: 0, rejected: 0 };
  const server: Server = createServer((req, res) => {
    const json = (req.headers['content-type'] ?? '').startsWith('application/json');
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !json) {
      receiver.rejected += 1;
      res.writeHead(req.method === 'POST' ? 415 : 404).end();
      return;
    }
    bodyOf(req)
      .then((body) => {
        const spans = flattenSpans(JSON.parse(body.toString()) as OtlpRequest);
        receiver.count += spans.length;
        if (keep) receiver.spans.push(...spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      })
      .catch(() => {
        receiver.rejected += 1;
        res.writeHead(400).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
