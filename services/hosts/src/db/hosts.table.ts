import type { Generated, Selectable } from "kysely";
import type { AuthMode } from "../domain/new-host.js";

/** A Proxmox host (API endpoint). Credentials live in the secrets service, referenced by name. */
export interface HostsTable {
  id: string;
  name: string;
  address: string;
  port: number;
  auth_mode: AuthMode;
  username: string;
  tls_fingerprint: string | null;
  /** PEM CA verifying the API certificate; exclusive with tls_fingerprint. */
  tls_ca_pem: Generated<string | null>;
  insecure_http: boolean;
  ssh_username: string;
  status: Generated<HostStatus>;
  api_secret_name: string;
  ssh_secret_name: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** When the provisioner last reported on this host; null until the first check. */
  last_checked_at: Date | null;
  /** Safe text of the last failed check; null after a successful one. */
  last_check_error: string | null;
  /** Proxmox VE version from the last successful check. */
  pve_version: string | null;
  /** When the periodic round requests the next check (claimed by one replica). */
  next_check_at: Generated<Date>;
  /** PVE storage id (with `backup` content) backups of apps on this host go to. */
  backup_storage: Generated<string>;
}

/** Whether the provisioner could reach the host's API at its last check. */
export type HostStatus = "unknown" | "reachable" | "unreachable";

export type HostRow = Selectable<HostsTable>;
