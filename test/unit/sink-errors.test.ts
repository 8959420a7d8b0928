import { expect } from 'chai';
import { ReplyError as IoredisReplyError, type Redis } from 'ioredis';
import { AppError } from '../../lib/errors.ts';
import { createSink, isServerStateReply, SinkUnavailableError } from '../../lib/sink.ts';
import { classifyFailure } from '../../lib/transports/delivery-policy.ts';

/** ioredis types its ReplyError loosely; a reply error is an Error with a message. */
const ReplyError = IoredisReplyError as unknown as new (message: string) => Error;

/** A stand-in connection whose record script fails with `err` (no I/O). */
function failingRedis(err: Error): Redis {
  return { sinkRecord: () => Promise.reject(err) } as unknown as Redis;
}

const record = (err: Error) =>
  createSink(failingRedis(err))
    .record({ transport: 'redis', id: 'a', workerId: '0', pid: 1, deliveryCount: 1 })
    .then(
      () => expect.fail('record resolved'),
      (e: unknown) => e,
    );

describe('sink: which failures count against the event', function () {
  const SERVER_STATE = [
    'MISCONF Redis is configured to save RDB snapshots, but it is currently unable to persist to disk',
    'MISCONF Errors writing to the AOF file: No space left on device',
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no',
    'READONLY You cannot write against a read only replica.',
    "OOM command not allowed when used memory > 'maxmemory'.",
    'NOREPLICAS Not enough good replicas to write.',
    'CLUSTERDOWN The cluster is down',
    'NOAUTH Authentication required.',
  ];

  for (const message of SERVER_STATE) {
    it(`retriable: ${message.split(' ').slice(0, 2).join(' ')} describes the server, not the event`, async function () {
      expect(isServerStateReply(new ReplyError(message))).to.equal(true);
      const err = await record(new ReplyError(message));
      expect(err).to.be.instanceOf(SinkUnavailableError);
      expect(classifyFailure(err)).to.equal('retriable');
    });
  }

  it('retriable: a command timeout or a lost connection', async function () {
    for (const cause of [
      new Error('Command timed out'),
      new Error('Connection is closed.'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ]) {
      const err = await record(cause);
      expect(classifyFailure(err)).to.equal('retriable');
      expect((err as Error).message).to.contain(cause.message);
    }
  });

  it('counted: a reply the write itself caused (WRONGTYPE, a script error)', async function () {
    for (const message of [
      'WRONGTYPE Operation against a key holding the wrong kind of value',
      'ERR user_script:1: Script attempted to access nonexistent global variable',
    ]) {
      expect(isServerStateReply(new ReplyError(message))).to.equal(false);
      const err = await record(new ReplyError(message));
      expect(err).to.be.instanceOf(AppError);
      expect((err as AppError).code).to.equal('SINK_REJECTED');
      expect(classifyFailure(err)).to.equal('counted');
    }
  });
});
