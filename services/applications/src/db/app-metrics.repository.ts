import { type Kysely, sql } from "kysely";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

/** Where an observation was made: one node of one host. */
export interface NodePlacement {
  readonly hostId: string;
  readonly node: string;
}

/** One container as the node reported it. */
export interface ContainerMetrics {
  readonly vmid: number;
  readonly status: string;
  readonly cpu: number;
  readonly memBytes: number;
  readonly maxMemBytes: number;
  readonly diskBytes: number;
  readonly maxDiskBytes: number;
  readonly uptimeSeconds: number;
}

/**
 * Records the metrics of every live app whose container the node reported, in one statement
 * whatever the number of containers: the observation is joined to apps on (host, node, vmid), so
 * containers of no app (or of gone apps, whose VMIDs Proxmox hands out again) are ignored. A row
 * is only replaced by a newer observation, so a late one never overwrites what is known.
 * @returns the number of apps whose metrics changed.
 */
export async function recordMetrics(
  db: Db,
  at: NodePlacement,
  observedAt: Date,
  containers: readonly ContainerMetrics[],
): Promise<number> {
  if (containers.length === 0) return 0;
  const observed = JSON.stringify(
    containers.map((c) => ({
      vmid: c.vmid,
      status: c.status,
      cpu: c.cpu,
      mem_bytes: c.memBytes,
      max_mem_bytes: c.maxMemBytes,
      disk_bytes: c.diskBytes,
      max_disk_bytes: c.maxDiskBytes,
      uptime_seconds: c.uptimeSeconds,
    })),
  );
  // distinct on: a node listing one VMID twice must not make the upsert touch a row twice.
  const result = await sql`
    insert into app_metrics
      (app_id, cpu, mem_bytes, max_mem_bytes, disk_bytes, max_disk_bytes, uptime_seconds, container_status, observed_at)
    select distinct on (a.id)
      a.id, o.cpu, o.mem_bytes, o.max_mem_bytes, o.disk_bytes, o.max_disk_bytes, o.uptime_seconds, o.status, ${observedAt}
    from jsonb_to_recordset(${observed}::jsonb) as o(
      vmid integer, status text, cpu double precision, mem_bytes bigint, max_mem_bytes bigint,
      disk_bytes bigint, max_disk_bytes bigint, uptime_seconds bigint)
    join apps a on a.vmid = o.vmid and a.host_id = ${at.hostId} and a.node = ${at.node} and a.status <> 'gone'
    order by a.id
    on conflict (app_id) do update set
      cpu = excluded.cpu, mem_bytes = excluded.mem_bytes, max_mem_bytes = excluded.max_mem_bytes,
      disk_bytes = excluded.disk_bytes, max_disk_bytes = excluded.max_disk_bytes,
      uptime_seconds = excluded.uptime_seconds, container_status = excluded.container_status,
      observed_at = excluded.observed_at
    where app_metrics.observed_at < excluded.observed_at`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
