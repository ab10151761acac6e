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
  readonly commands: SimCommand[];
}

/** What a route needs to start a task (the request is matched against task-failure faults). */
export interface TaskStart {
  readonly node: string;
  readonly type: string;
  readonly id: string;
  readonly user: string;
  readonly request: { readonly method: string; readonly path: string };
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
    ...(t.rollback ? { rollback: t.rollback } : {}),
    ...(failWith !== undefined ? { failWith } : {}),
  });
}
