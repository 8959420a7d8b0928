/** The @platformatic/kafka implementation of the Kafka driver's verbs (loaded on demand). */
export { createPlatformaticConsumer } from './consumer.ts';
export { inspectPlatformatic } from './inspector.ts';
export { createPlatformaticPublisher } from './publisher.ts';
export { platformaticRaw } from './raw.ts';
