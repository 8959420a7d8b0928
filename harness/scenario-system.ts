import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Toxiproxy } from 'toxiproxy-node-client';
import { loadConfig, type Config } from '../lib/config.ts';
import type { TransportName } from '../lib/envelope.ts';
import { createSink, type Sink } from '../lib/sink.ts';
import { isolatedNames } from '../lib/transports/registry.ts';
import { createFaultTimeline, type FaultTimeline } from './fault-timeline.ts';
import type { ReceivedReader } from './check-inputs.ts';
import type { HistorySink, RunClock } from './history.ts';
import type { Infra } from './infra/index.ts';
import { endpointsToEnv } from './infra/index.ts';
import { ProducerService } from './processes.ts';
import type { Random } from './random.ts';
import type { Scenario } from './scenario.ts';
import { WorkerPool } from './worker-pool.ts';

export interface ScenarioSystemOptions {
  infra: Infra;
  /** Unique per run: the run's topic, stream, queue and sink namespace derive from it. */
  runId: string;
  runDir: string;
  scenario: Scenario;
  transports: readonly TransportName[];
  failpoints: readonly string[];
  /** The nemeses' random stream. */
  random: Random;
  history: HistorySink;
  clock: RunClock;
}

/** The system under test of one scenario run, and what the harness reads and breaks it with. */
export interface ScenarioSystem {
  /** The settings the services see, for the harness's own reads. */
  config: Config;
  toxiproxy: Toxiproxy;
  producer: ProducerService;
  pools: ReadonlyMap<TransportName, WorkerPool>;
  sink: Sink;
  faults: FaultTimeline;
  /** Starts one pool per transport; resolves once every one runs. */
  startPools: () => Promise<void>;
  /** Stops the pools and the producer (whatever state they are in) and closes the sink link. */
  stop: () => Promise<void>;
  /** Of `ids`, those the sink counted a receipt of (for where lost events went). */
  received: ReceivedReader;
}

/**
 * Reads the receipts hash of lib/sink.ts (`<ns>:<transport>:receipts`, see its keyspace):
 * the sink keeps the write verb, the harness only needs to read a few ids back.
 */
function receiptsReader(redis: Redis, namespace: string): ReceivedReader {
  return async (t, ids) => {
    const got = new Set<string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const page = ids.slice(i, i + 1000);
      const counts = await redis.hmget(`${namespace}:${t}:receipts`, ...page);
      counts.forEach((c, j) => {
        if (Number(c) > 0) got.add(page[j] as string);
      });
    }
    return got;
  };
}

/** Where a pool's JSON log lines go: the run folder, one file per transport. */
export const poolLogPath = (runDir: string, t: TransportName): string =>
  join(runDir, `workers-${t}.log`);

/**
 * Builds the producer, a worker pool per transport, the sink reader and the fault timeline
 * on per-run names, so runs sharing one infrastructure never see each other's data. Only
 * the network is touched (reset); no service is started yet.
 */
export async function assembleSystem(o: ScenarioSystemOptions): Promise<ScenarioSystem> {
  const { infra, runDir, scenario, transports } = o;
  const names = isolatedNames(o.runId);
  const env: NodeJS.ProcessEnv = {
    ...endpointsToEnv(infra.endpoints),
    ...names,
    // The services must not pick the external provider's switch up from the harness.
    INFRA_PROVIDER: undefined,
    WORK_TIME_MS: String(scenario.workers.workTimeMs),
    FAILPOINTS: o.failpoints.join(','),
    ...scenario.workers.env,
  };
  const config = loadConfig(env);
  const toxiproxy = new Toxiproxy(infra.endpoints.toxiproxy.url);
  await toxiproxy.reset(); // a clean network whatever an earlier run left
  const producer = new ProducerService(env, runDir);
  const size = scenario.workers.size;
  const pools = new Map(
    transports.map((t) => {
      const logFile = poolLogPath(runDir, t);
      return [t, new WorkerPool({ transport: t, size, env, logFile })] as const;
    }),
  );
  const sinkRedis = new Redis(infra.endpoints.sink.direct, { maxRetriesPerRequest: 2 });
  const sink = createSink(sinkRedis, { namespace: names.SINK_NAMESPACE });
  const faults = createFaultTimeline(
    { infra, toxiproxy, pools, transports, random: o.random, config },
    o.history,
    o.clock,
  );
  return {
    config,
    toxiproxy,
    producer,
    pools,
    sink,
    faults,
    startPools: async () => void (await Promise.all([...pools.values()].map((p) => p.start()))),
    stop: async () => {
      await Promise.allSettled([...[...pools.values()].map((p) => p.stop()), producer.stop()]);
      sinkRedis.disconnect();
    },
    received: receiptsReader(sinkRedis, names.SINK_NAMESPACE ?? 'sink'),
  };
}
