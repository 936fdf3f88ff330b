/** Codes every area's error class shares, so one filter can map them to HTTP. */
export type ErrorCode =
  'VALIDATION' | 'NOT_FOUND' | 'CONFLICT' | 'UNPROCESSABLE' | 'UNAVAILABLE' | 'TOO_LARGE' | 'UPSTREAM';

export const HTTP_STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  /** Well-formed, but it contradicts what was asked before (say, an Idempotency-Key reused). */
  UNPROCESSABLE: 422,
  /** An outside provider failed the request (say, the rate provider). */
  UPSTREAM: 502,
  UNAVAILABLE: 503,
};

/** Base of the one error class each area has (TasksError, ...). */
export abstract class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
