import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { PrerequisiteError } from '../../lib/errors.ts';
import { kafkaProperties, kafkaSettings } from './broker-settings.ts';
import { REPO_ROOT } from './paths.ts';
import { requireJava, requireMaven } from './prerequisites.ts';
import { ServerProcess } from './server-process.ts';
import { waitUntil } from './wait-until.ts';
import { SpawnedServer } from './spawned-server.ts';

const run = promisify(execFile);
const POM = resolve(REPO_ROOT, 'infra/kafka/pom.xml');

/** The pinned Kafka release, read from the pom so there is one place to change it. */
export async function kafkaVersion(): Promise<string> {
  const pom = await readFile(POM, 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!version) throw new Error(`no <kafka.version> in ${POM}`);
  return version;
}

/**
 * Fills `<cache>/kafka-<version>/libs` from Maven Central once. Downloads go to a temp
 * folder that is renamed into place, so an interrupted download is never mistaken for a
 * complete one.
 */
export async function provisionKafka(cache: string, log: (line: string) => void): Promise<string> {
  const version = await kafkaVersion();
  const libs = join(cache, `kafka-${version}`, 'libs');
  if (existsSync(libs)) return libs;
  await requireJava();
  await requireMaven();
  log(`kafka: fetching Apache Kafka ${version} jars from Maven Central (first use only) ...`);
  const partial = `${libs}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const started = Date.now();
  let downloaded = 0;
  await new Promise<void>((done, fail) => {
    const mvn = spawn(
      'mvn',
      [
        '-B',
        '-f',
        POM,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${partial}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      const count = text.match(/Downloaded from/g)?.length ?? 0;
      if (count > 0) {
        downloaded += count;
        if (downloaded % 100 < count) log(`kafka: ${downloaded} artifacts downloaded ...`);
      }
    };
    mvn.stdout.on('data', onData);
    mvn.stderr.on('data', onData);
    mvn.on('error', fail);
    mvn.on('exit', (code) => {
      if (code === 0) return done();
      fail(
        new PrerequisiteError(
          `Maven could not fetch the Kafka jars (is Maven Central reachable?). ` +
            `Last output:\n${tail}\nEither fix network access to Maven Central, or point ` +
            `KAFKA_BROKERS, REDIS_URL, SINK_REDIS_URL and TOXIPROXY_URL at running servers ` +
            `(e.g. \`docker compose up -d\`).`,
        ),
      );
    });
  });
  await mkdir(join(cache, `kafka-${version}`), { recursive: true });
  await rename(partial, libs);
  const jars = (await readdir(libs)).length;
  log(`kafka: ${jars} jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return libs;
}

export interface KafkaPorts {
  direct: number;
  producer: number;
  workers: number;
  controller: number;
  /** Toxiproxy listen ports that the PRODUCER and WORKERS listeners advertise. */
  producerProxy: number;
  workersProxy: number;
}

/** The local broker: every listener on loopback, DIRECT for the harness and between brokers. */
export function serverProperties(ports: KafkaPorts, dataDir: string): string {
  return kafkaProperties(serverSettings(ports, dataDir));
}

function serverSettings(ports: KafkaPorts, dataDir: string): Record<string, string> {
  const at = (port: number) => `127.0.0.1:${port}`;
  const settings = kafkaSettings({
    listeners: {
      DIRECT: at(ports.direct),
      PRODUCER: at(ports.producer),
      WORKERS: at(ports.workers),
      CONTROLLER: at(ports.controller),
    },
    advertised: {
      DIRECT: at(ports.direct),
      PRODUCER: at(ports.producerProxy),
      WORKERS: at(ports.workersProxy),
    },
    interBroker: 'DIRECT',
    quorum: { 'controller.quorum.bootstrap.servers': at(ports.controller) },
  });
  return { ...settings, 'log.dirs': dataDir };
}

const LOG4J = [
  'rootLogger.level=WARN',
  'rootLogger.appenderRef.out.ref=OUT',
  'appender.out.type=Console',
  'appender.out.name=OUT',
  'appender.out.layout.type=PatternLayout',
  'appender.out.layout.pattern=[%d] %p %m (%c)%n',
  'logger.kafka.name=kafka',
  'logger.kafka.level=WARN',
  // Elections and fencing, at INFO: what a failover scenario's log must show.
  'logger.raft.name=org.apache.kafka.raft',
  'logger.raft.level=INFO',
  'logger.controller.name=org.apache.kafka.controller',
  'logger.controller.level=INFO',
  // Each rebalance with its reason: what a consumer-group question needs first.
  'logger.groups.name=org.apache.kafka.coordinator.group',
  'logger.groups.level=INFO',
  '',
].join('\n');

/** How one Kafka process is started: the single broker, or one node of the cluster. */
interface KafkaNodeSpec {
  name: 'kafka' | `kafka-${number}`;
  /** Holds server.properties, log4j2.properties, the log and the data dir. */
  dir: string;
  libs: string;
  heapMb: number;
  directAddress: string;
  /** Ready once metadata lists this many live brokers. */
  brokers: number;
}

/**
 * A KRaft broker+controller, formatted once per data dir; `restart()` reuses the data dir so
 * a broker-restart fault keeps every acknowledged record.
 */
export class KafkaServer extends SpawnedServer {
  readonly name: KafkaNodeSpec['name'];
  protected readonly process: ServerProcess;
  protected override readonly stopGraceMs = 10000;

  private constructor(private readonly spec: KafkaNodeSpec) {
    super();
    this.name = spec.name;
    this.process = new ServerProcess(spec.name, {
      command: 'java',
      args: [
        `-Xmx${spec.heapMb}m`,
        `-Xms${Math.min(spec.heapMb, 256)}m`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${join(spec.dir, 'log4j2.properties')}`,
        '-cp',
        `${spec.libs}/*`,
        'kafka.Kafka',
        join(spec.dir, 'server.properties'),
      ],
      logFile: join(spec.dir, 'kafka.log'),
    });
  }

  /** The single broker, its own controller (`--standalone`). */
  static async create(
    libs: string,
    workDir: string,
    ports: KafkaPorts,
    heapMb: number,
  ): Promise<KafkaServer> {
    const dataDir = join(workDir, 'kafka-data');
    const settings = serverSettings(ports, dataDir);
    await formatNode(libs, workDir, settings, randomClusterId(), ['--standalone']);
    const directAddress = `127.0.0.1:${ports.direct}`;
    return new KafkaServer({
      name: 'kafka',
      dir: workDir,
      libs,
      heapMb,
      directAddress,
      brokers: 1,
    });
  }

  /** One node of a static-quorum cluster (`controller.quorum.voters` in `settings`). */
  static async createNode(
    spec: Omit<KafkaNodeSpec, 'brokers'> & { clusterId: string; brokers: number },
    settings: Record<string, string>,
  ): Promise<KafkaServer> {
    const withData = { ...settings, 'log.dirs': join(spec.dir, 'kafka-data') };
    await formatNode(spec.libs, spec.dir, withData, spec.clusterId, []);
    return new KafkaServer(spec);
  }

  get directAddress(): string {
    return this.spec.directAddress;
  }

  async start(): Promise<void> {
    this.process.start();
    await this.waitReady();
  }

  /** SIGSTOP / SIGCONT of the JVM (a paused leader keeps its sockets open). */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.process.signal(signal);
  }

  /** Ready when the DIRECT listener answers metadata requests with a controller elected. */
  private async waitReady(): Promise<void> {
    const kafka = new Kafka({
      brokers: [this.directAddress],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 1000,
    });
    await waitUntil(
      `Kafka (${this.name})`,
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          const cluster = await admin.describeCluster();
          return cluster.controller !== null && cluster.brokers.length >= this.spec.brokers;
        } finally {
          await admin.disconnect();
        }
      },
      {
        timeoutMs: 90000,
        intervalMs: 300,
        gaveUp: () => this.process.exitReason(),
      },
    );
  }
}

/** Writes the node's properties and formats its data dir. */
async function formatNode(
  libs: string,
  dir: string,
  settings: Record<string, string>,
  clusterId: string,
  extra: string[],
): Promise<void> {
  await mkdir(settings['log.dirs'] ?? join(dir, 'kafka-data'), { recursive: true });
  const props = join(dir, 'server.properties');
  await writeFile(props, kafkaProperties(settings));
  await writeFile(join(dir, 'log4j2.properties'), LOG4J);
  await run(
    'java',
    [
      `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
      '-cp',
      `${libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      props,
      ...extra,
    ],
    { timeout: 60000 },
  );
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (22 characters). */
/** A random 16-byte base64url id. Never one starting with '-' (1 in 64), which the storage
 * tool's argument parser would take for an option (Kafka's own ids avoid it the same way). */
export function randomClusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
