import type { TransportName } from '../envelope.ts';
import type { RawClients, TransportInspector } from './driver.ts';
import type { Consumer, Publisher } from './types.ts';

/**
 * A driver's client library is loaded on first use, not with the registry. Every process
 * imports every driver, but a pool's supervisor and workers use one transport (the
 * supervisor only once /metrics is read), and kafkajs, ioredis, bullmq and
 * @platformatic/kafka each cost a few hundred ms of CPU to load: paid again by every worker
 * started or respawned, on two cores, while its partitions or claims wait.
 *
 * Each driver passes its own loader. Where the driver was itself loaded as CommonJS (mocha
 * loads the tests through tsx's require hook), an `import()` would load a second copy of
 * lib/ (its error classes, its failpoints), so the loaders `require` there instead.
 */

/** `load`, run once, on the first call. */
export function once<M>(load: () => Promise<M>): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () => (loading ??= load());
}

/** A publisher whose client loads now; publishes wait for it, `isReady` is false till then. */
export function lazyPublisher(transport: TransportName, make: () => Promise<Publisher>): Publisher {
  let publisher: Publisher | undefined;
  const ready = make().then((p) => (publisher = p));
  // A failed load surfaces on the first publish or close, not as an unhandled rejection.
  ready.catch(() => undefined);
  return {
    transport,
    isReady: () => publisher?.isReady() ?? false,
    publish: async (events, traces) => (await ready).publish(events, traces),
    close: async () => (await ready).close(),
  };
}

export function lazyConsumer(transport: TransportName, make: () => Promise<Consumer>): Consumer {
  const ready = make();
  ready.catch(() => undefined);
  return {
    transport,
    start: async () => (await ready).start(),
    drain: async () => (await ready).drain(),
  };
}

/** An inspector whose client loads at its first read. */
export function lazyInspector(make: () => Promise<TransportInspector>): TransportInspector {
  const ready = once(make);
  return {
    pending: async () => (await ready()).pending(),
    deadLetters: async (o) => (await ready()).deadLetters(o),
    heldBy: async (workerId) => (await ready()).heldBy(workerId),
    settled: async (size) => (await ready()).settled(size),
    storedIds: async () => (await ready()).storedIds(),
    removeAll: async () => (await ready()).removeAll(),
    locate: async (ids, seen) => (await ready()).locate(ids, seen),
  };
}

/** The bench's baselines, loaded at first use; `withTool`: the driver has a broker tool. */
export function lazyRaw(load: () => Promise<RawClients>, withTool: boolean): RawClients {
  const raw: RawClients = {
    publisher: async (config) => (await load()).publisher(config),
    consumer: async (options) => (await load()).consumer(options),
  };
  if (!withTool) return raw;
  return {
    ...raw,
    tool: async (input) => {
      const { tool } = await load();
      if (!tool) throw new Error('this transport has no broker tool');
      return tool(input);
    },
  };
}
