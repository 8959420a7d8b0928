import { errorMessage } from '../../../errors.ts';
import type { Logger } from '../../../log.ts';
import { encodeOwned } from './assignor.ts';
import type { Committer } from './committer.ts';
import type { PartitionWork } from './partition-work.ts';

export interface OwnershipOptions {
  topic: string;
  /** The subscription sent with every JoinGroup; its metadata says what we own. */
  protocol: { metadata?: Buffer | string };
  makeWork: (partition: number, generation: number) => PartitionWork;
  committer: Committer;
  /** Joins again (the follow-up round after a revocation). */
  rejoin: () => Promise<unknown>;
  log: Logger;
}

/** The partitions this member owns, their work, and the cooperative hand-over (assignor.ts). */
export interface Ownership {
  /** A new assignment from the group (every join). */
  assign(partitions: readonly number[], generation: number): void;
  work(partition: number): PartitionWork | undefined;
  /** Live and stopping work, for commits and back-pressure. */
  all(): PartitionWork[];
  /** The offsets to commit, live and stopping partitions alike. */
  committable(): Map<number, bigint | undefined>;
  /** Stops every partition's work and waits for what is in flight (drain, session end). */
  stopAll(): Promise<void>;
}

export function createOwnership(o: OwnershipOptions): Ownership {
  const live = new Map<number, PartitionWork>();
  const stopping = new Set<PartitionWork>();
  const all = () => [...live.values(), ...stopping];
  // Stopping partitions stay in the subscription until they are handed over: a round that
  // starts meanwhile must not give them away while their messages are still in flight.
  const advertise = () => {
    o.protocol.metadata = encodeOwned(o.topic, new Set(all().map((w) => w.partition)));
  };
  const revoke = async (works: PartitionWork[]) => {
    await Promise.all(works.map((w) => w.stop()));
    await o.committer.commit(new Map(works.map((w) => [w.partition, w.committable()])));
    for (const w of works) stopping.delete(w);
    advertise();
    o.log.info({ partitions: works.map((w) => w.partition) }, 'kafka partitions handed over');
    await o
      .rejoin()
      .catch((err: unknown) =>
        o.log.warn({ err: errorMessage(err) }, 'kafka rejoin after hand-over failed'),
      );
  };
  return {
    assign(partitions, generation) {
      const wanted = new Set(partitions);
      const revoked = [...live.values()].filter((w) => !wanted.has(w.partition));
      for (const w of revoked) {
        live.delete(w.partition);
        stopping.add(w);
      }
      for (const p of wanted) if (!live.has(p)) live.set(p, o.makeWork(p, generation));
      advertise();
      o.log.info(
        { generation, partitions: [...wanted], handingOver: revoked.map((w) => w.partition) },
        'kafka partitions assigned',
      );
      if (revoked.length > 0) void revoke(revoked);
    },
    work: (p) => live.get(p),
    all,
    committable: () =>
      new Map([...stopping, ...live.values()].map((w) => [w.partition, w.committable()])),
    async stopAll() {
      await Promise.all(all().map((w) => w.stop()));
    },
  };
}
