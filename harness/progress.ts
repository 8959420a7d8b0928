/**
 * Live progress of a run: on a TTY one line redrawn in place; otherwise (CI logs) a plain
 * line every few seconds. It only reads a snapshot function, so it cannot disturb the run.
 */
export interface ProgressSnapshot {
  phase: string;
  /** ms since the run started. */
  elapsedMs: number;
  sent: number;
  acked: number;
  failed: number;
  info: number;
  /** Events seen in the sink, when the runner polls it. */
  processed?: number;
  /** Active faults, e.g. `['kill-worker kafka']`. */
  faults?: readonly string[];
}

export interface ProgressOptions {
  snapshot: () => ProgressSnapshot;
  /** Default process.stderr, so `--json` output on stdout stays clean. */
  stream?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Redraw period: default 250 ms on a TTY, 5000 ms otherwise. */
  intervalMs?: number;
}

export interface Progress {
  start(): void;
  /** Prints a line above the live one (e.g. "fault start: ..."). */
  note(line: string): void;
  /** Final redraw and newline. Idempotent. */
  stop(): void;
}

export function formatProgressLine(s: ProgressSnapshot): string {
  const secs = (s.elapsedMs / 1000).toFixed(1).padStart(6);
  const processed = s.processed === undefined ? '' : ` processed ${s.processed}`;
  const faults = s.faults && s.faults.length > 0 ? ` | fault: ${s.faults.join(', ')}` : '';
  return `[${secs}s] ${s.phase.padEnd(5)} sent ${s.sent} acked ${s.acked} fail ${s.failed} info ${s.info}${processed}${faults}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const intervalMs = options.intervalMs ?? (tty ? 250 : 5000);
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  const draw = () => {
    const line = formatProgressLine(options.snapshot());
    // \r + erase-to-end-of-line redraws in place on a terminal.
    stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
  return {
    start() {
      if (timer || stopped) return;
      draw();
      timer = setInterval(draw, intervalMs);
      timer.unref();
    },
    note(line) {
      stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
      if (tty && timer) draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw();
      if (tty) stream.write('\n');
    },
  };
}
