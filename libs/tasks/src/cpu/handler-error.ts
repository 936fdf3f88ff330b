/** A handler's failure with a code; `retryable` asks the gateway to schedule another attempt. */
export class HandlerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'HandlerError';
  }
}

/** Thrown by `throwIfCancelled()`; the worker reports the attempt as cancelled. */
export class TaskCancelled extends HandlerError {
  constructor() {
    super('cancelled while running', 'CANCELLED', false);
    this.name = 'TaskCancelled';
  }
}
