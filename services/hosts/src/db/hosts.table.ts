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
  insecure_http: boolean;
  ssh_username: string;
  status: Generated<"unknown" | "reachable" | "unreachable">;
  api_secret_name: string;
  ssh_secret_name: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type HostRow = Selectable<HostsTable>;
