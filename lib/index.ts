/**
 * The public API of the pipeline library: one flat list of re-exports, grouped by concern.
 *
 * - config: `loadConfig()` reads and validates every option from the environment.
 * - envelope: the event shape every transport carries, ids and their encoding.
 * - errors: one `AppError` family; branch on the class or `code`.
 * - transports: `driverFor(transport)`, one driver per transport; its publishers resolve
 *   `publish` only after the broker's durable ack (NotSentError / IndeterminateError otherwise).
 */
export { loadConfig, describeOptions, OPTIONS, type Config } from './config.ts';
export {
  TRANSPORTS,
  isTransportName,
  EVENT_ID_PATTERN,
  newEventId,
  encodeEnvelope,
  decodeEnvelope,
  type EventEnvelope,
  type TransportName,
} from './envelope.ts';
export {
  AppError,
  ValidationError,
  ConfigError,
  NotSentError,
  IndeterminateError,
  PrerequisiteError,
  PermanentHandlerError,
  errorMessage,
} from './errors.ts';
export { createLogger, configureLogging, type Logger } from './log.ts';
export type {
  Publisher,
  Consumer,
  Handler,
  Delivery,
  PendingState,
  DeadLetter,
} from './transports/types.ts';
export { waitForPublishers } from './transports/publisher.ts';
export { driverFor, drivers, isolatedNames } from './transports/registry.ts';
export type {
  TransportDriver,
  TransportFeatures,
  TransportInspector,
} from './transports/driver.ts';
