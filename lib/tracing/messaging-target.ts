/**
 * Where a transport's messages go, in OpenTelemetry messaging terms: `messaging.system`
 * and `messaging.destination.name` (the topic, stream or queue). Each driver says its own.
 */
export interface MessagingTarget {
  system: string;
  destination: string;
}
