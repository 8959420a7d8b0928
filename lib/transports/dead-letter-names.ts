/** Where each transport puts events it gave up on. BullMQ uses its own failed set. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
export const deadLetterStream = (stream: string): string => `${stream}.dlq`;
