import type { Selectable } from "kysely";
import type { ContainersTable } from "./containers.table.js";
import type { DbOrTrx } from "./database.js";

export type ContainerRow = Selectable<ContainersTable>;

/**
 * Claims (host, vmid) for an operation. The unique constraint decides: "taken" when another
 * operation holds it. Repeating the call for the same operation is harmless.
 */
export async function reserveVmid(
  db: DbOrTrx,
  row: { hostId: string; vmid: number; node: string; appId: string; operationId: string },
): Promise<"reserved" | "taken"> {
  const inserted = await db
    .insertInto("containers")
    .values({
      host_id: row.hostId,
      vmid: row.vmid,
      node: row.node,
      app_id: row.appId,
      operation_id: row.operationId,
    })
    .onConflict((oc) => oc.columns(["host_id", "vmid"]).doNothing())
    .returning("operation_id")
    .executeTakeFirst();
  if (inserted) return "reserved";
  // The row was there: ours when an earlier attempt of this operation made it.
  const holder = await db
    .selectFrom("containers")
    .select("operation_id")
    .where("host_id", "=", row.hostId)
    .where("vmid", "=", row.vmid)
    .executeTakeFirst();
  return holder?.operation_id === row.operationId ? "reserved" : "taken";
}

/** VMIDs Proximity holds on a host (in use or being created). */
export async function vmidsOnHost(db: DbOrTrx, hostId: string): Promise<number[]> {
  const rows = await db.selectFrom("containers").select("vmid").where("host_id", "=", hostId).execute();
  return rows.map((r) => r.vmid);
}

export async function findContainerOfOperation(
  db: DbOrTrx,
  operationId: string,
): Promise<ContainerRow | undefined> {
  return db.selectFrom("containers").selectAll().where("operation_id", "=", operationId).executeTakeFirst();
}

/** Drops an operation's hold on a VMID (the container is known not to exist). */
export async function releaseVmid(
  db: DbOrTrx,
  operationId: string,
  hostId: string,
  vmid: number,
): Promise<void> {
  await db
    .deleteFrom("containers")
    .where("operation_id", "=", operationId)
    .where("host_id", "=", hostId)
    .where("vmid", "=", vmid)
    .execute();
}

/** The container Proximity records for an app on a host (deployed, cloned or adopted). */
export async function findContainerOfApp(
  db: DbOrTrx,
  hostId: string,
  appId: string,
): Promise<ContainerRow | undefined> {
  return db
    .selectFrom("containers")
    .selectAll()
    .where("host_id", "=", hostId)
    .where("app_id", "=", appId)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
}

export async function findContainerAt(
  db: DbOrTrx,
  hostId: string,
  vmid: number,
): Promise<ContainerRow | undefined> {
  return db
    .selectFrom("containers")
    .selectAll()
    .where("host_id", "=", hostId)
    .where("vmid", "=", vmid)
    .executeTakeFirst();
}

/** Forgets every container row of an app on a host (the app is deleted). */
export async function forgetContainersOfApp(db: DbOrTrx, hostId: string, appId: string): Promise<number> {
  const res = await db
    .deleteFrom("containers")
    .where("host_id", "=", hostId)
    .where("app_id", "=", appId)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * True when `appId` holds (host, vmid) through an adopt operation: the one way an unmarked container
 * becomes Proximity's (deployed and cloned containers always carry the app's mark).
 */
export async function isAdoptedBy(
  db: DbOrTrx,
  hostId: string,
  vmid: number,
  appId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("containers")
    .innerJoin("operations", "operations.id", "containers.operation_id")
    .select("containers.vmid")
    .where("containers.host_id", "=", hostId)
    .where("containers.vmid", "=", vmid)
    .where("containers.app_id", "=", appId)
    .where("operations.kind", "=", "adopt")
    .executeTakeFirst();
  return row !== undefined;
}

/** VMIDs recorded for the app on the host other than `except` (a container made by a late result). */
export async function otherVmidsOfApp(
  db: DbOrTrx,
  hostId: string,
  appId: string,
  except: number | null,
): Promise<ContainerRow[]> {
  return db
    .selectFrom("containers")
    .selectAll()
    .where("host_id", "=", hostId)
    .where("app_id", "=", appId)
    .$if(except !== null, (qb) => qb.where("vmid", "<>", except!))
    .execute();
}
