import type { ColumnType, Generated, Insertable, Selectable } from "kysely";
import type { AppStatus } from "../domain/app-status.js";

/** An app: one catalog item deployed for one user into one LXC container. */
export interface AppsTable {
  id: string;
  owner_id: string;
  catalog_id: string;
  hostname: string;
  status: AppStatus;
  /** Why the app is in its status (the failure reason in `error`); empty otherwise. */
  status_message: Generated<string>;
  host_id: string;
  node: string;
  /** Set when the provisioner reports the container; unique per host among live apps. */
  vmid: number | null;
  port: number;
  ip_address: string | null;
  environment: ColumnType<Record<string, string>, string, string>;
  /** The operation whose result may settle an in-flight status; results of others are stale. */
  current_operation_id: string | null;
  /** Client-chosen key making DeployApp retries return the first app (unique per owner). */
  idempotency_key: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type AppRow = Selectable<AppsTable>;
export type NewAppRow = Insertable<AppsTable>;

/** Constraint names, matched when a unique violation is mapped to a client error. */
export const AppConstraints = {
  liveHostname: "apps_live_hostname_key",
  ownerIdempotencyKey: "apps_owner_idempotency_key",
  liveHostVmid: "apps_live_host_vmid_key",
} as const;
