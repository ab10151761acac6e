/**
 * The observation loop's Proxmox clients, one per host, kept from round to round: without them every
 * round would ask the hosts service for each host's connection and the secrets service for its
 * credential (a decryption and an access-audit row per host per interval: millions of rows a day
 * at a thousand hosts), and build a new client. An entry is renewed (connection and credential read
 * again) when the host's record changes (its `updated_at` moves with every change of address,
 * TLS or credentials), when its credential is older than `ttlMs`, and after any failed observation
 * (a rotated credential shows up as an authentication error). Entries of hosts no longer registered
 * are closed at the start of each round, so the cache holds at most the registered hosts.
 *
 * The credential stays in this process's memory for up to `ttlMs`, as a running operation's does for
 * its duration: never logged, stored or put into events.
 */
import type { CallOptions } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import { type HostApi, openHostApi } from "../operations/host-api.js";
import { hostSignature } from "../operations/host-sessions.js";
import type { ObserveDeps } from "./observe-host.js";

export interface HostClients {
  /** The host's client, opened (or renewed) if needed; undefined when the host is gone. */
  get(host: hostsV1.Host, call: CallOptions): Promise<HostApi | undefined>;
  /** Closes the host's client: the next get() reads its connection and credential again. */
  drop(hostId: string): Promise<void>;
  /** Closes the clients of every host not in `hostIds`. */
  retainOnly(hostIds: ReadonlySet<string>): Promise<void>;
  /** How many clients are open. */
  size(): number;
  close(): Promise<void>;
}

interface Entry {
  readonly api: HostApi;
  readonly signature: string;
  readonly openedAt: number;
}

export function createHostClients(deps: ObserveDeps, ttlMs: number): HostClients {
  const entries = new Map<string, Entry>();
  const closeEntry = async (entry: Entry | undefined) => {
    await entry?.api.pve.close().catch(() => undefined);
  };
  const drop = async (hostId: string) => {
    const entry = entries.get(hostId);
    entries.delete(hostId);
    await closeEntry(entry);
  };
  return {
    get: async (host, call) => {
      const signature = hostSignature(host);
      const entry = entries.get(host.id);
      if (entry && entry.signature === signature && Date.now() - entry.openedAt < ttlMs) return entry.api;
      await drop(host.id);
      const api = await openHostApi(deps, host.id, call, deps.timeoutMs);
      if (!api) return undefined;
      // The record as the connection was read: a change made in between renews it next round.
      entries.set(host.id, { api, signature: hostSignature(api.host), openedAt: Date.now() });
      return api;
    },
    drop,
    retainOnly: async (hostIds) => {
      const gone = [...entries.keys()].filter((id) => !hostIds.has(id));
      await Promise.all(gone.map(drop));
    },
    size: () => entries.size,
    close: async () => {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map(closeEntry));
    },
  };
}
