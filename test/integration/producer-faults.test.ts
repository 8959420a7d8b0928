import { expect } from 'chai';
import { driverFor, drivers } from '../../lib/transports/registry.ts';
import { useInfra } from '../support/infra.ts';
import {
  BrokerView,
  post,
  proxyControl,
  startProducer,
  waitFor,
  type RunningProducer,
} from './producer-support.ts';

const ACK_TIMEOUT_MS = 2000;

const LINKS = drivers.map((d) => ({ transport: d.name, proxy: d.links.producer }));

describe('producer: broker faults answer 503 / 504, never a false 202 (real brokers, Toxiproxy)', function () {
  this.timeout(120000);
  const infra = useInfra();
  let producer: RunningProducer;
  let view: BrokerView;

  before(async function () {
    producer = await startProducer(infra(), {
      PRODUCER_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
      PRODUCER_HEALTH_INTERVAL_MS: '200',
    });
    view = new BrokerView(infra(), producer.config);
    for (const { transport } of LINKS) {
      expect(
        (await post(`${producer.url}/v1/events/${transport}`, { type: 'warmup', payload: {} }))
          .status,
      ).to.equal(202);
    }
  });
  after(async function () {
    await view?.close();
    await producer?.close();
  });

  const readyz = async () => (await fetch(`${producer.url}/readyz`)).status;
  const send = (transport: string, id: string) =>
    post(`${producer.url}/v1/events/${transport}`, { id, type: 'fault', payload: { id } });

  for (const { transport, proxy } of LINKS) {
    describe(`${transport} through ${proxy}`, function () {
      it('disabled link: fast 503 with Retry-After, /readyz 503, nothing published; recovers without a restart', async function () {
        const link = await proxyControl(infra(), proxy);
        const before = await view.counts();
        try {
          await link.disable();
          // A request racing the cut may have been written before the socket died: 504 is
          // honest there, 503 only when nothing can have been sent. Never 202.
          const racing = await send(transport, `down-${transport}-racing`);
          expect(racing.status, JSON.stringify(racing.body)).to.be.oneOf([503, 504]);
          expect(await waitFor(async () => (await readyz()) === 503, 5000)).to.equal(true);
          // Once the link is known down, every request fails definitely and at once.
          const answers = [];
          for (let i = 0; i < 5; i++) answers.push(await send(transport, `down-${transport}-${i}`));
          for (const a of answers) {
            expect(a.status, JSON.stringify(a.body)).to.equal(503);
            expect(a.body.error).to.equal('not_sent');
            expect(a.headers.get('retry-after')).to.equal('1');
            expect(a.ms).to.be.below(200);
          }
          expect(await view.counts()).to.deep.equal(before);
        } finally {
          await link.heal();
        }
        expect(await waitFor(async () => (await readyz()) === 200, 15000), 'ready again').to.equal(
          true,
        );
        const after = await send(transport, `healed-${transport}`);
        expect(after.status, JSON.stringify(after.body)).to.equal(202);
        const counts = await view.counts();
        expect(counts[transport]).to.equal(before[transport] + 1);
      });

      it('blackholed replies (timeout toxic): 504, not 202; recovers once the toxic is gone', async function () {
        const link = await proxyControl(infra(), proxy);
        try {
          await link.proxy.addToxic({
            name: 'blackhole',
            type: 'timeout',
            stream: 'downstream',
            toxicity: 1,
            attributes: { timeout: 0 },
          });
          const answer = await send(transport, `blackholed-${transport}`);
          expect(answer.status, JSON.stringify(answer.body)).to.equal(504);
          expect(answer.body.error).to.equal('indeterminate');
          expect(answer.ms)
            .to.be.at.least(ACK_TIMEOUT_MS - 100)
            .and.below(ACK_TIMEOUT_MS + 1500);
        } finally {
          await link.heal();
        }
        expect(await waitFor(async () => (await readyz()) === 200, 20000), 'ready again').to.equal(
          true,
        );
        // The answer after healing is the request's own (no reply of an older command).
        const after = await send(transport, `after-blackhole-${transport}`);
        expect(after.status, JSON.stringify(after.body)).to.equal(202);
        expect(after.body.ids).to.deep.equal([`after-blackhole-${transport}`]);
        const stored = await driverFor(transport).inspect(producer.config).storedIds();
        expect(stored.has(`after-blackhole-${transport}`)).to.equal(true);
      });
    });
  }

  describe('afterwards', function () {
    it('/metrics counted the failed and indeterminate events', async function () {
      const text = await (await fetch(`${producer.url}/metrics`)).text();
      for (const t of ['kafka', 'redis', 'bullmq']) {
        expect(text).to.match(
          new RegExp(`producer_events_failed_total\\{transport="${t}"\\} [1-9]`),
        );
        expect(text).to.match(
          new RegExp(`producer_events_indeterminate_total\\{transport="${t}"\\} [1-9]`),
        );
      }
    });
  });
});
