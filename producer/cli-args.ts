import { parseFlags } from '../lib/cli-flags.ts';
import { ValidationError } from '../lib/errors.ts';

export const USAGE = `usage: npm run producer
       npm run producer -- --help

Serves POST /v1/events/:transport, GET /openapi.json, /livez, /readyz and /metrics on
PRODUCER_HOST:PRODUCER_PORT. Every option is an environment variable (below).`;

/** `--help` (`-h`) or nothing: every option comes from the environment. */
export function parseProducerArgs(argv: readonly string[]): { help: boolean } {
  const parsed = parseFlags(argv, { help: { type: 'boolean', short: 'h' } });
  if (parsed.ok) return { help: parsed.values.has('help') };
  const { problem } = parsed;
  const what = problem.kind === 'positional' ? problem.value : problem.flag;
  throw new ValidationError(`unknown argument "${what}"`, what);
}
