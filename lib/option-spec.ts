import { commaList } from './comma-list.ts';
import { ConfigError } from './errors.ts';

/** The building blocks of option tables: lib/config.ts and each driver's options.ts. */

/** One option: its variable, default, parser (throws ConfigError naming it) and doc line. */
export interface OptionSpec<T> {
  env: string;
  doc: string;
  default: T;
  parse: (raw: string, env: string) => T;
}

export const int =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (raw: string, env: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      const range =
        max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      throw new ConfigError(`${env} must be a whole number ${range}, got "${raw}"`);
    }
    return n;
  };

export const text = (raw: string, env: string): string => {
  if (raw.trim() === '') throw new ConfigError(`${env} must not be empty`);
  return raw.trim();
};

export const list = (raw: string, env: string): string[] => {
  const items = commaList(raw);
  if (items.length === 0) throw new ConfigError(`${env} must list at least one host:port`);
  for (const item of items) {
    if (!/^[^:\s]+:\d{1,5}$/.test(item)) {
      throw new ConfigError(`${env} entries must be host:port, got "${item}"`);
    }
  }
  return items;
};

export const url = (raw: string, env: string): string => {
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(`${env} must be a URL such as redis://127.0.0.1:6379, got "${raw}"`);
  }
  return raw;
};

export const level = (raw: string, env: string): string => {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw)) throw new ConfigError(`${env} must be one of ${levels.join(', ')}`);
  return raw;
};

export const opt = <T>(env: string, def: T, parse: OptionSpec<T>['parse'], doc: string) =>
  ({ env, default: def, parse, doc }) satisfies OptionSpec<T>;
