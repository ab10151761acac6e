/**
 * Operations' progress lines, reported in batches, one batcher per process. A line waits at most
 * `batchMs` for the lines after it, its operation's and every other's; then every waiting line goes
 * out as one OperationsProgressed (an entry per operation). A step that takes longer than that (every
 * Proxmox task someone would watch) is reported while it runs; steps finishing within the window
 * share one event instead of costing one each (the outbox row, the relay's publish, each
 * consumer's delivery and transaction), and so do the operations running side by side: under a
 * burst, an event per window instead of one per operation and step. The lines of an operation still
 * waiting when it ends travel with its result (withResult).
 *
 * Progress is for the app's owner to follow, not state: a line is lost with the process that held
 * it (the journal has the steps), when the attempt lost the operation to another worker (which
 * reports from there on), or when writes still fail as its attempt ends. A write that failed is
 * tried again with backoff.
 */
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
  /**
   * Queues a line; it is written within `batchMs` (with the lines that follow it meanwhile), or
   * later while writes fail (with backoff), or with the result.
   */
  report(line: ProgressLine): void;
  /**
   * Writes this attempt's waiting lines now (after a write under way that holds some), those a
   * failed result gave back included. Never throws.
   */
  flush(): Promise<void>;
  /**
   * Runs `write`, the statement that records the operation's result, with the lines still waiting
   * (the result carries them, 50 at most: more go in batches first), once a write under way with
   * lines of this attempt has finished. If `write` throws, the lines wait again, for the failed
   * attempt's flush (or close, which drops them).
   */
  withResult<T>(write: (lines: readonly ProgressLine[]) => Promise<T>): Promise<T>;
  /** Ends reporting: waiting lines are dropped (flush first to keep them). */
  close(): void;
}

export interface ProgressBatcher {
  /** The reporter of one attempt of operation `origin`. */
  reporterFor(origin: EventOrigin): ProgressReporter;
  /** Writes every waiting line (while writes succeed), then reports nothing more: at shutdown. */
  close(): Promise<void>;
}

/** An attempt's lines not written yet, and the write that took its last ones. */
interface Reporting {
  readonly origin: EventOrigin;
  waiting: ProgressLine[];
  /** Settles when the write that took lines of this attempt last has finished. */
  written: Promise<void>;
  /** Its result's statement holds its lines: batch writes leave them alone meanwhile. */
  holding: boolean;
  closed: boolean;
}

export function createProgressBatcher(o: {
  readonly db: Db;
  readonly batchMs: number;
  readonly log: Logger;
}): ProgressBatcher {
  /** Attempts with lines waiting, in the order they began to wait (a Set keeps insertion order). */
  const pending = new Set<Reporting>();
  let waitingLines = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The chain of writes (never rejects), and the write queued behind it, not started yet. */
  let writing: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
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

  const queue = (r: Reporting, lines: readonly ProgressLine[], first: boolean) => {
    if (lines.length === 0 || r.closed) return;
    if (first) r.waiting.unshift(...lines);
    else r.waiting.push(...lines);
    waitingLines += lines.length;
    pending.add(r);
  };
  const take = (r: Reporting, n: number): ProgressLine[] => {
    const lines = r.waiting.splice(0, n);
    waitingLines -= lines.length;
    if (r.waiting.length === 0) pending.delete(r);
    return lines;
  };
  /** Up to a whole event's lines, none of an attempt whose result holds them. */
  const takeBatch = (): { reporting: Reporting; lines: ProgressLine[] }[] => {
    const batch: { reporting: Reporting; lines: ProgressLine[] }[] = [];
    let room = MAX_LINES_PER_EVENT;
    for (const r of [...pending]) {
      if (room === 0) break;
      if (r.holding) continue;
      const lines = take(r, Math.min(room, MAX_LINES_PER_OPERATION));
      room -= lines.length;
      batch.push({ reporting: r, lines });
    }
    return batch;
  };
  /** Whether a batch may go: some attempt's lines wait that no result holds. */
  const writable = () => [...pending].some((r) => !r.holding);
  /** Lines waiting that a batch may take (none that a result holds). */
  const writableLines = () => [...pending].reduce((n, p) => (p.holding ? n : n + p.waiting.length), 0);
  /** Whether a batch is due now rather than at the window's end (`r`: the attempt that just queued). */
  const full = (r?: Reporting) =>
    (waitingLines >= MAX_LINES_PER_EVENT && writableLines() >= MAX_LINES_PER_EVENT) ||
    (r
      ? r.waiting.length >= MAX_LINES_PER_OPERATION
      : [...pending].some((p) => !p.holding && p.waiting.length >= MAX_LINES_PER_OPERATION));

  /**
   * One batch write, in turn after the one under way: the batch is taken when the write starts, so
   * calls made while one is queued share it (a burst of lines is one write, not one per line).
   */
  const write = (): Promise<void> => {
    stopTimer();
    if (queued) return queued;
    const turn = writing.then(async () => {
      queued = undefined;
      const batch = takeBatch();
      if (batch.length === 0) return;
      let done!: () => void;
      const written = new Promise<void>((resolve) => (done = resolve));
      for (const { reporting } of batch) reporting.written = written;
      try {
        await progressInsert(
          batch.map(({ reporting, lines }) => ({ origin: reporting.origin, lines })),
        ).statement.execute(o.db);
        failures = 0;
        // Lines reported while this write was under way (or while writes failed): their own
        // window, or at once when many. A retry's timer still set is theirs no longer.
        stopTimer();
        if (full()) void write();
        else if (pending.size > 0) startTimer(o.batchMs);
      } catch (err) {
        for (const { reporting, lines } of batch) queue(reporting, lines, true); // a closed attempt's are dropped
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
    queued = writing;
    return writing;
  };

  /**
   * Writes `r`'s waiting lines now: a write under way with some of them ends first; then they go
   * (with any others waiting), a whole event at a time; while writes fail, one try. Nothing is
   * written for an attempt with nothing waiting: the others' lines keep their window.
   */
  const flush = async (r: Reporting): Promise<void> => {
    r.holding = false; // lines a failed result gave back go now
    await r.written;
    if (r.waiting.length === 0) return;
    do {
      await write();
    } while (r.waiting.length > 0 && failures === 0 && !r.holding && !r.closed && !closed);
  };

  const reporterFor = (origin: EventOrigin): ProgressReporter => {
    const r: Reporting = { origin, waiting: [], written: Promise.resolve(), holding: false, closed: false };
    return {
      report(line) {
        if (r.closed || closed) return;
        queue(r, [line], false);
        if (r.holding) return; // goes with its result, or back to batches if that fails
        // While writes fail, the retry's backoff decides when the next one goes (a timer is set
        // unless one is: a result's statement may have taken the last lines).
        if (failures > 0) return startTimer(retryDelay());
        if (full(r)) void write();
        else startTimer(o.batchMs);
      },
      flush: () => flush(r),
      async withResult(writeResult) {
        // Lines beyond what a result carries (piled up while writes failed) go in batches first.
        if (r.waiting.length > MAX_LINES_PER_OPERATION) await flush(r);
        // Batch writes skip this attempt from now on, and the one that took its last lines ends
        // first: its lines reach the outbox before the result.
        r.holding = true;
        await r.written;
        const lines = take(r, r.waiting.length);
        const carried = lines.slice(-MAX_LINES_PER_OPERATION);
        if (carried.length < lines.length)
          o.log.warn(
            { operationId: origin.operationId, dropped: lines.length - carried.length },
            "more progress lines than a result carries; the oldest dropped",
          );
        try {
          const result = await writeResult(carried);
          r.holding = false;
          if (pending.has(r)) startTimer(o.batchMs); // lines reported meanwhile (none in practice)
          return result;
        } catch (err) {
          // The lines wait again, still held: the failed attempt decides whether they go (its
          // flush) or not (close: it lost the operation, so nothing more from it).
          queue(r, lines, true);
          throw err;
        }
      },
      close() {
        r.closed = true;
        waitingLines -= r.waiting.length;
        r.waiting = [];
        pending.delete(r);
      },
    };
  };

  return {
    reporterFor,
    async close() {
      // Every line waiting, a whole event at a time, while writes succeed (one try after failures).
      if (writable())
        do {
          await write();
        } while (writable() && failures === 0);
      closed = true;
      stopTimer();
      await writing;
    },
  };
}
