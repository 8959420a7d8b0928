import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { TransportInspector } from '../driver.ts';
import type { Consumer, Handler, Publisher, WorkerConsumerOptions } from '../types.ts';
import type { KafkaClientImpl } from './clients.ts';

type Module = typeof import('./platformatic/index.ts');
let loading: Promise<Module> | undefined;

/**
 * @platformatic/kafka takes about a second to load (it compiles its option schemas), which
 * every process would pay, and every respawned worker before it can take its partitions
 * back. It is loaded only once KAFKA_CLIENT=platformatic is used.
 *
 * Where this file itself was loaded as CommonJS (mocha loads the tests through tsx's
 * require hook), an `import()` would load a second copy of lib/ (its error classes, its
 * failpoints): the module is required instead, so both sides share one copy.
 */
const load = (): Promise<Module> =>
  (loading ??=
    typeof require === 'function'
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
        Promise.resolve(require('./platformatic/index.ts') as Module)
      : import('./platformatic/index.ts'));

function lazyPublisher(config: Config, options?: { logger?: Logger }): Publisher {
  let publisher: Publisher | undefined;
  const ready = load().then((m) => (publisher = m.createPlatformaticPublisher(config, options)));
  return {
    transport: 'kafka',
    isReady: () => publisher?.isReady() ?? false,
    publish: async (events) => (await ready).publish(events),
    close: async () => (await ready).close(),
  };
}

function lazyConsumer(config: Config, handler: Handler, options: WorkerConsumerOptions): Consumer {
  const ready = load().then((m) => m.createPlatformaticConsumer(config, handler, options));
  return {
    transport: 'kafka',
    start: async () => (await ready).start(),
    drain: async () => (await ready).drain(),
  };
}

function lazyInspector(
  config: Config,
  consumerIdentity: (workerId: string) => string,
): TransportInspector {
  const ready = load().then((m) => m.inspectPlatformatic(config, consumerIdentity));
  return {
    pending: async () => (await ready).pending(),
    deadLetters: async (o) => (await ready).deadLetters(o),
    heldBy: async (workerId) => (await ready).heldBy(workerId),
    settled: async (size) => (await ready).settled(size),
    storedIds: async () => (await ready).storedIds(),
    removeAll: async () => (await ready).removeAll(),
    locate: async (ids, seen) => (await ready).locate(ids, seen),
  };
}

export const platformaticImpl: KafkaClientImpl = {
  createPublisher: lazyPublisher,
  createConsumer: lazyConsumer,
  inspect: lazyInspector,
  raw: {
    publisher: async (config) => (await load()).platformaticRaw.publisher(config),
    consumer: async (options) => (await load()).platformaticRaw.consumer(options),
  },
};
