import { isUniqueViolation } from "@proximity/db";
import { AlreadyExistsError } from "@proximity/errors";
import type { Kysely, Transaction } from "kysely";
import type { NewHost } from "../domain/new-host.js";
import type { PlacementCandidate } from "../domain/placement.js";
import type { HostsDatabase } from "./database.js";
import type { HostRow } from "./hosts.table.js";
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
        insecure_http: host.insecureHttp,
        ssh_username: host.sshUsername,
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
  const nodes = await db
    .selectFrom("nodes")
    .selectAll()
    .where(
      "host_id",
      "in",
      hosts.map((h) => h.id),
    )
    .orderBy("name")
    .execute();
  return hosts.map((h) => ({ ...h, nodes: nodes.filter((n) => n.host_id === h.id) }));
}
