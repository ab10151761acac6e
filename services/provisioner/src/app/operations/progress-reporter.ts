/**
 * Operations' progress lines, reported in batches, one batcher per process. A line waits at most
 * `batchMs` for the lines after it, its operation's and every other's; then every waiting line goes
 * out as one OperationsProgressed (an entry per operation). A step that takes longer than that (every
 * Proxmox task someone would watch) is reported while it runs; steps finishing within the window
 * share one event instead of costing one each (the outbox row, the relay's publish, each
 * consumer's delivery and transaction), and so do the operations running side by side: under a
 * burst, an event per window instead of one per operation and step. The lines of an operation still
 * waiting when it ends are written by the transaction that records its result, before it
 * (withResult).
 *
 * Progress is for the app's owner to follow, not state: a line is lost only with the process that
 * held it (the journal has the steps) or when the attempt lost the operation to another worker
 * (which reports from there on). A write that failed is tried again with the next batch.
 */
import type { OutboxInsert } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Db } from "../../db/database.js";
import { type EventOrigin, type ProgressLine, progressInsert } from "../../events/publish.js";

/** Lines of one operation in one event at most (a result's excepted); consumers keep 100. */
export const MAX_LINES_PER_OPERATION = 50;
/** Lines in one event at most: so many waiting are written at once. */
export const MAX_LINES_PER_EVENT = 250;
const MAX_RETRY_MS = 10_000;
/** The least pause unit after a failed write, whatever `batchMs` (0 included: no tight loop on an outage). */
const MIN_RETRY_MS = 250;

/** One attempt's reporting (reporterFor). */
export interface ProgressReporter {
  /** Queues a line; it is written within `batchMs` (with the lines that follow it meanwhile). */
  report(line: ProgressLine): void;
  /** Writes this attempt's waiting lines now (after a write already under way). Never throws. */
  flush(): Promise<void>;
  /**
   * Runs `write`, the transaction that records the operation's result, with the waiting lines'
   * outbox insert (null when none waits) to run in it before the result's, once a write under way
   * with lines of this attempt has finished. If `write` throws, the lines wait again (the failed
   * attempt reports them).
   */
  withResult<T>(write: (progress: OutboxInsert | null) => Promise<T>): Promise<T>;
  /** Ends reporting: waiting lines are dropped (flush first to keep them). */
  close(): void;
}

export interface ProgressBatcher {
  /** The reporter of one attempt of operation `origin`. */
  reporterFor(origin: EventOrigin): ProgressReporter;
  /** Writes every waiting line (tried once), then reports nothing more: at shutdown. */
  close(): Promise<void>;
}

/** An attempt's lines not written yet, and the write that took its last ones. */
interface Attempt {
  readonly origin: EventOrigin;
  waiting: ProgressLine[];
  /** Settles when the write that took lines of this attempt last has finished. */
  written: Promise<void>;
  /** Its result's transaction holds its lines: batch writes leave them alone meanwhile. */
  holding: boolean;
  closed: boolean;
}

export function createProgressBatcher(o: {
  readonly db: Db;
  readonly batchMs: number;
  readonly log: Logger;
}): ProgressBatcher {
  /** Attempts with lines waiting, oldest line first (a Set keeps insertion order). */
  const pending = new Set<Attempt>();
  let waitingLines = 0;
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
    timer.unref(); // attempts end with a flush, a result or close(): never the timer's business
  };
  /** Pause before the next try after `failures` failed writes (never 0: no tight loop on an outage). */
  const retryDelay = () => Math.min(Math.max(o.batchMs, MIN_RETRY_MS) * 2 ** failures, MAX_RETRY_MS);

  const queue = (a: Attempt, lines: readonly ProgressLine[], first: boolean) => {
    if (lines.length === 0 || a.closed) return;
    a.waiting = first ? [...lines, ...a.waiting] : [...a.waiting, ...lines];
    waitingLines += lines.length;
    pending.add(a);
  };
  const take = (a: Attempt, n: number): ProgressLine[] => {
    const lines = a.waiting.splice(0, n);
    waitingLines -= lines.length;
    if (a.waiting.length === 0) pending.delete(a);
    return lines;
  };
  /** Up to a whole event's lines, its operations' oldest first, none of an attempt whose result holds them. */
  const takeBatch = (): { attempt: Attempt; lines: ProgressLine[] }[] => {
    const batch: { attempt: Attempt; lines: ProgressLine[] }[] = [];
    let room = MAX_LINES_PER_EVENT;
    for (const a of [...pending]) {
      if (room === 0) break;
      if (a.holding) continue;
      const lines = take(a, Math.min(room, MAX_LINES_PER_OPERATION));
      room -= lines.length;
      batch.push({ attempt: a, lines });
    }
    return batch;
  };
  /** Whether a batch is due now rather than at the window's end (`a`: the attempt that just queued). */
  const full = (a?: Attempt) =>
    waitingLines >= MAX_LINES_PER_EVENT ||
    (a
      ? a.waiting.length >= MAX_LINES_PER_OPERATION
      : [...pending].some((p) => !p.holding && p.waiting.length >= MAX_LINES_PER_OPERATION));

  /** One batch write, in turn after the one under way (the chain never rejects). */
  const write = (): Promise<void> => {
    stopTimer();
    const turn = writing.then(async () => {
      const batch = takeBatch();
      if (batch.length === 0) return;
      let done!: () => void;
      const written = new Promise<void>((resolve) => (done = resolve));
      for (const { attempt } of batch) attempt.written = written;
      try {
        await progressInsert(
          batch.map(({ attempt, lines }) => ({ origin: attempt.origin, lines })),
        ).statement.execute(o.db);
        failures = 0;
        // Lines reported while this write was under way (or while writes failed): their own
        // window, or at once when many. A retry's timer still set is theirs no longer.
        stopTimer();
        if (full()) void write();
        else if (pending.size > 0) startTimer(o.batchMs);
      } catch (err) {
        for (const { attempt, lines } of batch) queue(attempt, lines, true); // a closed attempt's are dropped
        if (closed) return;
        if (failures++ === 0)
          o.log.warn(
            { err, operations: batch.length, lines: batch.reduce((n, b) => n + b.lines.length, 0) },
            "could not record progress; trying again",
          );
        stopTimer(); // a line's window set while this write was under way: the backoff decides
        if (pending.size > 0) startTimer(retryDelay());
      } finally {
        done();
      }
    });
    writing = turn.catch(() => undefined);
    return writing;
  };

  const reporterFor = (origin: EventOrigin): ProgressReporter => {
    const a: Attempt = { origin, waiting: [], written: Promise.resolve(), holding: false, closed: false };
    return {
      report(line) {
        if (a.closed || closed) return;
        queue(a, [line], false);
        if (a.holding) return; // written by its result, or given back to a batch if that fails
        // While writes fail, the retry's backoff decides when the next one goes (a timer is set
        // unless one is: a result's transaction may have taken the last lines).
        if (failures > 0) return startTimer(retryDelay());
        if (full(a)) void write();
        else startTimer(o.batchMs);
      },
      async flush() {
        // Every waiting line of this attempt (the batches may carry others' too), each batch at
        // most a whole event's worth; while writes fail, the lines wait for the retry.
        do {
          await write();
        } while (a.waiting.length > 0 && failures === 0 && !a.holding && !a.closed && !closed);
      },
      async withResult(writeResult) {
        // Batch writes skip this attempt from now on, and the one that took its last lines ends
        // first: its lines reach the outbox before the result.
        a.holding = true;
        try {
          await a.written;
          const lines = take(a, a.waiting.length);
          try {
            return await writeResult(lines.length === 0 ? null : progressInsert([{ origin, lines }]));
          } catch (err) {
            queue(a, lines, true);
            throw err;
          }
        } finally {
          a.holding = false;
          if (pending.has(a)) startTimer(failures > 0 ? retryDelay() : o.batchMs);
        }
      },
      close() {
        a.closed = true;
        waitingLines -= a.waiting.length;
        a.waiting = [];
        pending.delete(a);
      },
    };
  };

  return {
    reporterFor,
    async close() {
      stopTimer();
      if (waitingLines > 0) await write();
      closed = true;
      stopTimer();
      await writing;
    },
  };
}
