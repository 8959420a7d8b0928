import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { EventSchema } from '../../producer/schemas.ts';
import { useInfra } from '../support/infra.ts';
import { scrape, sumOf } from '../support/prometheus.ts';
import { post, startProducer, type RunningProducer } from './producer-support.ts';

const run = promisify(execFile);

/** The address the README's examples use; the test's producer listens elsewhere. */
const README_URL = 'http://127.0.0.1:3000';
/** A time-ordered id as the producer makes them (lib/envelope.ts newEventId). */
const GENERATED_ID = /^[0-9a-v]{14}[0-9a-f]{12}$/;

interface Example {
  command: string;
  /** The `# ...` lines printed under it. */
  answers: string[];
}

/** The curl commands of the README's Producer section, each with the answer lines under it. */
function readmeExamples(readme: string): Example[] {
  const section = readme.split('\n## Producer\n')[1]?.split('\n## ')[0] ?? '';
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const examples: Example[] = [];
  for (const block of blocks) {
    // Continuation lines belong to their command.
    for (const line of block.replace(/\\\n\s*/g, '').split('\n')) {
      if (line.startsWith('curl ')) examples.push({ command: line, answers: [] });
      else if (line.startsWith('# ') && examples.length > 0)
        examples[examples.length - 1]!.answers.push(line.slice(2));
    }
  }
  return examples;
}

/** `expected` with every time-ordered id standing for any such id. */
function matches(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'string' && GENERATED_ID.test(expected))
    return typeof actual === 'string' && GENERATED_ID.test(actual);
  if (Array.isArray(expected))
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => matches(actual[i], e))
    );
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every((k) =>
        matches((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]),
      )
    );
  }
  return actual === expected;
}

/** Runs one example as written (through sh), against `url`; a lone curl also reports its status. */
async function runExample(
  command: string,
  url: string,
): Promise<{ status?: number; body: string }> {
  let line = command.replaceAll(README_URL, url);
  const single = !line.includes('|');
  if (single) line = line.replace(/^curl /, `curl -s -w '\\n%{http_code}' `);
  const { stdout } = await run('sh', ['-c', line], { timeout: 20_000 });
  if (!single) return { body: stdout };
  const cut = stdout.lastIndexOf('\n');
  let body = stdout.slice(0, cut);
  // -i prints the status line and headers first.
  if (body.startsWith('HTTP/')) body = body.slice(body.indexOf('\r\n\r\n') + 4);
  return { status: Number(stdout.slice(cut + 1)), body };
}

/** Runs every example in order and checks each answer against the README's. */
async function runReadmeExamples(url: string): Promise<void> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const examples = readmeExamples(readme);
  expect(examples.length, 'curl examples in the Producer section').to.be.at.least(6);
  for (const { command, answers } of examples) {
    expect(answers.length, `answer under: ${command}`).to.be.greaterThan(0);
    const got = await runExample(command, url);
    const json = /^(?:(\d{3}) )?([{[].*[}\]])(?:\s+\(.*\))?$/.exec(answers[0]!);
    if (json !== null && answers.length === 1) {
      if (json[1] !== undefined) expect(got.status, command).to.equal(Number(json[1]));
      else expect(got.status, command).to.be.within(200, 299);
      const expected: unknown = JSON.parse(json[2]!);
      expect(matches(JSON.parse(got.body), expected), `${command}\n got ${got.body}`).to.equal(
        true,
      );
    } else {
      // Text answers (a metrics page): each line shown is a line of the output.
      const lines = got.body.split('\n');
      for (const answer of answers) expect(lines, command).to.include(answer);
    }
  }
}

function curlAvailable(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('producer API: README examples, OpenAPI and HTTP metrics (real brokers)', function () {
  this.timeout(120_000);
  const infra = useInfra();
  let producer: RunningProducer;

  before(async function () {
    producer = await startProducer(infra());
  });
  after(async function () {
    await producer?.close();
  });

  it("answers the README's curl examples as the README says", async function () {
    if (!curlAvailable()) {
      process.stdout.write('      skipped: curl is not installed\n');
      this.skip();
    }
    // A producer of its own: the metrics example counts this test's requests only.
    const own = await startProducer(infra());
    try {
      await runReadmeExamples(own.url);
    } finally {
      await own.close();
    }
  });

  it('serves an OpenAPI 3.1 document made from the validating schemas', async function () {
    const res = await fetch(`${producer.url}/openapi.json`);
    expect(res.status).to.equal(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).to.equal('3.1.0');
    expect(Object.keys(doc.paths).sort()).to.deep.equal([
      '/livez',
      '/metrics',
      '/readyz',
      '/v1/events/{transport}',
    ]);
    const publish = doc.paths['/v1/events/{transport}']!.post!;
    expect(Object.keys(publish.responses as object)).to.include.members([
      '202',
      '400',
      '413',
      '503',
      '504',
    ]);
    const body = (publish.requestBody as { content: Record<string, { schema: unknown }> }).content[
      'application/json'
    ]!.schema;
    expect(body).to.deep.include({
      anyOf: [{ $ref: '#/components/schemas/Event' }, { $ref: '#/components/schemas/Batch' }],
    });
    // The very schema fastify validates with, unknown fields refused.
    const { $id, ...event } = JSON.parse(JSON.stringify(EventSchema)) as Record<string, unknown>;
    expect($id).to.equal('Event');
    expect(doc.components.schemas.Event).to.deep.equal(event);
    expect(doc.components.schemas.Event).to.include({ additionalProperties: false });
    const params = publish.parameters as {
      in: string;
      name: string;
      schema: { enum?: string[] };
    }[];
    expect(params.find((p) => p.in === 'path')?.schema.enum).to.have.members([
      'kafka',
      'redis',
      'bullmq',
    ]);
    expect(params.find((p) => p.in === 'header')?.name).to.equal('idempotency-key');
  });

  it('counts every answer by route pattern and status code, 4xx included', async function () {
    const requests = 'producer_http_requests_total';
    const events = '/v1/events/:transport';
    const count = async (labels: Record<string, string>) =>
      sumOf(await scrape(`${producer.url}/metrics`), requests, labels);
    const before = {
      accepted: await count({ route: events, status_code: '202' }),
      invalid: await count({ route: events, status_code: '400' }),
      unknown: await count({ route: events, status_code: '404' }),
      unmatched: await count({ route: 'unmatched', status_code: '404' }),
    };
    expect(
      (await post(`${producer.url}/v1/events/redis`, { type: 't', payload: {} })).status,
    ).to.equal(202);
    for (let i = 0; i < 3; i++)
      expect((await post(`${producer.url}/v1/events/redis`, { type: 't' })).status).to.equal(400);
    expect(
      (await post(`${producer.url}/v1/events/nats`, { type: 't', payload: {} })).status,
    ).to.equal(404);
    expect((await post(`${producer.url}/v2/nothing/here`, {})).status).to.equal(404);
    const page = await scrape(`${producer.url}/metrics`);
    expect(
      sumOf(page, requests, { method: 'POST', route: events, status_code: '202' }) -
        before.accepted,
    ).to.equal(1);
    expect(sumOf(page, requests, { route: events, status_code: '400' }) - before.invalid).to.equal(
      3,
    );
    expect(sumOf(page, requests, { route: events, status_code: '404' }) - before.unknown).to.equal(
      1,
    );
    expect(
      sumOf(page, requests, { route: 'unmatched', status_code: '404' }) - before.unmatched,
    ).to.equal(1);
    // Raw URLs never become label values.
    expect(
      page.some((s) => s.labels.route?.includes('nothing') || s.labels.route === '/v1/events/nats'),
    ).to.equal(false);
    const timed = sumOf(page, 'producer_http_request_duration_seconds_count', {
      route: events,
      status_code: '400',
    });
    expect(timed).to.be.at.least(3);
  });
});
