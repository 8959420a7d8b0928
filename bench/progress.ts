/** Progress lines on stderr, stamped with seconds since the bench started. */
const started = Date.now();

export function progress(line: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${line}\n`);
}
