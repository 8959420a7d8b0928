import { AppError, ValidationError } from '../lib/errors.ts';
import { NotFoundError, TooLargeError } from './http-errors.ts';
import { bodyBranch, ERROR_MESSAGE } from './schemas.ts';

/** The fields of an Ajv error this file reads (Ajv runs with `verbose`, so data and schema come along). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
  parentSchema?: Record<string, unknown>;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a JSON object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
};

/**
 * Ajv reports every branch of the body's anyOf (single event or batch); only the branch the
 * body was meant as tells the client what to fix. With allErrors off each branch stops at
 * its first error, so they come as [event's, batch's, anyOf] (the branches hold no unions).
 */
function relevant(errors: readonly SchemaError[]): readonly SchemaError[] {
  const at = errors.findIndex((e) => e.keyword === 'anyOf' && e.instancePath === '');
  if (at === -1) return errors;
  const branch = errors[bodyBranch(errors[at]!.data)];
  return at === 2 && branch !== undefined ? [branch] : errors.slice(0, at);
}

/** `a, b or c` */
function orList(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** The JSON pointer of the field the error is about (a missing or unknown one included). */
function fieldPath(e: SchemaError): string {
  const child = e.params.missingProperty ?? e.params.additionalProperty;
  return typeof child === 'string'
    ? `${e.instancePath}/${child.replace(/~/g, '~0').replace(/\//g, '~1')}`
    : e.instancePath;
}

function messageOf(e: SchemaError, dataVar: string): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'type') {
    const word = TYPE_WORDS[String(e.params.type)] ?? String(e.params.type);
    return e.instancePath === '' && dataVar === 'body' ? `body must be ${word}` : `must be ${word}`;
  }
  const own = e.parentSchema?.[ERROR_MESSAGE];
  return typeof own === 'string' ? own : (e.message ?? `fails ${e.keyword}`);
}

/**
 * fastify's `schemaErrorFormatter`: turns the first schema error into the answer the client
 * gets. Body and header errors are a ValidationError (400) naming the field's JSON pointer
 * (`/events/2/payload`, `/headers/idempotency-key`); a batch over the limit is a 413; a
 * transport that does not exist is a 404.
 */
export function schemaErrorToAppError(errors: readonly SchemaError[], dataVar: string): AppError {
  const [first] = relevant(errors);
  if (first === undefined) return new ValidationError(`${dataVar} is invalid`);
  if (dataVar === 'params') {
    const allowed = (first.parentSchema?.enum as string[] | undefined) ?? [];
    return new NotFoundError(`unknown transport "${String(first.data)}"; use ${orList(allowed)}`);
  }
  if (first.keyword === 'maxItems') {
    const got = Array.isArray(first.data) ? first.data.length : 'more';
    return new TooLargeError(
      `a batch holds at most ${String(first.params.limit)} events, got ${got}`,
    );
  }
  const path = fieldPath(first);
  return new ValidationError(
    messageOf(first, dataVar),
    dataVar === 'headers' ? `/headers${path}` : path,
  );
}
