/**
 * An attempt's progress lines, reported in batches. A line waits at most `batchMs` for the lines
 * after it; then every waiting line goes out as one OperationProgressed. A step that takes longer
 * than that (every Proxmox task someone would watch) is reported while it runs; steps finishing
 * within the window share one event instead of costing one each (the outbox row, the relay's
 * publish, each consumer's delivery and transaction). The lines still waiting when the operation
 * ends are written by the transaction that records its result, before it (withResult).
 *
 * Progress is for the app's owner to follow, not state: a line is lost only with the process that
 * held it (the journal has the steps) or when the attempt lost the operation to another worker
 * (which reports from there on). A write that failed is tried again with the next batch.
 */
import type { OutboxInsert } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Db } from "../../db/database.js";
import { type EventOrigin, type ProgressLine, progressInsert } from "../../events/publish.js";

/** Lines in one event at most (a result's excepted): so many waiting are written at once; consumers keep 100. */
export const MAX_LINES_PER_EVENT = 50;
const MAX_RETRY_MS = 10_000;
/** The least pause unit after a failed write, whatever `batchMs` (0 included: no tight loop on an outage). */
const MIN_RETRY_MS = 250;

export interface ProgressReporter {
  /** Queues a line; it is written within `batchMs` (with the lines that follow it meanwhile). */
  report(line: ProgressLine): void;
  /** Writes the waiting lines now (after a write already under way). Never throws. */
  flush(): Promise<void>;
  /**
   * Runs `write`, the transaction that records the operation's result, with the waiting lines'
   * outbox insert (null when none waits) to run in it before the result's, once any write under
   * way has finished. If `write` throws, the lines wait again (the failed attempt reports them).
   */
  withResult<T>(write: (progress: OutboxInsert | null) => Promise<T>): Promise<T>;
  /** Ends reporting: the timer stops, waiting lines are dropped (flush first to keep them). */
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
  let failures = 0;
  let closed = false;

  const stopTimer = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const startTimer = (ms: number) => {
    if (timer || closed) return;
    timer = setTimeout(write, ms);
    timer.unref(); // the attempt ends with a flush, a result or close(): never the timer's business
  };
  /** Runs `task` after every write before it (the chain never rejects); its own result. */
  const inTurn = <T>(task: () => Promise<T>): Promise<T> => {
    const turn = writing.then(task);
    writing = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  };
  /** Pause before the next try after `failures` failed writes (never 0: no tight loop on an outage). */
  const retryDelay = () => Math.min(Math.max(o.batchMs, MIN_RETRY_MS) * 2 ** failures, MAX_RETRY_MS);
  const write = (): Promise<void> => {
    stopTimer();
    return inTurn(async () => {
      const lines = waiting.splice(0, MAX_LINES_PER_EVENT);
      if (lines.length === 0) return;
      try {
        await progressInsert(o.origin, lines).statement.execute(o.db);
        failures = 0;
        // Lines reported while this write was under way (or while writes failed): their own
        // window, or at once when many. A retry's timer still set is theirs no longer.
        stopTimer();
        if (waiting.length >= MAX_LINES_PER_EVENT) void write();
        else if (waiting.length > 0) startTimer(o.batchMs);
      } catch (err) {
        if (closed) return; // the attempt is over: nothing more from it
        waiting = [...lines, ...waiting];
        if (failures++ === 0)
          o.log.warn({ err, lines: lines.length }, "could not record progress; trying again");
        stopTimer(); // a line's window set while this write was under way: the backoff decides
        startTimer(retryDelay());
      }
    });
  };

  return {
    report(line) {
      if (closed) return;
      waiting.push(line);
      // While writes fail, the retry's backoff decides when the next one goes (a timer is set
      // unless one is: a result's transaction may have taken the last one).
      if (failures > 0) return startTimer(retryDelay());
      if (waiting.length >= MAX_LINES_PER_EVENT) void write();
      else startTimer(o.batchMs);
    },
    async flush() {
      // Every waiting line, 50 to an event (lines queued while writes failed may be more).
      do {
        await write();
      } while (waiting.length > 0 && failures === 0 && !closed);
    },
    withResult(writeResult) {
      stopTimer();
      // In turn with the other writes: none starts while the result is written, so lines given
      // back by a failed result still come before any written later.
      return inTurn(async () => {
        stopTimer();
        const lines = waiting;
        waiting = [];
        try {
          return await writeResult(lines.length === 0 ? null : progressInsert(o.origin, lines));
        } catch (err) {
          waiting = [...lines, ...waiting];
          throw err;
        }
      });
    },
    close() {
      closed = true;
      stopTimer();
      waiting = [];
    },
  };
}
