/**
 * An attempt's progress lines, reported in batches. A line waits at most `batchMs` for the lines
 * after it; then every waiting line goes out as one OperationProgressed. A step that takes longer
 * than that (every Proxmox task someone would watch) is reported while it runs; steps finishing
 * within the window share one event instead of costing one each (the outbox row, the relay's
 * publish, each consumer's delivery and transaction). Lines still waiting when the operation ends
 * are written by the transaction that records its result, before it (takeForResult).
 *
 * Progress is for the app's owner to follow, not state: a line is lost only with the process that
 * held it (the journal has the steps), and one whose write failed is written with the next batch.
 */
import type { OutboxInsert } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Db } from "../../db/database.js";
import { type EventOrigin, type ProgressLine, progressInsert } from "../../events/publish.js";

export interface ProgressReporter {
  /** Queues a line; it is written within `batchMs` (with the lines that follow it meanwhile). */
  report(line: ProgressLine): void;
  /** Writes the waiting lines now (after a write already under way). Never throws. */
  flush(): Promise<void>;
  /**
   * Ends reporting for the transaction that records the operation's result: the waiting lines'
   * outbox insert (null when none waits), to run in that transaction before the result's, after
   * any write under way has finished. Lines reported later are written on their own.
   */
  takeForResult(): Promise<OutboxInsert | null>;
  /** Stops the timer; waiting lines are dropped (flush first to keep them). */
  close(): void;
}

export function createProgressReporter(o: {
  readonly db: Db;
  readonly origin: EventOrigin;
  readonly batchMs: number;
  readonly log: Logger;
}): ProgressReporter {
  let waiting: ProgressLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const stopTimer = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const write = (): Promise<void> => {
    stopTimer();
    writing = writing.then(async () => {
      const lines = waiting;
      waiting = [];
      if (lines.length === 0) return;
      try {
        await progressInsert(o.origin, lines).statement.execute(o.db);
      } catch (err) {
        waiting = [...lines, ...waiting]; // tried again with the next batch
        o.log.warn({ err, lines: lines.length }, "could not record progress; kept for the next batch");
      }
    });
    return writing;
  };

  return {
    report(line) {
      waiting.push(line);
      if (!timer) timer = setTimeout(write, o.batchMs);
    },
    flush: write,
    async takeForResult() {
      stopTimer();
      await writing;
      const lines = waiting;
      waiting = [];
      return lines.length === 0 ? null : progressInsert(o.origin, lines);
    },
    close: stopTimer,
  };
}
