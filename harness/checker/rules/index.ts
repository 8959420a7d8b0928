import { concurrent } from './concurrent.ts';
import { availability } from './availability.ts';
import { deadLetterMissing } from './dead-letter-missing.ts';
import { deadLetterUnexpected } from './dead-letter-unexpected.ts';
import { doubleEffect } from './double-effect.ts';
import { lost } from './lost.ts';
import { nonmonotonicSend } from './nonmonotonic-send.ts';
import { order } from './order.ts';
import { pending } from './pending.ts';
import { poisonEffect } from './poison-effect.ts';
import { unexpected } from './unexpected.ts';

/**
 * The must-be-zero rules, in the order their anomalies are named and their columns shown.
 * Adding a rule here adds its anomaly, its verdict and its columns everywhere.
 */
export const SAFETY_RULES = [
  lost,
  unexpected,
  doubleEffect,
  pending,
  deadLetterMissing,
  deadLetterUnexpected,
  poisonEffect,
  order,
  nonmonotonicSend,
  concurrent,
  availability,
] as const;
