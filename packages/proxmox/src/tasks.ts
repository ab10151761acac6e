/**
 * Waiting for Proxmox tasks: polls the task status with a growing interval until it stops or the
 * deadline passes, and turns a failed task into a TaskFailedError carrying the end of its log.
 *
 * The interval grows by half each poll, up to 1 s while the task is young and a tenth of its age
 * once older, at most `maxIntervalMs` (5 s): a task is seen stopped at most half its age late, 1 s
 * for one of seconds (a `pct create` or `start`), a tenth of its age for a long one (a backup's
 * hours: one read every 5 s). Doubling to a flat 2 s saw a 2-s `pct start` 1.75 s late (polls at
 * 0.25, 0.75, 1.75, 3.75 s), twice per deploy. A status read is a small file read for pveproxy.
 */
import { DeadlineExceededError, isTransient } from "@proximity/errors";
import type { TaskStatus, Upid, WaitForTaskOptions } from "./api.js";
import { TaskFailedError } from "./errors.js";
import { parseUpid } from "./upid.js";

/** What waiting needs from the client. */
export interface TaskSource {
  taskStatus(node: string, upid: Upid): Promise<TaskStatus>;
  /** The last `lines` lines of the task log. */
  taskLogTail(node: string, upid: Upid, lines: number): Promise<string[]>;
}

/** Each poll's wait is this many times the last one's, up to the cap (nextPollInterval). */
const INTERVAL_GROWTH = 1.5;
/** The cap for a young task, and the share of its age it becomes for an older one. */
const YOUNG_TASK_CAP_MS = 1_000;
const AGE_SHARE = 0.1;
const DEFAULT_MAX_INTERVAL_MS = 5_000;

/**
 * The wait before the next status read of a task polled `ageMs` so far, after a wait of `lastMs`:
 * half again as long, at most 1 s or a tenth of the age (the larger), never over `maxMs`.
 */
export function nextPollInterval(lastMs: number, ageMs: number, maxMs: number): number {
  return Math.min(lastMs * INTERVAL_GROWTH, Math.max(YOUNG_TASK_CAP_MS, ageMs * AGE_SHARE), maxMs);
}

/** Lines of the task log kept on a TaskFailedError. */
export const TASK_LOG_TAIL_LINES = 20;

/** True for the exit statuses Proxmox uses for success ("OK", "WARNINGS: n"). */
export function isTaskSuccess(exitstatus: string | undefined): boolean {
  return exitstatus === "OK" || /^WARNINGS: \d+$/.test(exitstatus ?? "");
}

/** Polls `upid` until it stops; see ProxmoxClient.waitForTask. */
export async function waitForTask(
  source: TaskSource,
  upid: Upid,
  options: WaitForTaskOptions = {},
): Promise<TaskStatus> {
  const { node, type } = parseUpid(upid);
  const began = Date.now();
  const deadline = began + (options.timeoutMs ?? 10 * 60_000);
  const maxInterval = options.maxIntervalMs ?? DEFAULT_MAX_INTERVAL_MS;
  let interval = options.intervalMs ?? 250;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const status = await source.taskStatus(node, upid);
      if (status.status === "stopped") {
        if (isTaskSuccess(status.exitstatus)) return status;
        // The tail is best effort: a failed task must be reported even if its log cannot be read.
        const logTail = await source.taskLogTail(node, upid, TASK_LOG_TAIL_LINES).catch(() => []);
        throw new TaskFailedError({ upid, type, exitstatus: status.exitstatus ?? "unknown", logTail });
      }
    } catch (err) {
      // The host may blip during a long task; only transient errors are worth polling through.
      if (!isTransient(err)) throw err;
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0)
      throw new DeadlineExceededError(`Timed out waiting for the Proxmox task ${type}`, lastError);
    await sleep(Math.min(interval, left), options.signal);
    interval = nextPollInterval(interval, Date.now() - began, maxInterval);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
