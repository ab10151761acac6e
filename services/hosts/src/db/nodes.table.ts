import type { Generated, Selectable } from "kysely";

/** A node of a host: SSH endpoint (pinned host key) and the last known stats. */
export interface NodesTable {
  host_id: string;
  name: string;
  /** Proxmox's node status: online, offline or unknown (never synced). */
  status: Generated<string>;
  ssh_host: string;
  ssh_port: number;
  /** "" only while trust_on_first_use awaits the first host check. */
  ssh_host_key_fingerprint: string;
  /** The admin asked to pin the first key the node presents; cleared once pinned. */
  trust_on_first_use: Generated<boolean>;
  cpu: Generated<number>;
  mem_bytes: Generated<number>;
  max_mem_bytes: Generated<number>;
  max_cpu: Generated<number>;
  disk_bytes: Generated<number>;
  max_disk_bytes: Generated<number>;
  uptime_seconds: Generated<number>;
  updated_at: Generated<Date>;
}

export type NodeRow = Selectable<NodesTable>;
