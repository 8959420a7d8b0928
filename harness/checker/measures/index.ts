import { deadLettered } from './dead-lettered.ts';
import { deliveries } from './deliveries.ts';
import { latency } from './latency.ts';
import { lostClasses } from './lost-classes.ts';
import { outcomes } from './outcomes.ts';
import { recovered } from './recovered.ts';
import { recovery } from './recovery.ts';

/**
 * The reported measures, in column order. They never make a run invalid; one that cannot
 * measure (a missing input, an exception) makes it 'unknown'.
 */
export const MEASURES = [
  outcomes,
  deliveries,
  recovered,
  deadLettered,
  latency,
  recovery,
  lostClasses,
] as const;
