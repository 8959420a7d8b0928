import { parseArgs } from 'node:util';

/**
 * The command-line flags of the project's CLIs (scenario, bench, workers, infra), read with
 * `node:util` `parseArgs`: `--x v` and `--x=v`, boolean flags without a value, a short alias
 * such as `-h`. Parsing is pure; each CLI turns a `FlagProblem` into its own message.
 */
export interface FlagSpec {
  /** `string` flags take a value, `boolean` flags take none. */
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. `h` for `--help`. */
  short?: string;
}

export type FlagProblem =
  /** `flag` as typed, without any `=value`: `--mesages`, `-x`. */
  | { kind: 'unknown'; flag: string }
  /** `flag` is `--name`. */
  | { kind: 'missing-value'; flag: string; name: string }
  | { kind: 'unexpected-value'; flag: string; name: string }
  /** An argument that is not a flag, where the CLI takes none. */
  | { kind: 'positional'; value: string };

export type ParsedFlags =
  | { ok: true; values: Map<string, string | true>; positionals: string[] }
  | { ok: false; problem: FlagProblem };

export interface ParseFlagsOptions {
  /** Accept arguments that are not flags (default false: they are a problem). */
  positionals?: boolean;
}

/**
 * Reads `argv` against `specs`; the first problem, in argument order, wins. A bare `--` is
 * skipped rather than ending the flags: npm passes it through in `npm run x -- -- --flag`,
 * and the CLIs have never given it a meaning. A value that starts with `--` and was not
 * written `--x=--v` is a forgotten value (`--seed --json`), not a value.
 */
export function parseFlags(
  argv: readonly string[],
  specs: Readonly<Record<string, FlagSpec>>,
  options: ParseFlagsOptions = {},
): ParsedFlags {
  const { tokens } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: specs,
    // Not strict: unknown flags and missing values come back as tokens, for our messages.
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (options.positionals !== true) return problem({ kind: 'positional', value: token.value });
      positionals.push(token.value);
      continue;
    }
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) return problem({ kind: 'unknown', flag: token.rawName });
    const flag = `--${token.name}`;
    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        return problem({ kind: 'unexpected-value', flag, name: token.name });
      }
      values.set(token.name, true);
      continue;
    }
    const forgotten = token.inlineValue === false && token.value?.startsWith('--') === true;
    if (token.value === undefined || forgotten) {
      return problem({ kind: 'missing-value', flag, name: token.name });
    }
    values.set(token.name, token.value);
  }
  return { ok: true, values, positionals };
}

const problem = (p: FlagProblem): ParsedFlags => ({ ok: false, problem: p });

/** The plain wording of a problem (`unknown argument --x`), for CLIs without their own. */
export function describeFlagProblem(problem: FlagProblem): string {
  switch (problem.kind) {
    case 'unknown':
      return `unknown argument ${problem.flag}`;
    case 'positional':
      return `unknown argument ${problem.value}`;
    case 'missing-value':
      return `${problem.flag} needs a value`;
    case 'unexpected-value':
      return `${problem.flag} takes no value`;
  }
}
