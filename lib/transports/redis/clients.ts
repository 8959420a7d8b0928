/** What the Redis driver loads at first use (see ../lazy-clients.ts): all of it on ioredis. */
export { createRedisConsumer } from './consumer.ts';
export { inspectRedis } from './inspector.ts';
export { createRedisPublisher } from './publisher.ts';
export { redisRaw } from './raw.ts';
