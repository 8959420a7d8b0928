/**
 * The shape of a scenario as data: which fields each object takes and what type each value
 * is. A scenario written in TypeScript gets this from the compiler; one read from a file gets
 * it here, so a typo (`mesages`) is an error instead of a field silently ignored. What a
 * fault's own fields may hold is its package's business (harness/nemesis/), and what the
 * values mean (ranges, kinds) is the validator's.
 */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  /** Any object: its keys are checked elsewhere (a fault by its package). */
  | 'object'
  | { list: Shape; length?: number }
  | { fields: Readonly<Record<string, Field>> }
  /** An object of any keys whose values all have one shape (`workers.env`). */
  | { map: Shape };

export interface Field {
  shape: Shape;
  optional?: boolean;
}

const required = (shape: Shape): Field => ({ shape });
const optional = (shape: Shape): Field => ({ shape, optional: true });
const RANGE: Shape = { fields: { min: optional('number'), max: optional('number') } };

/** `Scenario` of harness/scenario.ts, field by field. */
export const SCENARIO_SHAPE: Shape = {
  fields: {
    name: required('string'),
    description: required('string'),
    transports: optional({ list: 'string' }),
    load: required({
      fields: {
        messages: required('number'),
        ratePerSec: required('number'),
        concurrency: required('number'),
        batchSize: required('number'),
        poisonFraction: optional('number'),
        payloadBytes: optional('number'),
        durationSec: optional('number'),
        keys: optional('number'),
        sequential: optional('boolean'),
      },
    }),
    workers: required({
      fields: {
        size: required('number'),
        workTimeMs: required('number'),
        startAfterSec: optional('number'),
        env: optional({ map: 'string' }),
      },
    }),
    schedule: required({
      list: {
        fields: {
          at: required('number'),
          fault: required('object'),
          healAfter: optional('number'),
          pools: optional({ list: 'string' }),
        },
      },
    }),
    chaos: optional({
      fields: {
        startSec: required('number'),
        endSec: required('number'),
        endBeforeLoadEndSec: optional('number'),
        meanIntervalSec: required('number'),
        healAfterSec: required({ list: 'number', length: 2 }),
        maxActive: optional('number'),
        faults: required({ list: 'object' }),
      },
    }),
    expectations: required({
      fields: {
        kills: optional(RANGE),
        failovers: optional(RANGE),
        redeliveries: optional(RANGE),
        producerFailures: optional(RANGE),
        recovered: optional(RANGE),
        consumerStallMs: optional(RANGE),
        deadLettered: optional(RANGE),
        latencyP99Ms: optional(RANGE),
      },
    }),
    allowsZombies: optional({ list: 'string' }),
    infra: optional('string'),
    timeouts: optional({ fields: { drainSec: optional('number') } }),
    maxUnavailableMs: optional('number'),
    maxRecoveryMs: optional('number'),
  },
};

export interface ShapeProblem {
  /** `type`: the value cannot be read as the field (checks on its meaning would not hold);
   * `field`: a field that does not exist. */
  kind: 'type' | 'field';
  message: string;
}

/** Every place `value` departs from `shape`, each naming its path (`load.messages`). */
export function shapeProblems(value: unknown, shape: Shape, path: string): ShapeProblem[] {
  const type = (want: string): ShapeProblem[] => [
    { kind: 'type', message: `${path || 'scenario'}: ${want}, got ${describe(value)}` },
  ];
  if (shape === 'string') {
    if (typeof value === 'string') return [];
    // YAML reads `4000` and `true` as a number and a boolean; an env value is text.
    const scalar = typeof value === 'number' || typeof value === 'boolean';
    return type(scalar ? `a string (quote it: '${String(value)}')` : 'a string');
  }
  if (shape === 'number') {
    return typeof value === 'number' && Number.isFinite(value) ? [] : type('a number');
  }
  if (shape === 'boolean') return typeof value === 'boolean' ? [] : type('true or false');
  const mapping = 'an object (a mapping of fields)';
  if (shape === 'object') return isPlainObject(value) ? [] : type(mapping);
  if ('list' in shape) {
    if (!Array.isArray(value)) return type('a list');
    if (shape.length !== undefined && value.length !== shape.length) {
      return type(`a list of ${shape.length}`);
    }
    return value.flatMap((item, i) => shapeProblems(item, shape.list, `${path}[${i}]`));
  }
  if (!isPlainObject(value)) return type(mapping);
  if ('map' in shape) {
    return Object.entries(value).flatMap(([k, v]) => shapeProblems(v, shape.map, join(path, k)));
  }
  return objectProblems(value, shape.fields, path);
}

function objectProblems(
  value: Record<string, unknown>,
  fields: Readonly<Record<string, Field>>,
  path: string,
): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const names = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(fields, key) || value[key] === undefined) continue;
    const owner = path || 'a scenario';
    out.push({
      kind: 'field',
      message: `${join(path, key)}: unknown field (${owner} takes: ${names.join(', ')})`,
    });
  }
  for (const [name, field] of Object.entries(fields)) {
    const v = Object.hasOwn(value, name) ? value[name] : undefined;
    if (v === undefined) {
      if (!field.optional) {
        out.push({ kind: 'type', message: `${join(path, name)}: required, ${want(field.shape)}` });
      }
      continue;
    }
    out.push(...shapeProblems(v, field.shape, join(path, name)));
  }
  return out;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function want(shape: Shape): string {
  if (shape === 'string') return 'a string';
  if (shape === 'number') return 'a number';
  if (shape === 'boolean') return 'true or false';
  if (shape === 'object') return 'an object';
  return 'list' in shape ? 'a list' : 'an object';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}
