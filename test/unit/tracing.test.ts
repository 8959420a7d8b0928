import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadConfig } from '../../lib/config.ts';
import { NO_TRACING, startTracing, tracesUrl } from '../../lib/tracing/tracing.ts';
import { readTraceFields } from '../../lib/tracing/trace-fields.ts';
import { bullmqJobs, jobEvent } from '../../lib/transports/bullmq/jobs.ts';
import { kafkaTraceFields, toKafkaMessage } from '../../lib/transports/kafka/message.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const event = { id: 'e-1', type: 't', payload: { n: 1 }, producedAt: '2026-01-01T00:00:00Z' };

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sourceFiles(join(dir, d.name))
      : d.name.endsWith('.ts')
        ? [join(dir, d.name)]
        : [],
  );
}

describe('tracing', function () {
  it('is on only with an OTLP endpoint, the traces-only one used as it is', function () {
    expect(tracesUrl(loadConfig({}))).to.equal(undefined);
    expect(tracesUrl(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }))).to.equal(
      'http://c:4318/v1/traces',
    );
    const both = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/custom',
    };
    expect(tracesUrl(loadConfig(both))).to.equal('http://t:4318/custom');
  });

  it('is the no-op when off: no spans, the work runs as it is', async function () {
    const tracing = await startTracing(loadConfig({}), 'test');
    expect(tracing).to.equal(NO_TRACING);
    expect(tracing.startPublish(undefined, { system: 's', destination: 'd' }, ['a'])).to.equal(
      undefined,
    );
    const ran = await tracing.process({ system: 's', destination: 'd' }, { id: 'a' }, (step) =>
      step('inner', () => Promise.resolve(42)),
    );
    expect(ran).to.equal(42);
  });

  it('keeps the SDK out of every static import: only startTracing loads it', function () {
    const files = ['lib', 'producer', 'workers', 'harness', 'bench'].flatMap(sourceFiles);
    const sdk = /^import [^;]*from '@opentelemetry\/(?!api')/m;
    const staticSdkTracing = /^import [^;]*from '[^']*sdk-tracing\.ts'/m;
    const importers = files.filter((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return sdk.test(text) || staticSdkTracing.test(text);
    });
    expect(importers.map((f) => relative('.', f))).to.deep.equal(['lib/tracing/sdk-tracing.ts']);
    const loader = readFileSync(join(ROOT, 'lib/tracing/tracing.ts'), 'utf8');
    expect(loader).to.contain("await import('./sdk-tracing.ts')");
  });

  it('reads only the W3C fields, and none when a message has none', function () {
    const fields: Record<string, string> = { traceparent: TRACEPARENT, tracestate: '', id: 'x' };
    expect(readTraceFields((n) => fields[n])).to.deep.equal({ traceparent: TRACEPARENT });
    expect(readTraceFields(() => undefined)).to.equal(undefined);
  });

  it('Kafka: headers id and type alone when untraced, traceparent added when traced', function () {
    expect(toKafkaMessage(event).headers).to.deep.equal({ id: 'e-1', type: 't' });
    const traced = toKafkaMessage(event, { traceparent: TRACEPARENT });
    expect(traced.headers).to.deep.equal({ id: 'e-1', type: 't', traceparent: TRACEPARENT });
    expect(traced.value.equals(toKafkaMessage(event).value)).to.equal(true);
    // kafkajs hands headers back as Buffers.
    const received = { id: Buffer.from('e-1'), traceparent: Buffer.from(TRACEPARENT) };
    expect(kafkaTraceFields(received)).to.deep.equal({ traceparent: TRACEPARENT });
    expect(kafkaTraceFields({ id: Buffer.from('e-1') })).to.equal(undefined);
  });

  it('BullMQ: job data is the envelope when untraced, with traceContext when traced', function () {
    const [untraced] = bullmqJobs([event], 60);
    expect(untraced!.data).to.equal(event);
    const [traced] = bullmqJobs([event], 60, [{ traceparent: TRACEPARENT }]);
    expect(traced!.data).to.deep.equal({ ...event, traceContext: { traceparent: TRACEPARENT } });
    expect(jobEvent(traced!.data)).to.deep.equal({ event, trace: { traceparent: TRACEPARENT } });
    expect(jobEvent(untraced!.data)).to.deep.equal({ event });
  });
});
