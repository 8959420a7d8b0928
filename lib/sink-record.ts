/** One ledger row. */
export interface SinkRecord {
  id: string;
  /** Wall-clock time (ms since epoch) of the first and only effect. */
  firstEffectMs: number;
  /** Supervisor slot of the worker that applied the effect. */
  workerId: string;
  pid: number;
  /** Deliveries that reached the sink (at least the transport's own delivery count). */
  deliveries: number;
  /** Times the effect was applied: 1, or the idempotency is broken. */
  effects: number;
  /** When the delivery that applied the effect started (its interval ends at firstEffectMs). */
  startMs?: number;
  /** Where the broker held the event, `<shard>@<a>-<b>` (lib/transports/position.ts). */
  position?: string;
  /** Place of the first effect among its key's first effects (1, 2, ...); keyed events only. */
  keySeq?: number;
  /** The later deliveries that reached the sink, each with its processing interval. */
  intervals?: DeliveryInterval[];
}

/** One delivery's time in the handler, from its start to its sink write. */
export interface DeliveryInterval {
  startMs: number;
  endMs: number;
  workerId: string;
  pid: number;
}

/** A ledger value: `firstEffectMs|workerId|pid|deliveries|effects[|startMs|position|keySeq]`. */
export function parseSinkValue(id: string, value: string): SinkRecord {
  const [first = '0', workerId = '', pid = '0', deliveries = '0', effects = '0', ...rest] =
    value.split('|');
  const [startMs = '', position = '', keySeq = ''] = rest;
  return {
    id,
    firstEffectMs: Number(first),
    workerId,
    pid: Number(pid),
    deliveries: Number(deliveries),
    effects: Number(effects),
    ...(startMs !== '' ? { startMs: Number(startMs) } : {}),
    ...(position !== '' ? { position } : {}),
    ...(keySeq !== '' ? { keySeq: Number(keySeq) } : {}),
  };
}

/** An intervals value: `start,end,worker,pid` entries joined by `;`. */
export function parseIntervals(value: string): DeliveryInterval[] {
  return value.split(';').map((span) => {
    const [start = '0', end = '0', workerId = '', pid = '0'] = span.split(',');
    return { startMs: Number(start), endMs: Number(end), workerId, pid: Number(pid) };
  });
}

/** Every recorded delivery of a record, the one that applied the effect first. */
export function deliveryIntervals(rec: SinkRecord): DeliveryInterval[] {
  const first =
    rec.startMs === undefined
      ? []
      : [{ startMs: rec.startMs, endMs: rec.firstEffectMs, workerId: rec.workerId, pid: rec.pid }];
  return [...first, ...(rec.intervals ?? [])];
}
