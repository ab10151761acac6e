/**
 * The app's status changed between reading it and the guarded update. Thrown (not swallowed) so
 * the transaction and its inbox row roll back and the consumer redelivers the event, which is
 * then judged against the new status.
 */
export class ConcurrentChangeError extends Error {
  constructor(appId: string) {
    super(`app ${appId} changed concurrently; the event will be redelivered`);
    this.name = "ConcurrentChangeError";
  }
}
