/**
 * What a chaos run leaves behind, read from the platform's database (as its superuser), the
 * simulator's control API and the bus's dead-letter stream: whether every operation ended, and
 * whether containers, VMIDs and ports still agree with the apps.
 */
import { IN_FLIGHT_STATUSES } from "@proximity/applications";
import { connectBusAdmin, readBusAdminSeed, streamName } from "@proximity/bus";
import type pg from "pg";

export interface Busy {
  /** Apps in an in-flight status, or holding an operation. */
  readonly apps: number;
  /** applications.app_operations still running. */
  readonly appOperations: number;
  /** provisioner.operations still running. */
  readonly provisionerOperations: number;
  /** Backups pending, running or deleting. */
  readonly backups: number;
}

/** What is still in flight; all 0 once the platform has settled. */
export async function busy(db: pg.Pool): Promise<Busy> {
  const { rows } = await db.query<Record<keyof Busy, string>>(
    `select
       (select count(*) from applications.apps
         where status = any($1) or current_operation is not null) as apps,
       (select count(*) from applications.app_operations where status = 'running') as "appOperations",
       (select count(*) from provisioner.operations where status = 'running') as "provisionerOperations",
       (select count(*) from backups.backups where status in ('pending', 'running', 'deleting')) as backups`,
    [IN_FLIGHT_STATUSES],
  );
  const r = rows[0]!;
  return {
    apps: Number(r.apps),
    appOperations: Number(r.appOperations),
    provisionerOperations: Number(r.provisionerOperations),
    backups: Number(r.backups),
  };
}

export const busyTotal = (b: Busy) => b.apps + b.appOperations + b.provisionerOperations + b.backups;

export interface Audit {
  /** Operations the applications service recorded, and how many of them ended. */
  readonly operations: number;
  readonly terminal: number;
  readonly byResult: Record<string, number>;
  readonly appsByStatus: Record<string, number>;
  /** Live apps sharing a (host, VMID) with another live app. */
  readonly duplicateVmids: number;
  /** Containers in the simulator that no live app holds. */
  readonly orphanContainers: number;
  /** Running or stopped apps whose container is not in the simulator. */
  readonly appsWithoutContainer: number;
  /** Allocated ports held by deleted (or vanished) apps. */
  readonly leakedPorts: number;
  readonly deadLetters: number;
  /** Of them, max-deliveries advisories: a process died during a message's last delivery. */
  readonly advisories: number;
  /** Provisioner operations that ended failed (each gives its request's dead letter). */
  readonly failedOperations: number;
  readonly deadLetterSubjects: Record<string, number>;
  readonly stuck: Busy;
  /** Examples of what did not add up (app ids, VMIDs), to start an investigation from. */
  readonly examples: string[];
}

export async function audit(
  db: pg.Pool,
  o: { simulatorAdminUrl: string; natsUrl: string; stateDir: string; busNamespace: string },
): Promise<Audit> {
  const examples: string[] = [];
  const group = async (sql: string) => {
    const { rows } = await db.query<{ k: string; n: string }>(sql);
    return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  };
  const byResult = await group(
    "select status as k, count(*) as n from applications.app_operations group by 1",
  );
  const appsByStatus = await group("select status as k, count(*) as n from applications.apps group by 1");
  const operations = Object.values(byResult).reduce((a, b) => a + b, 0);

  const dup = await db.query<{ host_id: string; vmid: number; ids: string[] }>(
    `select host_id, vmid, array_agg(id::text) as ids from applications.apps
      where vmid is not null and status <> 'gone' group by 1, 2 having count(*) > 1`,
  );
  for (const d of dup.rows.slice(0, 3)) examples.push(`VMID ${d.vmid} held by apps ${d.ids.join(", ")}`);

  const containers = await containerMismatch(db, o.simulatorAdminUrl);
  examples.push(...containers.examples);

  const leaked = await db.query<{ app_id: string; port: number }>(
    `select pa.app_id::text, pa.port from applications.port_allocations pa
       left join applications.apps a on a.id = pa.app_id where a.id is null or a.status = 'gone'`,
  );
  for (const p of leaked.rows.slice(0, 3))
    examples.push(`port ${p.port} still held by deleted app ${p.app_id}`);

  const stuck = await busy(db);
  if (busyTotal(stuck) > 0) {
    const { rows } = await db.query<{ id: string; status: string; current_operation: string | null }>(
      `select id::text, status, current_operation from applications.apps
        where status = any($1) or current_operation is not null limit 3`,
      [IN_FLIGHT_STATUSES],
    );
    for (const a of rows) examples.push(`app ${a.id} stuck ${a.status} (${a.current_operation ?? "-"})`);
  }

  const dead = await deadLetters(o);
  const failed = await db.query<{ n: string }>(
    "select count(*) as n from provisioner.operations where status = 'failed'",
  );
  return {
    operations,
    terminal: operations - (byResult.running ?? 0),
    byResult,
    appsByStatus,
    duplicateVmids: dup.rows.length,
    orphanContainers: containers.orphans,
    appsWithoutContainer: containers.missing,
    leakedPorts: leaked.rows.length,
    deadLetters: dead.total,
    advisories: Object.entries(dead.subjects)
      .filter(([subject]) => subject.startsWith("$JS.EVENT.ADVISORY."))
      .reduce((sum, [, n]) => sum + n, 0),
    failedOperations: Number(failed.rows[0]?.n ?? 0),
    deadLetterSubjects: dead.subjects,
    stuck,
    examples,
  };
}

/**
 * Containers in the simulator that no live app holds (`orphans`), and running or stopped apps
 * whose container is not there (`missing`).
 */
export async function containerMismatch(
  db: pg.Pool,
  simulatorAdminUrl: string,
): Promise<{ orphans: number; missing: number; examples: string[] }> {
  const examples: string[] = [];
  const res = await fetch(`${simulatorAdminUrl}/_sim/containers`);
  const containers = ((await res.json()) as { data: { vmid: number; node: string; hostname: string }[] })
    .data;
  const live = await db.query<{ id: string; vmid: number | null; status: string }>(
    "select id::text, vmid, status from applications.apps where status <> 'gone'",
  );
  const held = new Set(live.rows.filter((a) => a.vmid !== null).map((a) => a.vmid));
  const orphans = containers.filter((c) => !held.has(c.vmid));
  for (const c of orphans.slice(0, 3))
    examples.push(`orphan container ${c.vmid} (${c.hostname}) on ${c.node}`);
  const present = new Set(containers.map((c) => c.vmid));
  const missing = live.rows.filter(
    (a) => (a.status === "running" || a.status === "stopped") && (a.vmid === null || !present.has(a.vmid)),
  );
  for (const a of missing.slice(0, 3)) examples.push(`app ${a.id} (${a.status}) lost container ${a.vmid}`);
  return { orphans: orphans.length, missing: missing.length, examples };
}

/** Messages in the dead-letter stream, by subject (read as the bus admin). */
async function deadLetters(o: {
  natsUrl: string;
  stateDir: string;
  busNamespace: string;
}): Promise<{ total: number; subjects: Record<string, number> }> {
  const nc = await connectBusAdmin({
    servers: o.natsUrl,
    seed: readBusAdminSeed(`${o.stateDir}/nats`).seed,
  });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(streamName(o.busNamespace, "DEAD_LETTERS"), { subjects_filter: ">" });
    return { total: info.state.messages, subjects: (info.state.subjects as Record<string, number>) ?? {} };
  } finally {
    await nc.close();
  }
}
