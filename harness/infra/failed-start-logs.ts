import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Copies the logs of a start that failed out of its work dir (which the stop removes with
 * the data) and names the copy in the error, so the cause can still be read afterwards.
 */
export async function keepLogsOfFailedStart(workDir: string, err: unknown): Promise<unknown> {
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
  return err;
}
