/**
 * Worker tasks. A task starts synchronously (the caller sets locks first, then gets the UPID back),
 * runs for `durationMs`, then applies its effect. A task of no duration still ends after its UPID
 * is answered, as a forked worker does, but as soon as the answer is out (setImmediate), not after
 * a timer's 1-ms minimum: a status asked for straight after the start would otherwise find it
 * running and make the client wait its whole poll interval, a delay no Proxmox would add. A failing task logs `TASK ERROR: <msg>` and runs
 * the caller's rollback, as PVE removes a half-created CT's config.
 */
import { formatUpid, type UpidParts } from "./upid.js";

export interface TaskRecord extends UpidParts {
  readonly upid: string;
  status: "running" | "stopped";
  exitstatus: string | undefined;
  endtime: number | undefined;
  readonly log: string[];
}

export interface TaskSpec {
  readonly node: string;
  readonly type: string;
  readonly id: string;
  readonly user: string;
  /**
   * What the worker checks as it begins (its configuration, its lock), right after the UPID is
   * answered: throwing fails the task then, without its duration, and `run` never runs.
   */
  readonly check?: () => void;
  /** Applies the task's effect; may log lines; throwing fails the task with the error's message. */
  readonly run: (log: (line: string) => void) => void;
  /** Undoes what the start did (locks, half-created config) when the task fails. */
  readonly rollback?: () => void;
  /** When set, the task fails with this message instead of running (an injected fault). */
  readonly failWith?: string;
}

export interface TaskRegistry {
  start(spec: TaskSpec): string;
  get(upid: string): TaskRecord | undefined;
  list(node: string): TaskRecord[];
  /** Cancels the timers of tasks still running (simulator shutdown). */
  stop(): void;
}

/** Creates the registry; every task runs `durationMs`. */
export function createTaskRegistry(durationMs: number): TaskRegistry {
  return new TaskRegistryImpl(durationMs);
}

class TaskRegistryImpl implements TaskRegistry {
  readonly #tasks = new Map<string, TaskRecord>();
  /** Cancels each task still to finish. */
  readonly #pending = new Set<() => void>();
  readonly #durationMs: number;
  // A fake pveproxy worker pid and process start time, bumped per task like real forks.
  #pid = 0x1000 + Math.floor(Math.random() * 0x8000);
  readonly #pstart = 0x100000 + Math.floor(Math.random() * 0xffffff);
  #lastStart = 0;

  constructor(durationMs: number) {
    this.#durationMs = durationMs;
  }

  start(spec: TaskSpec): string {
    this.#pid++;
    // Keep starttimes strictly increasing so task lists sort like the real index.
    const starttime = Math.max(Math.floor(Date.now() / 1000), this.#lastStart);
    this.#lastStart = starttime;
    const parts = {
      node: spec.node,
      pid: this.#pid,
      pstart: this.#pstart,
      starttime,
      type: spec.type,
      id: spec.id,
      user: spec.user,
    };
    const upid = formatUpid(parts);
    const task: TaskRecord = {
      ...parts,
      upid,
      status: "running",
      exitstatus: undefined,
      endtime: undefined,
      log: [],
    };
    this.#tasks.set(upid, task);
    const refused = this.#check(spec);
    const finish = () => {
      this.#pending.delete(cancel);
      this.#finish(task, refused === undefined ? spec : { ...spec, failWith: refused });
    };
    let cancel: () => void;
    if (this.#durationMs === 0 || refused !== undefined) {
      const immediate = setImmediate(finish);
      cancel = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(finish, this.#durationMs);
      cancel = () => clearTimeout(timer);
    }
    this.#pending.add(cancel);
    return upid;
  }

  /** The message of the worker's check that failed, if one did. */
  #check(spec: TaskSpec): string | undefined {
    try {
      spec.check?.();
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  #finish(task: TaskRecord, spec: TaskSpec): void {
    const log = (line: string) => task.log.push(line);
    let error: string | undefined = spec.failWith;
    if (error === undefined) {
      try {
        spec.run(log);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    if (error !== undefined) {
      spec.rollback?.();
      log(`TASK ERROR: ${error}`);
      task.exitstatus = error;
    } else {
      log("TASK OK");
      task.exitstatus = "OK";
    }
    task.status = "stopped";
    task.endtime = Math.floor(Date.now() / 1000);
  }

  get(upid: string): TaskRecord | undefined {
    return this.#tasks.get(upid);
  }

  list(node: string): TaskRecord[] {
    return [...this.#tasks.values()].filter((t) => t.node === node).sort((a, b) => b.starttime - a.starttime);
  }

  stop(): void {
    for (const cancel of this.#pending) cancel();
    this.#pending.clear();
  }
}
