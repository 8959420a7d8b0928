import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { loadConfig } from '../../lib/config.ts';
import { TRANSPORTS, type TransportName } from '../../lib/envelope.ts';
import { drivers } from '../../lib/transports/registry.ts';
import { useInfra } from '../support/infra.ts';
import { isAlive } from '../support/processes.ts';
import { post, producerEnv } from './producer-support.ts';

/** Starts `producer/main.ts` as a child and resolves with the URL it logs. */
async function spawnProducer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'producer/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('producer did not log its URL in 30 s')),
      30000,
    );
    child.once('exit', (code) => reject(new Error(`producer exited early with ${code}`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url !== undefined) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
  });
  return { child, url };
}

describe('producer: SIGTERM under load (real producer/main.ts process)', function () {
  this.timeout(120000);
  const infra = useInfra();
  let child: ChildProcess | undefined;

  after(function () {
    if (child?.pid !== undefined && isAlive(child.pid)) child.kill('SIGKILL');
  });

  it('answers in-flight requests, exits 0, and every 202 is in the broker', async function () {
    const env = producerEnv(infra(), { LOG_LEVEL: 'info', PRODUCER_SHUTDOWN_TIMEOUT_MS: '15000' });
    const started = await spawnProducer(env);
    child = started.child;
    const url = started.url;
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = async () => (await fetch(`${url}/readyz`)).status === 200;
    for (let i = 0; i < 150 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 200));
    expect(await ready()).to.equal(true);

    const accepted = Object.fromEntries(TRANSPORTS.map((t) => [t, [] as string[]])) as Record<
      TransportName,
      string[]
    >;
    const unanswered: { transport: TransportName; id: string }[] = [];
    const outcomes = new Map<string, number>();
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    let stop = false;
    let n = 0;
    const deadline = Date.now() + 20000;
    // Eight clients, each one request at a time, bounded in count and time.
    const loops = Array.from({ length: 8 }, async (_, w) => {
      while (!stop && Date.now() < deadline && n < 20000) {
        const transport = TRANSPORTS[n % TRANSPORTS.length]!;
        const id = `sigterm-${w}-${n++}`;
        try {
          const answer = await post(`${url}/v1/events/${transport}`, {
            id,
            type: 'load',
            payload: { w },
          });
          count(String(answer.status));
          if (answer.status === 202) accepted[transport].push(id);
        } catch (err) {
          // Connection refused after the listener closed: the request was never accepted.
          count(`error:${(err as { cause?: { code?: string } }).cause?.code ?? 'unknown'}`);
          unanswered.push({ transport, id });
          if (!isAlive(child!.pid!)) stop = true;
        }
      }
    });

    await new Promise((r) => setTimeout(r, 1500));
    const acceptedBefore = Object.values(accepted).reduce((a, b) => a + b.length, 0);
    expect(acceptedBefore, 'load was flowing before SIGTERM').to.be.greaterThan(50);
    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    stop = true;
    await Promise.all(loops);
    expect({ code, signal }).to.deep.equal({ code: 0, signal: null });

    const config = loadConfig(env);
    for (const driver of drivers) {
      const stored = await driver.inspect(config).storedIds();
      for (const id of accepted[driver.name])
        expect(stored.has(id), `${driver.name} ${id}`).to.equal(true);
      // A request cut off by the closing listener was never read, so never published.
      for (const { transport, id } of unanswered.filter((u) => u.transport === driver.name))
        expect(stored.has(id), `${transport} ${id} got no answer but was published`).to.equal(
          false,
        );
    }
    // For the record: how the stream ended.
    this.test!.title += ` (${[...outcomes].map(([k, v]) => `${k}: ${v}`).join(', ')})`;
  });
});
