import { ValidationError } from '../lib/errors.ts';
import { isTransportName, TRANSPORTS, type TransportName } from '../lib/envelope.ts';

export interface WorkersArgs {
  transport: TransportName;
  size: number;
  help: boolean;
}

export const USAGE = `usage: npm run workers -- --transport ${TRANSPORTS.join('|')} --size N

Starts a pool of N workers (node:cluster) consuming one transport. Options come from the
environment (see README); the control endpoint logs its address as "controlUrl".`;

/** Parses `--transport T --size N` (also `--flag=value`). Errors name the bad flag. */
export function parseWorkersArgs(argv: readonly string[]): WorkersArgs {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const m = /^--(transport|size)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ValidationError(`unknown argument "${arg}"`, arg);
    const flag = m[1] as string;
    const value = m[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--'))
      throw new ValidationError(`--${flag} needs a value`, `--${flag}`);
    values.set(flag, value);
  }
  if (help) return { transport: 'kafka', size: 1, help };
  const transport = values.get('transport');
  if (transport === undefined) throw new ValidationError('--transport is required', '--transport');
  if (!isTransportName(transport)) {
    throw new ValidationError(
      `--transport must be one of ${TRANSPORTS.join(', ')}, got "${transport}"`,
      '--transport',
    );
  }
  const rawSize = values.get('size') ?? '1';
  const size = Number(rawSize);
  if (!Number.isInteger(size) || size < 0 || size > 256) {
    throw new ValidationError(
      `--size must be a whole number from 0 to 256, got "${rawSize}"`,
      '--size',
    );
  }
  return { transport, size, help };
}
