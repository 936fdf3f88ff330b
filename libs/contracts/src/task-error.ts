/** The error a task ends with, as stored and as reported by a worker. */
export interface TaskErrorInfo {
  message: string;
  code: string;
  retryable: boolean;
}
