import { Consumer, kOptions, type GroupAssignment } from '@platformatic/kafka';
import type { Config } from '../../../config.ts';
import { errorMessage } from '../../../errors.ts';
import { failpoint } from '../../../failpoints.ts';
import type { Logger } from '../../../log.ts';
import { withTimeout } from '../../../with-timeout.ts';
import { kafkaConsumerId } from '../identity.ts';
import { STICKY_PROTOCOL, cooperativeStickyAssigner, encodeOwned } from './assignor.ts';
import { readBatches, type PlatformaticMessage, type PlatformaticStream } from './batches.ts';
import { baseOptions, forceClose } from './client.ts';
import { createCommitter, type Committer } from './committer.ts';
import { watchMembership } from './membership-watch.ts';
import { createOwnership, type Ownership } from './ownership.ts';
import { createPartitionWork, type WorkContext } from './partition-work.ts';
import { createWaker, type Waker } from './waker.ts';

export interface SessionDeps {
  config: Config;
  log: Logger;
  workerId: string;
  /** Join with `group.instance.id` = the worker's slot (KIP-345 static membership). */
  staticMember: boolean;
  work: Omit<WorkContext, 'commitNow' | 'onProgress'>;
}

/** One consumer and its stream, from joining the group to leaving it. */
export interface ConsumerSession {
  /** Resolves (with why) once the stream or the consumer failed or ended by itself. */
  ended: Promise<unknown>;
  /** Stops reading, lets in-flight messages finish, commits them, leaves the group. */
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 5000;
const PARTITION_FETCH_BYTES = 256 * 1024;

function newConsumer(
  deps: SessionDeps,
  protocol: { name: string; version: number; metadata: Buffer },
) {
  const k = deps.config.kafka;
  const id = kafkaConsumerId(deps.workerId);
  return new Consumer({
    ...baseOptions({
      brokers: k.workersBrokers,
      clientId: id,
      retries: 3,
      retryDelayMs: 500,
      // JoinGroup waits for the slowest member, up to the rebalance timeout.
      requestTimeoutMs: k.rebalanceTimeoutMs + 5000,
    }),
    groupId: k.groupId,
    ...(deps.staticMember ? { groupInstanceId: id } : {}),
    sessionTimeout: k.sessionTimeoutMs,
    heartbeatInterval: k.heartbeatIntervalMs,
    rebalanceTimeout: k.rebalanceTimeoutMs,
    protocols: [protocol],
    partitionAssigner: cooperativeStickyAssigner,
    autocommit: false,
    // Within one cycle of the broker, so a drain is not stuck behind a long fetch.
    maxWaitTime: 500,
    // A backlog of one partition must not fill a whole fetch: every partition gets a share.
    maxBytesPerPartition: PARTITION_FETCH_BYTES,
  });
}

const partitionsOf = (assignments: readonly GroupAssignment[] | null, topic: string) =>
  assignments?.find((a) => a.topic === topic)?.partitions ?? [];

/** Joins the group and starts consuming; rejects (consumer closed) if joining fails. */
export async function openSession(deps: SessionDeps): Promise<ConsumerSession> {
  const { topic } = deps.config.kafka;
  const protocol = { name: STICKY_PROTOCOL, version: 1, metadata: encodeOwned(topic, []) };
  const consumer = newConsumer(deps, protocol);
  let fail: (why: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (fail = resolve));
  consumer.on('error', (err: unknown) => fail(err));
  let stream: PlatformaticStream;
  try {
    stream = await consumer.consume({
      topics: [topic],
      mode: 'committed',
      // FAILPOINT group-from-latest: a new group starts at the end of the log.
      fallbackMode: failpoint('group-from-latest') ? 'latest' : 'earliest',
      autocommit: false,
    });
  } catch (err) {
    await quietly(() => forceClose(consumer), deps.log);
    throw err;
  }
  return runSession({ deps, consumer, stream, protocol, ended, fail });
}

interface Running {
  deps: SessionDeps;
  consumer: Consumer;
  stream: PlatformaticStream;
  protocol: { metadata?: Buffer | string };
  ended: Promise<unknown>;
  fail: (why: unknown) => void;
}

function runSession(r: Running): ConsumerSession {
  const { deps, consumer, stream } = r;
  const { kafka: k, workers: w } = deps.config;
  const membership = watchMembership(consumer, r.fail);
  const committer = createCommitter(consumer, k.topic, deps.log, membership.seen);
  const waker = createWaker();
  const group = { rebalancing: false };
  const ownership = createOwnership({
    topic: k.topic,
    protocol: r.protocol,
    committer,
    rejoin: () => {
      group.rebalancing = true;
      return consumer.joinGroup({});
    },
    log: deps.log,
    makeWork: (p, generation) =>
      createPartitionWork(
        {
          ...deps.work,
          commitNow: async (partition, next) =>
            void (await committer.commit(new Map([[partition, next]]))),
          onProgress: () => waker.wake(),
        },
        p,
        generation,
        k.rebalanceTimeoutMs,
      ),
  });
  ownership.assign(partitionsOf(consumer.assignments, k.topic), consumer.generationId);
  const watch = watchGroup(consumer, ownership, committer, group, deps.config);
  // A newly assigned partition must be read at once (readLoop), even if the reader waits.
  consumer.on('consumer:group:join', () => waker.wake());
  // Up to a batch per owned partition is held at once, as kafkajs holds one fetched batch per
  // partition; with the fair limiter and the hungry rule (readLoop), a partition is never
  // starved behind another's backlog.
  const cap = () => Math.max(w.batchSize, 2 * w.concurrency) * Math.max(1, ownership.all().length);
  void readLoop({ stream, ownership, committer, waker, cap, log: deps.log }).then(r.fail, r.fail);
  let closing: Promise<void> | undefined;
  return {
    ended: r.ended,
    close: () =>
      (closing ??= (async () => {
        waker.close();
        await ownership.stopAll();
        watch.stop();
        // A lost membership's commits fail as its heartbeats did (or a moved coordinator
        // refuses them): the next session redelivers what was done since the last one.
        if (!membership.lost()) {
          stopRejoiningOnRefusedCommits(consumer);
          await commitBeforeLeaving(consumer, () => committer.commit(ownership.committable()), {
            boundMs: k.rebalanceTimeoutMs,
            log: deps.log,
          });
        }
        await quietly(() => stream.close(), deps.log);
        await quietly(() => forceClose(consumer), deps.log);
      })()),
  };
}

/**
 * Follows the group: each join's assignment goes to `ownership`; done offsets are committed
 * every `commitIntervalMs`, but not while a round is in progress.
 */
function watchGroup(
  consumer: Consumer,
  ownership: Ownership,
  committer: Committer,
  group: { rebalancing: boolean },
  config: Config,
): { stop(): void } {
  const { topic, commitIntervalMs } = config.kafka;
  // A refused commit makes the client join again, and a leader's join starts a round for
  // every member, whose own commits are then refused: so after one, wait for the group to
  // settle (a clean heartbeat or a join) before the next, or the group can rebalance every
  // half second for as long as the members keep committing (seen once in CI).
  const commit = () =>
    void committer.commit(ownership.committable()).then((ok) => {
      if (!ok) group.rebalancing = true;
    });
  consumer.on('consumer:group:join', (e) => {
    group.rebalancing = false;
    ownership.assign(
      partitionsOf(e.assignments ?? [], topic),
      e.generationId ?? consumer.generationId,
    );
  });
  // Not even the work done so far is committed here: the client answers a commit refused
  // for the round by joining again, which starts another round, and so on. Nothing moves
  // until its owner has committed it anyway (ownership.ts).
  consumer.on('consumer:group:rebalance', () => (group.rebalancing = true));
  // A heartbeat answered without error: the round is over for us, whatever else happened.
  consumer.on('consumer:heartbeat:end', () => (group.rebalancing = false));
  const timer = setInterval(() => {
    if (!group.rebalancing) commit();
  }, commitIntervalMs);
  return { stop: () => clearInterval(timer) };
}

/**
 * The client answers a refused commit by joining again, up to `retries` times, before it
 * reports the failure; and a join by the group's leader starts a round for every member, in
 * which the commit retried is refused again. A leaving leader's final commit kept its group
 * rebalancing every half second until the bound below ran out (the coordinator's log: "Leader
 * ... re-joining group during Stable", twenty times over), and what it had done was
 * redelivered. A leaving member has no next generation to join: from here its commits fail
 * at once and commitBeforeLeaving tries again when the round is over. The heartbeat still
 * rejoins a round that others start, which must not wait for us.
 */
function stopRejoiningOnRefusedCommits(consumer: Consumer): void {
  consumer[kOptions].retries = false;
}

/**
 * The last commit of a session. A round in progress refuses it, and a drain often lands in
 * one: the pool restarts its workers in turn. We still own our partitions until we leave,
 * so it is tried again as each round settles, for up to `boundMs` (the rebalance timeout,
 * after which the group has moved them anyway). Leaving without it would redeliver
 * everything done since the last commit.
 */
async function commitBeforeLeaving(
  consumer: Consumer,
  commit: () => Promise<boolean>,
  o: { boundMs: number; log: Logger },
): Promise<void> {
  const until = Date.now() + o.boundMs;
  for (let attempt = 1; ; attempt++) {
    // A commit to a node that went silent waits out the request timeout, times the retries.
    const left = Math.max(0, until - Date.now());
    const done = await withTimeout(commit(), left, () => new Error('final commit timed out')).catch(
      () => false,
    );
    if (done) {
      if (attempt > 1) o.log.info({ attempt }, 'kafka final commit went through');
      return;
    }
    if (Date.now() >= until) {
      o.log.warn({ attempt }, 'kafka final commit failed; uncommitted events will be redelivered');
      return;
    }
    await roundSettled(consumer, Math.min(ROUND_WAIT_MS, Math.max(0, until - Date.now())));
  }
}

const ROUND_WAIT_MS = 500;

/** Resolves at our next join or answered heartbeat (the round is over for us), or after `ms`. */
function roundSettled(consumer: Consumer, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      consumer.off('consumer:group:join', done);
      consumer.off('consumer:heartbeat:end', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    consumer.on('consumer:group:join', done);
    consumer.on('consumer:heartbeat:end', done);
  });
}

interface Reading {
  stream: PlatformaticStream;
  ownership: Ownership;
  committer: Committer;
  waker: Waker;
  cap: () => number;
  log: Logger;
}

/**
 * While a partition is hungry (partition-work.ts), what the reader may hold, as a multiple
 * of `cap`: enough to read past the backlog the stream fetched for the other partitions
 * before the join, still a bound on memory (and only for the hungry window).
 */
const HUNGRY_CAP_FACTOR = 8;

/**
 * Reads what the stream fetched into each partition's work, never more than `cap` pending,
 * unless a partition is hungry. The stream is one queue for every partition: messages of a
 * partition assigned by the last join (a dead member's, taken over) come after everything
 * fetched before it for the partitions we already had, a whole fetch or more. Held to
 * `cap`, they would wait until our own backlog is done; while one is hungry we read on.
 */
async function readLoop(r: Reading): Promise<unknown> {
  const { stream, ownership, waker } = r;
  const reader = readBatches(stream);
  const closed = waker.whenClosed.then(() => null);
  const works = () => ownership.all();
  const pending = () => works().reduce((n, work) => n + work.pending(), 0);
  const room = () =>
    (works().some((w) => w.hungry()) ? HUNGRY_CAP_FACTOR : 1) * r.cap() - pending();
  while (!waker.closed()) {
    while (room() <= 0 && !waker.closed()) await waker.wait();
    const batch = await Promise.race([reader.next(room()), closed]);
    if (batch === null) return reader.error() ?? new Error('kafka stream ended');
    // FAILPOINT auto-commit: like enable.auto.commit, the fetched position is committed at
    // once, whether or not its messages get processed.
    if (failpoint('auto-commit')) await r.committer.commit(lastOffsets(batch));
    for (const [partition, messages] of byPartition(batch)) {
      const work = ownership.work(partition);
      const hungry = work?.hungry() ?? false;
      if (work && work.push(messages) > 0 && hungry)
        r.log.info(
          { partition, buffered: stream.readableLength, pending: pending() },
          'kafka partition got its first messages',
        );
    }
  }
  return undefined;
}

function byPartition(batch: readonly PlatformaticMessage[]): Map<number, PlatformaticMessage[]> {
  const out = new Map<number, PlatformaticMessage[]>();
  for (const m of batch) {
    const list = out.get(m.partition);
    if (list) list.push(m);
    else out.set(m.partition, [m]);
  }
  return out;
}

const lastOffsets = (batch: readonly PlatformaticMessage[]) =>
  new Map(batch.map((m) => [m.partition, m.offset + 1n] as const));

/** Closes, bounded in time; a close that fails (even by a synchronous throw) is only logged. */
async function quietly(close: () => Promise<unknown>, log: Logger): Promise<void> {
  await withTimeout(
    Promise.resolve().then(close),
    CLOSE_TIMEOUT_MS,
    () => new Error('close timed out'),
  ).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'kafka consumer close failed'));
}
