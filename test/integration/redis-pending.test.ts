/**
 * The Redis inspector's pending count against a group whose `entries-read` is off, as a
 * restart can leave it (a broker-restart run in CI: every entry delivered and acknowledged,
 * yet XINFO GROUPS said lag 114 of 770). `XGROUP SETID ... ENTRIESREAD` sets that state on
 * a real Redis, in both directions.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../lib/config.ts';
import { endpointsToEnv } from '../../harness/infra/index.ts';
import { driverFor, isolatedNames } from '../../lib/transports/registry.ts';
import { useInfra } from '../support/infra.ts';

describe('Redis pending count when XINFO lag is stale (real Redis)', function () {
  const infra = useInfra();
  let config: Config;
  let redis: Redis;
  let ids: string[];

  beforeEach(async function () {
    config = loadConfig({
      ...endpointsToEnv(infra().endpoints),
      ...isolatedNames(`lag-${randomUUID().slice(0, 8)}`),
    });
    redis = new Redis(infra().endpoints.redis.direct);
    ids = [];
    for (let i = 0; i < 5; i++)
      ids.push((await redis.xadd(config.redis.stream, '*', 'n', i)) ?? '');
    await redis.xgroup('CREATE', config.redis.stream, config.redis.groupName, '0');
  });

  afterEach(async function () {
    await redis.del(config.redis.stream);
    redis.disconnect();
  });

  const pending = () => driverFor('redis').inspect(config).pending();
  /** The group's last-delivered-id and entries-read, as a restart may leave them. */
  const setGroup = (lastId: string, entriesRead: number) =>
    redis.xgroup(
      'SETID',
      config.redis.stream,
      config.redis.groupName,
      lastId,
      'ENTRIESREAD',
      entriesRead,
    );
  const lag = async () => {
    const [group] = (await redis.xinfo('GROUPS', config.redis.stream)) as unknown[][];
    const fields = group ?? [];
    return fields[fields.indexOf('lag') + 1];
  };

  it('counts nothing when every entry was delivered, whatever lag says', async function () {
    await setGroup('$', 1);
    expect(await lag()).to.equal(4);
    expect((await pending()).detail).to.deep.include({ pel: 0, undelivered: 0 });
  });

  it('counts the entries after last-delivered-id when lag says none', async function () {
    await setGroup(ids[2] ?? '', 5);
    expect(await lag()).to.equal(0);
    expect((await pending()).detail).to.deep.include({ pel: 0, undelivered: 2 });
  });

  it('takes lag as it is when entries do follow last-delivered-id', async function () {
    await setGroup(ids[2] ?? '', 3);
    expect(await lag()).to.equal(2);
    expect((await pending()).pending).to.equal(2);
  });
});
