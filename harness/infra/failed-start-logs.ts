import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ends a start that failed: copies its logs out of the work dir (which `stop` removes with
 * the data), names the copy in the error so the cause can still be read, then stops what
 * did start. Returns the error to throw.
 */
export async function abandonFailedStart(
  workDir: string,
  stop: () => Promise<void>,
  err: unknown,
): Promise<unknown> {
  await keepLogs(workDir, err);
  await stop().catch(() => undefined);
  return err;
}

async function keepLogs(workDir: string, err: unknown): Promise<void> {
  try {
    const kept = await mkdtemp(join(tmpdir(), 'pipeline-infra-failed-'));
    await cp(workDir, kept, {
      recursive: true,
      filter: (src) => !/-data$|\/data$/.test(src),
    });
    if (err instanceof Error) err.message += `\n(logs of the failed start kept in ${kept})`;
  } catch {
    // Nothing to keep: the error stands as it is.
  }
}
