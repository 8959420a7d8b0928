/** The client id of the consumer in supervisor slot `workerId` (as describeGroups shows it). */
export const kafkaConsumerId = (workerId: string): string => `workers-${workerId}`;
