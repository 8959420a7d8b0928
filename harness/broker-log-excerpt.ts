import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Infra } from './infra/index.ts';

/** Where each Kafka node's log stood when a run began (the suite shares one infrastructure). */
export type BrokerLogMark = { node: string; file: string; from: number }[];

export async function markBrokerLogs(infra: Infra): Promise<BrokerLogMark> {
  const mark: BrokerLogMark = [];
  for (const server of infra.servers.values()) {
    if (!server.name.startsWith('kafka') || server.logFile === undefined) continue;
    const from = await stat(server.logFile).then(
      (s) => s.size,
      () => 0,
    );
    mark.push({ node: server.name, file: server.logFile, from });
  }
  return mark;
}

/**
 * Copies the lines the Kafka nodes logged since `mark` that name this run (its group and
 * topic carry the run id) into the run folder, oldest first, each with its node: the group
 * coordinator logs every rebalance with its reason, and the infrastructure's own logs go
 * when it stops. Returns how many lines it kept (no file when none).
 */
export async function saveBrokerLogExcerpt(
  mark: BrokerLogMark,
  runId: string,
  path: string,
): Promise<number> {
  const lines: string[] = [];
  for (const { node, file, from } of mark) {
    const input = createReadStream(file, { encoding: 'utf8', start: from });
    for await (const line of createInterface({ input, crlfDelay: Infinity }))
      if (line.includes(runId)) lines.push(withNode(line, node));
  }
  if (lines.length === 0) return 0;
  // Each line starts with its time, [yyyy-MM-dd HH:mm:ss,SSS]: text order is time order.
  lines.sort((a, b) => a.slice(0, TIME_WIDTH).localeCompare(b.slice(0, TIME_WIDTH)));
  await writeFile(path, `${lines.join('\n')}\n`);
  return lines.length;
}

const TIME_WIDTH = '[2026-12-05 13:49:52,398]'.length;

const withNode = (line: string, node: string) =>
  `${line.slice(0, TIME_WIDTH)} ${node}${line.slice(TIME_WIDTH)}`;
