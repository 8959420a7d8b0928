import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from './infra/paths.ts';

/**
 * The producer and the worker pools run as compiled JavaScript (tsconfig.build.json, into
 * .build): under tsx every one of a run's dozen processes pays for the loader and its hooks
 * on each module, and on two cores that made a three-transport setup take 6.3 s instead of
 * 3.9. Compiled once per harness process, and only when a source is newer than the last
 * build; a script that did not compile runs under tsx as before.
 */
const OUT = join(REPO_ROOT, '.build');
const BUILD_INFO = join(OUT, 'tsbuildinfo');
const SOURCES = ['lib', 'producer', 'workers', 'harness', 'scenarios', 'test/fixtures'];
let checked = false;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  if (!existsSync(BUILD_INFO)) return false;
  const built = statSync(BUILD_INFO).mtimeMs;
  const inputs = ['package.json', 'tsconfig.json', 'tsconfig.build.json'].map(
    (f) => statSync(join(REPO_ROOT, f)).mtimeMs,
  );
  return Math.max(...inputs, ...SOURCES.map((d) => newestSource(join(REPO_ROOT, d)))) < built;
}

function build(): void {
  process.stderr.write('harness: compiling the producer and the workers into .build ...\n');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
  } catch {
    // A type error still emits; `npm run lint` is where it is reported.
  }
  // producer/openapi.ts reads the version from ../package.json.
  copyFileSync(join(REPO_ROOT, 'package.json'), join(OUT, 'package.json'));
  // tsc leaves its build info alone when no output changed (a touched file).
  if (existsSync(BUILD_INFO)) utimesSync(BUILD_INFO, new Date(), new Date());
}

/** The node arguments that run `script` (a .ts path relative to the repository). */
export function nodeArgsFor(script: string): string[] {
  if (!checked) {
    if (!upToDate()) build();
    checked = true;
  }
  const js = join(OUT, script.replace(/\.ts$/, '.js'));
  return existsSync(js)
    ? ['--enable-source-maps', js]
    : ['--import', 'tsx', join(REPO_ROOT, script)];
}
