import { isAnyOf, isNoneOf, isUniqueViolation } from "@proximity/db";
import { AlreadyExistsError } from "@proximity/errors";
import { type Kysely, sql, type Transaction } from "kysely";
import type { HostSettings, NewHost } from "../domain/new-host.js";
import type { PlacementCandidate } from "../domain/placement.js";
import type { HostsDatabase } from "./database.js";
import type { HostRow, HostStatus } from "./hosts.table.js";
import type { NodeRow } from "./nodes.table.js";

type Db = Kysely<HostsDatabase> | Transaction<HostsDatabase>;

/** A host with its nodes, ordered by name. */
export interface HostWithNodes extends HostRow {
  readonly nodes: NodeRow[];
}

/** Inserts a host and its nodes; a taken name is an AlreadyExistsError (the constraint decides). */
export async function insertHost(
  trx: Transaction<HostsDatabase>,
  host: NewHost & { id: string; apiSecretName: string; sshSecretName: string },
): Promise<void> {
  try {
    await trx
      .insertInto("hosts")
      .values({
        id: host.id,
        name: host.name,
        address: host.address,
        port: host.port,
        auth_mode: host.authMode,
        username: host.username,
        tls_fingerprint: host.tlsFingerprint,
        tls_ca_pem: host.tlsCaPem,
        insecure_http: host.insecureHttp,
        ssh_username: host.sshUsername,
        backup_storage: host.backupStorage,
        api_secret_name: host.apiSecretName,
        ssh_secret_name: host.sshSecretName,
      })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err, "hosts_name_unique"))
      throw new AlreadyExistsError("A host with this name already exists", err);
    throw err;
  }
  await trx
    .insertInto("nodes")
    .values(
      host.nodes.map((n) => ({
        host_id: host.id,
        name: n.name,
        ssh_host: n.sshHost,
        ssh_port: n.sshPort,
        ssh_host_key_fingerprint: n.sshHostKeyFingerprint,
        trust_on_first_use: n.trustOnFirstUse,
      })),
    )
    .execute();
}

export async function findHostById(db: Db, id: string): Promise<HostWithNodes | undefined> {
  return (await withNodes(db, await db.selectFrom("hosts").selectAll().where("id", "=", id).execute()))[0];
}

export async function findHostByName(db: Db, name: string): Promise<HostWithNodes | undefined> {
  return (
    await withNodes(db, await db.selectFrom("hosts").selectAll().where("name", "=", name).execute())
  )[0];
}

export async function listHosts(db: Db): Promise<HostWithNodes[]> {
  return withNodes(db, await db.selectFrom("hosts").selectAll().orderBy("name").execute());
}

/** Nodes of one host, or of every host when `hostId` is undefined. */
export async function listNodes(db: Db, hostId?: string): Promise<NodeRow[]> {
  let q = db.selectFrom("nodes").selectAll().orderBy("host_id").orderBy("name");
  if (hostId !== undefined) q = q.where("host_id", "=", hostId);
  return q.execute();
}

/** Deletes a host (its nodes cascade); true when it existed. */
export async function deleteHostById(trx: Transaction<HostsDatabase>, id: string): Promise<boolean> {
  const res = await trx.deleteFrom("hosts").where("id", "=", id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Every node with its host's name and status, for placement. */
export async function listPlacementCandidates(db: Db): Promise<PlacementCandidate[]> {
  const rows = await db
    .selectFrom("nodes as n")
    .innerJoin("hosts as h", "h.id", "n.host_id")
    .select([
      "h.id",
      "h.name as host_name",
      "h.status as host_status",
      "n.name",
      "n.status",
      "n.mem_bytes",
      "n.max_mem_bytes",
    ])
    .execute();
  return rows.map((r) => ({
    hostId: r.id,
    hostName: r.host_name,
    hostStatus: r.host_status,
    node: r.name,
    nodeStatus: r.status,
    memBytes: r.mem_bytes,
    maxMemBytes: r.max_mem_bytes,
  }));
}

export async function countHosts(db: Db): Promise<number> {
  const row = await db
    .selectFrom("hosts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function withNodes(db: Db, hosts: HostRow[]): Promise<HostWithNodes[]> {
  if (hosts.length === 0) return [];
  const hostIds = hosts.map((h) => h.id);
  const nodes = await db
    .selectFrom("nodes")
    .selectAll()
    .where(isAnyOf("host_id", hostIds, "uuid"))
    .orderBy("name")
    .execute();
  return hosts.map((h) => ({ ...h, nodes: nodes.filter((n) => n.host_id === h.id) }));
}

/** Writes a host's new settings; nodes given replace the endpoints (stats of kept nodes stay). */
export async function updateHostSettings(
  trx: Transaction<HostsDatabase>,
  id: string,
  settings: HostSettings,
): Promise<void> {
  await trx
    .updateTable("hosts")
    .set({
      address: settings.address,
      port: settings.port,
      username: settings.username,
      tls_fingerprint: settings.tlsFingerprint,
      tls_ca_pem: settings.tlsCaPem,
      insecure_http: settings.insecureHttp,
      ssh_username: settings.sshUsername,
      backup_storage: settings.backupStorage,
      updated_at: sql<Date>`now()`,
    })
    .where("id", "=", id)
    .execute();
  const nodeNames = settings.nodes.map((n) => n.name);
  await trx
    .deleteFrom("nodes")
    .where("host_id", "=", id)
    .where(isNoneOf("name", nodeNames, "text"))
    .execute();
  await trx
    .insertInto("nodes")
    .values(
      settings.nodes.map((n) => ({
        host_id: id,
        name: n.name,
        ssh_host: n.sshHost,
        ssh_port: n.sshPort,
        ssh_host_key_fingerprint: n.sshHostKeyFingerprint,
        trust_on_first_use: n.trustOnFirstUse,
      })),
    )
    .onConflict((oc) =>
      oc.columns(["host_id", "name"]).doUpdateSet((eb) => ({
        ssh_host: eb.ref("excluded.ssh_host"),
        ssh_port: eb.ref("excluded.ssh_port"),
        ssh_host_key_fingerprint: eb.ref("excluded.ssh_host_key_fingerprint"),
        trust_on_first_use: eb.ref("excluded.trust_on_first_use"),
      })),
    )
    .execute();
}

/**
 * Claims the hosts whose periodic check is due (the longest due first) and moves their next check
 * one interval ahead, in one statement: concurrent replicas each get a disjoint set (row locks,
 * skipped rather than waited for), so a host is requested once per interval however many replicas
 * run the round. At most `share` × (hosts × roundMs / intervalMs) + 1 per call: hosts registered
 * together (or all due after an outage) are requested over the next rounds, a steady trickle that
 * each keeps afterwards (the next check is one interval after the claim), instead of all at once
 * every interval. `share` > 1 so a backlog drains.
 */
export async function claimDueChecks(
  trx: Transaction<HostsDatabase>,
  intervalMs: number,
  roundMs: number,
  share = 1.5,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    update hosts set next_check_at = now() + make_interval(secs => ${intervalMs / 1000})
    where id in (
      select id from hosts where next_check_at <= now() order by next_check_at
      limit (select ceil(count(*) * ${share * Math.min(1, roundMs / intervalMs)}::float8) + 1 from hosts)
      for update skip locked)
    returning id`.execute(trx);
  return rows.map((r) => r.id);
}

/**
 * Locks a host row for a change decided on what it holds now: check results for one host are
 * applied one at a time, and an update is checked against the settings it replaces.
 */
export async function lockHost(
  trx: Transaction<HostsDatabase>,
  id: string,
): Promise<HostWithNodes | undefined> {
  const hosts = await trx.selectFrom("hosts").selectAll().where("id", "=", id).forUpdate().execute();
  return (await withNodes(trx, hosts))[0];
}

/** What a check result writes on the host row. */
export interface HostCheckFields {
  readonly status: HostStatus;
  readonly lastCheckError: string | null;
  readonly pveVersion: string | null;
}

export async function saveCheckResult(
  trx: Transaction<HostsDatabase>,
  id: string,
  fields: HostCheckFields,
): Promise<void> {
  await trx
    .updateTable("hosts")
    .set({
      status: fields.status,
      last_check_error: fields.lastCheckError,
      pve_version: fields.pveVersion,
      last_checked_at: sql<Date>`now()`,
    })
    .where("id", "=", id)
    .execute();
}

/** Brings the host's next periodic check forward to at most `ms` from now (never later). */
export async function checkAgainWithin(
  trx: Transaction<HostsDatabase>,
  id: string,
  ms: number,
): Promise<void> {
  await sql`update hosts set next_check_at = least(next_check_at, now() + make_interval(secs => ${ms / 1000}))
    where id = ${id}`.execute(trx);
}

/** Node figures from a check. */
export interface NodeStats {
  readonly name: string;
  readonly status: string;
  readonly cpu: number;
  readonly maxCpu: number;
  readonly memBytes: number;
  readonly maxMemBytes: number;
  readonly diskBytes: number;
  readonly maxDiskBytes: number;
  readonly uptimeSeconds: number;
}

/** Updates the stats of a registered node (nodes are registered with their SSH endpoint only). */
export async function saveNodeStats(
  trx: Transaction<HostsDatabase>,
  hostId: string,
  stats: NodeStats,
): Promise<void> {
  await trx
    .updateTable("nodes")
    .set({
      status: stats.status,
      cpu: stats.cpu,
      max_cpu: stats.maxCpu,
      mem_bytes: stats.memBytes,
      max_mem_bytes: stats.maxMemBytes,
      disk_bytes: stats.diskBytes,
      max_disk_bytes: stats.maxDiskBytes,
      uptime_seconds: stats.uptimeSeconds,
      updated_at: sql<Date>`now()`,
    })
    .where("host_id", "=", hostId)
    .where("name", "=", stats.name)
    .execute();
}

/**
 * Pins a node's first-use SSH host key. The conditions are repeated in SQL (empty fingerprint,
 * consent still given) so a key can only ever fill an empty slot, never replace a pinned one.
 * @returns true when the key was pinned.
 */
export async function pinNodeHostKey(
  trx: Transaction<HostsDatabase>,
  hostId: string,
  node: string,
  fingerprint: string,
): Promise<boolean> {
  const res = await trx
    .updateTable("nodes")
    .set({ ssh_host_key_fingerprint: fingerprint, trust_on_first_use: false, updated_at: sql<Date>`now()` })
    .where("host_id", "=", hostId)
    .where("name", "=", node)
    .where("ssh_host_key_fingerprint", "=", "")
    .where("trust_on_first_use", "=", true)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
