/** What the BullMQ driver loads at first use (see ../lazy-clients.ts): all of it on bullmq. */
export { createBullmqConsumer } from './consumer.ts';
export { inspectBullmq } from './inspector.ts';
export { createBullmqPublisher } from './publisher.ts';
export { bullmqRaw } from './raw.ts';
