import type { ColumnType, Generated, Insertable, Selectable } from "kysely";
import type { AppStatus } from "../domain/app-status.js";
import type { OperationKind } from "../domain/operations.js";

/** An app: one catalog item deployed for (or a container adopted by) one user in one LXC container. */
export interface AppsTable {
  id: string;
  owner_id: string;
  /** "" for an adopted container of unknown type. */
  catalog_id: string;
  hostname: string;
  status: AppStatus;
  /** Why the app is in its status (the failure reason in `error`); empty otherwise. */
  status_message: Generated<string>;
  host_id: string;
  node: string;
  /** Set when the provisioner reports the container; unique per host among live apps. */
  vmid: number | null;
  /** Port the app listens on inside its container (the catalog's, or the adopter's), 0 = none. */
  port: number;
  /** Published port from the pool (port_allocations); null for adopted apps and after release. */
  public_port: Generated<number | null>;
  ip_address: string | null;
  /** Plain (non-secret) environment values only. */
  environment: ColumnType<Record<string, string>, string, string>;
  /** Secret environment variables: name → whether a value is kept in the secrets service. Never values. */
  secret_env: ColumnType<Record<string, boolean>, string | undefined, string>;
  /** The operation whose result may settle the app (also set on a clone's source while it is copied). */
  current_operation_id: string | null;
  /** Kind of `current_operation_id` (null exactly when it is null). */
  current_operation: Generated<OperationKind | null>;
  adopted: Generated<boolean>;
  /** The container configuration Proxmox reported at adoption (key → value). */
  adopted_config: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
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
