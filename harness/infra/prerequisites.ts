import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PrerequisiteError } from '../../lib/errors.ts';

const run = promisify(execFile);

/** The message every missing prerequisite ends with: the two ways forward. */
const WAYS_FORWARD =
  'Either install it, or point the harness at running servers instead: start them with ' +
  '`docker compose up -d` and set KAFKA_BROKERS, REDIS_URL, SINK_REDIS_URL and TOXIPROXY_URL ' +
  '(see README, "Using Docker instead").';

function missing(what: string, install: string, cause?: unknown): PrerequisiteError {
  return new PrerequisiteError(`${what} is missing. ${install}. ${WAYS_FORWARD}`, { cause });
}

async function output(command: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run(command, args, { timeout: 30000 });
  return `${stdout}${stderr}`;
}

/** Java 17 or newer (Kafka 4 brokers need 17). */
export async function requireJava(): Promise<void> {
  let text: string;
  try {
    text = await output('java', ['-version']);
  } catch (err) {
    throw missing(
      'Java 17+ (`java`)',
      'Install it with `apt-get install openjdk-17-jre-headless`',
      err,
    );
  }
  const major = Number(/version "(\d+)/.exec(text)?.[1] ?? 0);
  if (major < 17) {
    throw missing(
      `Java 17+ (found Java ${major})`,
      'Install it with `apt-get install openjdk-17-jre-headless`',
    );
  }
}

export async function requireMaven(): Promise<void> {
  try {
    await output('mvn', ['-v']);
  } catch (err) {
    throw missing(
      'Maven (`mvn`), needed once to fetch the Kafka jars',
      'Install it with `apt-get install maven`',
      err,
    );
  }
}

export async function requireGo(): Promise<void> {
  try {
    await output('go', ['version']);
  } catch (err) {
    throw missing(
      'Go (`go`), needed once to build the Toxiproxy server',
      'Install Go 1.22+ from your package manager',
      err,
    );
  }
}

/** redis-server from PATH; when absent and running as root, Debian's package is installed. */
export async function requireRedis(log: (line: string) => void): Promise<void> {
  try {
    await output('redis-server', ['--version']);
    return;
  } catch (err) {
    if (process.getuid?.() !== 0) {
      throw missing('redis-server', 'Install it with `sudo apt-get install redis-server`', err);
    }
  }
  log('redis-server not found; installing Debian package redis-server (apt-get) ...');
  try {
    await run('apt-get', ['update', '-qq'], { timeout: 300000 });
    await run('apt-get', ['install', '-y', '-qq', 'redis-server'], {
      timeout: 300000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    await output('redis-server', ['--version']);
  } catch (err) {
    throw missing(
      'redis-server (apt-get install failed)',
      'Install it with `apt-get install redis-server`',
      err,
    );
  }
}
