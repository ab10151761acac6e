import type { HostSettings } from "./new-host.js";
import { caFingerprint } from "./tls-ca.js";

/** A host as its audit trail shows it: every setting, never a credential (REST field names). */
export interface AuditedHost {
  readonly address: string;
  readonly port: number;
  readonly username: string;
  readonly tls_fingerprint: string | null;
  /** The CA is shown by its fingerprint, as the API shows it. */
  readonly tls_ca_fingerprint: string | null;
  readonly insecure_http: boolean;
  readonly ssh_username: string;
  readonly backup_storage: string;
  /** By node name. */
  readonly nodes: Readonly<Record<string, AuditedNode>>;
}

export interface AuditedNode {
  readonly ssh_host: string;
  readonly ssh_port: number;
  readonly ssh_host_key_fingerprint: string;
  readonly trust_on_first_use: boolean;
}

export function auditedHost(s: HostSettings): AuditedHost {
  return {
    address: s.address,
    port: s.port,
    username: s.username,
    tls_fingerprint: s.tlsFingerprint,
    tls_ca_fingerprint: s.tlsCaPem === null ? null : (caFingerprint(s.tlsCaPem) ?? null),
    insecure_http: s.insecureHttp,
    ssh_username: s.sshUsername,
    backup_storage: s.backupStorage,
    nodes: Object.fromEntries(
      s.nodes.map((n) => [
        n.name,
        {
          ssh_host: n.sshHost,
          ssh_port: n.sshPort,
          ssh_host_key_fingerprint: n.sshHostKeyFingerprint,
          trust_on_first_use: n.trustOnFirstUse,
        },
      ]),
    ),
  };
}

type Diff = Record<string, unknown>;

/**
 * The fields that differ, with their value before and after; nodes by name (a node added shows
 * `null` before, one removed `null` after). Both sides empty when nothing changed.
 */
export function auditDiff(before: AuditedHost, after: AuditedHost): { before: Diff; after: Diff } {
  const was: Diff = {};
  const now: Diff = {};
  for (const key of Object.keys(before) as (keyof AuditedHost)[]) {
    if (key === "nodes" || before[key] === after[key]) continue;
    was[key] = before[key];
    now[key] = after[key];
  }
  const nodesBefore: Diff = {};
  const nodesAfter: Diff = {};
  for (const name of new Set([...Object.keys(before.nodes), ...Object.keys(after.nodes)])) {
    const a = before.nodes[name] ?? null;
    const b = after.nodes[name] ?? null;
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    nodesBefore[name] = a;
    nodesAfter[name] = b;
  }
  if (Object.keys(nodesBefore).length > 0) {
    was.nodes = nodesBefore;
    now.nodes = nodesAfter;
  }
  return { before: was, after: now };
}

/** The trace id of a W3C traceparent, or "" when the caller sent none usable. */
export function auditTraceId(traceparent: string): string {
  const id = traceparent.split("-")[1] ?? "";
  return /^[0-9a-f]{32}$/.test(id) ? id : "";
}
