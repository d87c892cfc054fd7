/** Kafka topic names. Key on the events topic is the group id; live deltas all go to one partition (key 'delta'), in order. */
export const TOPICS = {
  /** Validated, pseudonymised events from ingest. */
  events: 'events',
  /** Dead letters: records the processor could not decode or the store refused, with the reason in the headers. */
  deadLetter: 'events.dlq',
  /** Per-batch count deltas from the processor, fanned out to every api instance. */
  live: 'live',
  /** Alert changes and digests from the detector (key = division), for the api's sockets and the webhook deliverer. */
  alerts: 'alerts',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export function topicName(prefix: string, topic: TopicName): string {
  return `${prefix}${topic}`;
}
