/**
 * Everything the HTTP routes and SSH commands share: the cluster state, tasks, storages, faults and
 * the command log. Built once per simulator by simulator.ts.
 */
import type { SimCommand } from "./api.js";
import type { FaultRegistry } from "./faults.js";
import type { Authenticator } from "./http/auth.js";
import type { Cluster } from "./state/cluster.js";
import type { StorageState } from "./state/storage.js";
import type { TaskRegistry } from "./state/tasks.js";

export interface SimContext {
  readonly cluster: Cluster;
  readonly tasks: TaskRegistry;
  readonly storage: StorageState;
  readonly faults: FaultRegistry;
  readonly auth: Authenticator;
  /** Commands the nodes' SSH servers received, oldest first (see recordCommand). */
  readonly commands: CommandRecord[];
  /** What the simulator was asked, counted since it started (benchmarks read it: `/_sim/counts`). */
  readonly counts: SimCounts;
}

/** Requests and commands received, as benchmarks count work per operation. */
export interface SimCounts {
  /**
   * API requests by route (`POST /nodes/{node}/lxc`), `<method> (no route)` for paths it does not
   * serve; counted as they arrive, those a fault resets or fails too (not while the host is down).
   */
  readonly api: Map<string, number>;
  /** Commands the nodes' SSH servers received (every one, unlike the command log). */
  commands: number;
}

/** Counts one API request to `route` (a route's method and path pattern). */
export function countRequest(sim: SimContext, route: string): void {
  sim.counts.api.set(route, (sim.counts.api.get(route) ?? 0) + 1);
}

/** A SimCommand still being filled in (the exit status arrives after the command ran). */
export type CommandRecord = { -readonly [K in keyof SimCommand]: SimCommand[K] };

const MAX_COMMANDS = 10_000;

/**
 * Records a command as it arrives and returns the record to complete. The log keeps the newest
 * MAX_COMMANDS, trimmed in batches so that a full log does not cost a shift per command.
 */
export function recordCommand(sim: SimContext, entry: Omit<CommandRecord, "exitCode" | "at">): CommandRecord {
  const record: CommandRecord = { ...entry, exitCode: null, at: new Date().toISOString() };
  sim.counts.commands += 1;
  sim.commands.push(record);
  if (sim.commands.length > MAX_COMMANDS + MAX_COMMANDS / 10) {
    sim.commands.splice(0, sim.commands.length - MAX_COMMANDS);
  }
  return record;
}

/** What a route needs to start a task (the request is matched against task-failure faults). */
export interface TaskStart {
  readonly node: string;
  readonly type: string;
  readonly id: string;
  readonly user: string;
  readonly request: { readonly method: string; readonly path: string };
  /** The worker's checks as it begins (state/tasks.ts TaskSpec.check). */
  readonly check?: () => void;
  readonly run: (log: (line: string) => void) => void;
  readonly rollback?: () => void;
}

/** Starts a task, failing it when a task-failure fault matches. Returns the UPID. */
export function startTask(sim: SimContext, t: TaskStart): string {
  const failWith = sim.faults.forTask(t.type, t.request.method, t.request.path);
  return sim.tasks.start({
    node: t.node,
    type: t.type,
    id: t.id,
    user: t.user,
    run: t.run,
    ...(t.check ? { check: t.check } : {}),
    ...(t.rollback ? { rollback: t.rollback } : {}),
    ...(failWith !== undefined ? { failWith } : {}),
  });
}
