import { lazyConsumer, lazyInspector, lazyPublisher, lazyRaw, once } from '../lazy-clients.ts';
import type { KafkaClientImpl } from './clients.ts';

type Module = typeof import('./platformatic/index.ts');

/**
 * @platformatic/kafka takes about a second to load (it compiles its option schemas), which
 * every Kafka process would pay: it is loaded only once KAFKA_CLIENT=platformatic is used
 * (required, not imported, where this file was loaded as CommonJS: see ../lazy-clients.ts).
 */
const load = once<Module>(() =>
  typeof require === 'function'
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
      Promise.resolve(require('./platformatic/index.ts') as Module)
    : import('./platformatic/index.ts'),
);

export const platformaticImpl: KafkaClientImpl = {
  createPublisher: (config, options) =>
    lazyPublisher('kafka', async () => (await load()).createPlatformaticPublisher(config, options)),
  createConsumer: (config, handler, options) =>
    lazyConsumer('kafka', async () =>
      (await load()).createPlatformaticConsumer(config, handler, options),
    ),
  inspect: (config, consumerIdentity) =>
    lazyInspector(async () => (await load()).inspectPlatformatic(config, consumerIdentity)),
  raw: lazyRaw(async () => (await load()).platformaticRaw, false),
};
