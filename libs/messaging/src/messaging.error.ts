export type MessagingErrorCode = 'UNROUTABLE' | 'NACKED' | 'UNAVAILABLE';

export class MessagingError extends Error {
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MessagingError';
  }
}
