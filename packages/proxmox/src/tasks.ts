/**
 * Waiting for Proxmox tasks: polls the task status with a doubling interval until it stops or the
 * deadline passes, and turns a failed task into a TaskFailedError carrying the end of its log.
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
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  const maxInterval = options.maxIntervalMs ?? 2_000;
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
    interval = Math.min(interval * 2, maxInterval);
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
