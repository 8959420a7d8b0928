import { describeFlagProblem, parseFlags } from '../lib/cli-flags.ts';
import { isTransportName, TRANSPORTS, type TransportName } from '../lib/envelope.ts';
import { BenchArgsError } from './args.ts';

export type RawConsumerArgs =
  { help: true } | { help: false; transport: TransportName; id: string };

export const RAW_CONSUMER_USAGE = `usage: tsx bench/raw-consumer-main.ts --transport ${TRANSPORTS.join('|')} [--id NAME]
One raw baseline consumer of the bench (bench/raw-consumers.ts), configured by the same
environment as the worker pool; runs until SIGTERM/SIGINT. --id names it (default raw).`;

const SPECS = {
  transport: { type: 'string' },
  id: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Pure: throws BenchArgsError naming the bad argument. */
export function parseRawConsumerArgs(argv: readonly string[]): RawConsumerArgs {
  const parsed = parseFlags(argv, SPECS);
  if (!parsed.ok) throw new BenchArgsError(describeFlagProblem(parsed.problem));
  if (parsed.values.has('help')) return { help: true };
  const transport = parsed.values.get('transport');
  if (typeof transport !== 'string' || !isTransportName(transport)) {
    throw new BenchArgsError(
      `--transport ${TRANSPORTS.join('|')}, got "${String(transport ?? '')}"`,
    );
  }
  const id = parsed.values.get('id');
  if (id === '') throw new BenchArgsError('--id must not be empty');
  return { help: false, transport, id: typeof id === 'string' ? id : 'raw' };
}
