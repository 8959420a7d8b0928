import { resolve } from 'node:path';

/** The repository root, wherever the harness is started from. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** The provisioning cache (Kafka jars, Toxiproxy binary): `.infra/` unless configured. */
export function cacheDir(configured: string): string {
  return configured === '' ? resolve(REPO_ROOT, '.infra') : resolve(configured);
}
