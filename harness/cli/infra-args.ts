import { describeFlagProblem, parseFlags } from '../../lib/cli-flags.ts';

export type ParsedInfraArgs =
  | { kind: 'run'; check: boolean }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string; exitCode: 2 };

export const INFRA_USAGE = `usage: npm run infra [-- --check]
  (no flag)   start Kafka, Redis (broker and sink) and Toxiproxy in the foreground and print
              the NAME=value lines that point the producer and the workers at them; Ctrl-C stops
  --check     start, round-trip through every proxied link, stop, print one "infra ok" line
  -h, --help  this text
INFRA_TOPOLOGY=cluster starts 3 KRaft nodes, a Redis primary + replica + 3 Sentinels instead`;

const SPECS = {
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Arguments of `npm run infra`; pure, the caller prints and exits. */
export function parseInfraArgs(argv: readonly string[]): ParsedInfraArgs {
  const parsed = parseFlags(argv, SPECS);
  if (!parsed.ok) {
    const message = `${describeFlagProblem(parsed.problem)}. ${INFRA_USAGE.split('\n')[0]}`;
    return { kind: 'error', message, exitCode: 2 };
  }
  if (parsed.values.has('help')) return { kind: 'help', text: INFRA_USAGE };
  return { kind: 'run', check: parsed.values.has('check') };
}
