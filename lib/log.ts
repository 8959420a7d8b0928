import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The root JSON logger. Components take a child: `createLogger('producer')`.
 * Level comes from config (LOG_LEVEL) and is passed in, so this file reads no env.
 */
let root: Logger | undefined;

export function configureLogging(level: string): void {
  root = pino({ level, base: { pid: process.pid } });
}

export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  root ??= pino({ level: 'info', base: { pid: process.pid } });
  return root.child({ component, ...bindings });
}
