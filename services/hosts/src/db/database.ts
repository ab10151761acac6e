import type { MessagingTables } from "@proximity/bus";
import type { HostAuditTable } from "./host-audit.table.js";
import type { HostTrustAuditTable } from "./host-trust-audit.table.js";
import type { HostsTable } from "./hosts.table.js";
import type { NodesTable } from "./nodes.table.js";

/** The tables of the `hosts` schema. */
export interface HostsDatabase extends MessagingTables {
  hosts: HostsTable;
  nodes: NodesTable;
  host_audit: HostAuditTable;
  host_trust_audit: HostTrustAuditTable;
}
