/**
 * The deadline of a backup or restore request (`not_after`): after it the applications service has
 * failed the operation and handed the app back to its owner. Requests from producers that predate
 * the field carry none and have no deadline.
 */

/** Whether `notAfter` has passed at `now` (never, without one). */
export function deadlinePassed(notAfter: Date | undefined, now: Date): boolean {
  return notAfter !== undefined && now.getTime() > notAfter.getTime();
}
