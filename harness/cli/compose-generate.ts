/**
 * `npm run compose:generate`: write docker-compose.yml, infra/toxiproxy.json and
 * infra/compose.env from the shared broker settings. `-- --check`: write nothing, exit 1
 * naming each file that differs from what would be generated (0 when none does).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFlags, describeFlagProblem } from '../../lib/cli-flags.ts';
import { errorMessage } from '../../lib/errors.ts';
import { composeFiles, GENERATED_FILES } from '../infra/compose-file.ts';
import { REPO_ROOT } from '../infra/paths.ts';

async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, {
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) {
    console.error(
      `${describeFlagProblem(parsed.problem)}; usage: npm run compose:generate [-- --check]`,
    );
    return 2;
  }
  if (parsed.values.has('help')) {
    console.log('usage: npm run compose:generate [-- --check]');
    console.log(`  writes ${GENERATED_FILES.join(', ')}; --check: only report files that differ`);
    return 0;
  }
  const files = await composeFiles();
  const check = parsed.values.has('check');
  let stale = 0;
  for (const name of GENERATED_FILES) {
    const path = join(REPO_ROOT, name);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === files[name]) continue;
    stale += 1;
    if (check) console.error(`${name}: differs from what npm run compose:generate writes`);
    else {
      await writeFile(path, files[name]);
      console.log(`wrote ${name}`);
    }
  }
  if (stale === 0) console.log(`${GENERATED_FILES.join(', ')}: up to date`);
  return check && stale > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`compose:generate failed: ${errorMessage(err)}`);
    process.exit(1);
  },
);
