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
  return kafkaProperties({ ...settings, 'log.dirs': dataDir });
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
  '',
].join('\n');

/**
 * A single-node KRaft broker, formatted once per data dir; `restart()` reuses the data dir so
 * a broker-restart fault keeps every acknowledged record.
 */
export class KafkaServer extends SpawnedServer {
  override readonly name = 'kafka' as const;
  protected readonly process: ServerProcess;
  protected override readonly stopGraceMs = 10000;

  private constructor(
    private readonly ports: KafkaPorts,
    private readonly workDir: string,
    libs: string,
    heapMb: number,
  ) {
    super();
    this.process = new ServerProcess('kafka', {
      command: 'java',
      args: [
        `-Xmx${heapMb}m`,
        `-Xms${Math.min(heapMb, 256)}m`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${join(workDir, 'log4j2.properties')}`,
        '-cp',
        `${libs}/*`,
        'kafka.Kafka',
        join(workDir, 'server.properties'),
      ],
      logFile: join(workDir, 'kafka.log'),
    });
  }

  static async create(
    libs: string,
    workDir: string,
    ports: KafkaPorts,
    heapMb: number,
  ): Promise<KafkaServer> {
    const dataDir = join(workDir, 'kafka-data');
    await mkdir(dataDir, { recursive: true });
    const props = join(workDir, 'server.properties');
    await writeFile(props, serverProperties(ports, dataDir));
    await writeFile(join(workDir, 'log4j2.properties'), LOG4J);
    const clusterId = randomClusterId();
    await run(
      'java',
      [
        `-Dlog4j2.configurationFile=${join(workDir, 'log4j2.properties')}`,
        '-cp',
        `${libs}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        props,
        '--standalone',
      ],
      { timeout: 60000 },
    );
    return new KafkaServer(ports, workDir, libs, heapMb);
  }

  get directAddress(): string {
    return `127.0.0.1:${this.ports.direct}`;
  }

  async start(): Promise<void> {
    this.process.start();
    await this.waitReady();
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
      'Kafka',
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          const cluster = await admin.describeCluster();
          return cluster.controller !== null && cluster.brokers.length > 0;
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

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (22 characters). */
/** A random 16-byte base64url id. Never one starting with '-' (1 in 64), which the storage
 * tool's argument parser would take for an option (Kafka's own ids avoid it the same way). */
export function randomClusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
