/**
 * One error family for the whole project. Callers branch on the class or on `code`,
 * never on message text. `retriable` says whether the same operation may succeed if tried
 * again unchanged (a broker that is down) or never will (bad input).
 */
export interface AppErrorOptions {
  retriable?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Input that can never be accepted as it is (HTTP 4xx). */
export class ValidationError extends AppError {
  /** Path of the offending field, e.g. `/events/3/id`. */
  readonly path: string;
  constructor(message: string, path = '', options: AppErrorOptions = {}) {
    super('VALIDATION', message, options);
    this.path = path;
  }
}

/** A configuration value is missing or malformed; the message names the variable. */
export class ConfigError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('CONFIG', message, options);
  }
}

/** Nothing was sent: the broker is not reachable. The event will never be processed. */
export class NotSentError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('NOT_SENT', message, { retriable: true, ...options });
  }
}

/** The request was sent but no acknowledgement came in time: the outcome is unknown. */
export class IndeterminateError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('INDETERMINATE', message, { retriable: true, ...options });
  }
}

/** A prerequisite for the embedded infrastructure is missing (Java, Maven, Go, Redis). */
export class PrerequisiteError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('PREREQUISITE', message, options);
  }
}

/** The handler can never succeed for this event: dead-letter it without more retries. */
export class PermanentHandlerError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('PERMANENT', message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
