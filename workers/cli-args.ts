import { parseFlags, type FlagProblem } from '../lib/cli-flags.ts';
import { ValidationError } from '../lib/errors.ts';
import { isTransportName, TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import { parsePoolSize, POOL_SIZE_RULE } from './pool-size.ts';

export type WorkersArgs = { help: true } | { help: false; transport: TransportName; size: number };

export const USAGE = `usage: npm run workers -- --transport ${TRANSPORTS.join('|')} --size N
       npm run workers -- --help

Starts a pool of N workers (node:cluster) consuming one transport; --size defaults to 1.
Flags take their value as --flag value or --flag=value. Options come from the
environment (see README); the control endpoint logs its address as "controlUrl".`;

const SPECS = {
  transport: { type: 'string' },
  size: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function problemError(problem: FlagProblem): ValidationError {
  switch (problem.kind) {
    case 'unknown':
      return new ValidationError(`unknown argument "${problem.flag}"`, problem.flag);
    case 'positional':
      return new ValidationError(`unknown argument "${problem.value}"`, problem.value);
    case 'missing-value':
      return new ValidationError(`${problem.flag} needs a value`, problem.flag);
    case 'unexpected-value':
      return new ValidationError(`${problem.flag} takes no value`, problem.flag);
  }
}

/** Parses `--transport T --size N` (also `--flag=value`). Errors name the bad flag. */
export function parseWorkersArgs(argv: readonly string[]): WorkersArgs {
  const parsed = parseFlags(argv, SPECS);
  if (!parsed.ok) throw problemError(parsed.problem);
  const { values } = parsed;
  if (values.has('help')) return { help: true };
  const transport = values.get('transport');
  if (typeof transport !== 'string') {
    throw new ValidationError('--transport is required', '--transport');
  }
  if (!isTransportName(transport)) {
    throw new ValidationError(
      `--transport must be one of ${TRANSPORTS.join(', ')}, got "${transport}"`,
      '--transport',
    );
  }
  const rawSize = values.get('size') ?? '1';
  const size = typeof rawSize === 'string' ? parsePoolSize(rawSize) : undefined;
  if (size === undefined) {
    throw new ValidationError(
      `--size must be ${POOL_SIZE_RULE}, got "${String(rawSize)}"`,
      '--size',
    );
  }
  return { help: false, transport, size };
}
