import { Kafka, logLevel, type Admin, type LogEntry, type logCreator } from 'kafkajs';
import { createLogger, type Logger } from '../../log.ts';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  /** Connect and request timeouts; a fault must surface as an error within these. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How many times kafkajs retries a failed request before giving up. */
  retries?: number;
  logger?: Logger;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own log lines into our pino logger instead of stdout. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      logger[LEVEL_NAMES[level] ?? 'info']({ kafkajs: rest }, message);
    };
}

/** One configured kafkajs client; callers take producers, consumers and admins from it. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const logger = options.logger ?? createLogger('kafkajs');
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 10000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
  });
}

/** Runs `use` with a connected admin of `client`, disconnected afterwards whatever happens. */
export async function withKafkaAdmin<T>(
  client: Kafka,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = client.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
