import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { ConfigError, errorMessage } from '../lib/errors.ts';
import type { Scenario } from './scenario.ts';
import { validateScenario } from './validate-scenario.ts';

/**
 * Scenarios as files: YAML (`.yaml`, `.yml`) or JSON (`.json`), holding the same data as a
 * `scenarios/*.ts` file and checked by the same validator, so a file is exactly as strict as
 * the catalogue: every field known, every value of its type, `workers.env` naming only
 * option variables.
 */
export class ScenarioFileError extends ConfigError {
  constructor(
    readonly file: string,
    /** One line per problem, each naming the field path or the file's line. */
    readonly problems: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    super(`scenario file ${file}:\n  ${problems.join('\n  ')}`, options);
  }
}

/** Reads, parses and validates a scenario file; throws ScenarioFileError naming each problem. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScenarioFileError(path, [`cannot be read: ${errorMessage(err)}`], { cause: err });
  }
  return parseScenarioText(text, path);
}

/** Parses `text` as the file `source` (its extension picks JSON or YAML) and validates it. */
export function parseScenarioText(raw: string, source: string): Scenario {
  const text = blankNpmBanner(raw);
  const data =
    extname(source).toLowerCase() === '.json' ? parseJson(text, source) : parseYaml(text, source);
  const problems = validateScenario(data);
  if (problems.length > 0) throw new ScenarioFileError(source, problems);
  return data as Scenario;
}

/**
 * `npm run scenario -- --dump NAME > f.yaml` puts npm's banner (`> pkg@0.1.0 scenario`,
 * `> tsx harness/cli/scenario.ts ...`) on stdout above the dump. No scenario can start with
 * it (a top-level `>` is a YAML block scalar, not a mapping), so it is blanked, keeping
 * line numbers for the error messages.
 */
function blankNpmBanner(text: string): string {
  return text.replace(/^(?:[ \t]*\n)*(?:> [^\n]*\n)+/, (banner) => banner.replace(/[^\n]/g, ''));
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ScenarioFileError(source, [`not valid JSON: ${errorMessage(err)}`], { cause: err });
  }
}

function parseYaml(text: string, source: string): unknown {
  // Duplicate keys are errors (uniqueKeys), as a repeated field would hide the first.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioFileError(
      source,
      // prettyErrors puts the line and column on the first line and a code frame below.
      doc.errors.map(
        (e) => `not valid YAML: ${(e.message.split('\n')[0] ?? '').replace(/:$/, '')}`,
      ),
    );
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/** A catalogue scenario as YAML, to start a file from (`npm run scenario -- --dump NAME`). */
export function dumpScenario(scenario: Scenario): string {
  const header = [
    `# Scenario "${scenario.name}", as in the catalogue (scenarios/). Edit it, then run it with`,
    '#   npm run scenario -- --file this-file.yaml',
    '# Fields: harness/scenario.ts (times in seconds from the start of the load); fault kinds',
    '# and their fields: harness/nemesis/; workers.env: variables of the configuration table.',
  ];
  return `${header.join('\n')}\n${stringify(scenario, { lineWidth: 100 })}`;
}
