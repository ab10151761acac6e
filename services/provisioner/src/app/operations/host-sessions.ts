/**
 * One Proxmox API client and one pair of credentials per host, shared by this process's
 * operations. Without it every operation read both credentials from the secrets service (two
 * decryptions, two access-audit rows) and opened a new TLS connection to the host: at a deploy
 * burst, more work than the deploy's own Proxmox calls.
 *
 * Every operation passes the host's record from the hosts service (its nodes, pinned keys,
 * address; host-records.ts) here: a session is reused only while that record is unchanged (its
 * `updated_at` moves with every change of address, TLS or credentials, so a rotated credential is
 * read again by the next operation), for at most `ttlMs` (the credential is read again, and the
 * secrets service's audit sees it, at least that often per host and replica: the audit names the
 * operation that read it), and never after a failed attempt (discard: a refused credential or a
 * replaced certificate is read again on retry). A session is retired at the end of its life
 * whether used or not (its client closed once its operations released it), so a credential does
 * not outstay `ttlMs` in memory but for an operation still using it; it is never logged, stored
 * or put into events.
 */
import type { hostsV1 } from "@proximity/proto";
import type { ExtendedProxmoxClient, SshAuth } from "@proximity/proxmox";

/** What a session holds: the host's client and its nodes' SSH credentials. */
export interface HostCredentials {
  readonly pve: ExtendedProxmoxClient;
  readonly sshAuth: SshAuth;
}

/** One operation's use of a host's session. */
export interface HostSession extends HostCredentials {
  /**
   * True when the credentials were read for an earlier operation: a refusal may mean they changed
   * since (the caller retries with the session discarded rather than give up).
   */
  readonly reused: boolean;
  /**
   * Ends this use. `discard` (after a failed attempt) retires the session: later operations open a
   * new one; operations using it now finish with it. Idempotent.
   */
  release(options?: { readonly discard?: boolean }): Promise<void>;
}

/** The hosts service's answer an operation read, on which a session depends. */
export interface HostRecord {
  readonly host: hostsV1.Host;
  readonly apiSecretName: string;
  readonly sshSecretName: string;
  readonly tlsCaPem: string;
}

export interface HostSessions {
  /**
   * The session of `record.host`, opened with `open` when there is none still valid for this
   * record (concurrent callers share one opening; one whose shared opening failed opens its own
   * once before giving up). A failed opening is not kept.
   */
  acquire(record: HostRecord, open: () => Promise<HostCredentials>): Promise<HostSession>;
  /**
   * The session of `record.host` if one is open (or opening) for this very record; undefined when
   * acquire would have to open one. A record kept from an earlier read may predate a change of the
   * host: new credentials must not be read for it (they would go to its old address).
   */
  join(record: HostRecord): Promise<HostSession | undefined>;
  /** Retires the host's session (the host changed or is gone): its credentials leave memory once unused. */
  retire(hostId: string): void;
  /** Sessions kept (open or opening). */
  size(): number;
  /** Closes every session once its operations released it; acquire() fails after. */
  close(): Promise<void>;
}

interface Entry {
  readonly hostId: string;
  readonly signature: string;
  readonly openedAt: number;
  readonly ready: Promise<HostCredentials>;
  /** Retires the session at the end of its life, used or not. */
  readonly expiry: NodeJS.Timeout;
  users: number;
  retired: boolean;
}

export function createHostSessions(options: {
  /** Longest life of a session (and of its credentials in memory). */
  readonly ttlMs: number;
  /** Clock (tests). */
  readonly now?: () => number;
}): HostSessions {
  const { ttlMs } = options;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let closed = false;

  const closeClient = (entry: Entry) =>
    entry.ready.then(
      (c) => c.pve.close().catch(() => undefined),
      () => undefined,
    );
  /** No operation gets the session any more; its client closes once nobody uses it. */
  const retire = (entry: Entry) => {
    if (entries.get(entry.hostId) === entry) entries.delete(entry.hostId);
    if (entry.retired) return;
    entry.retired = true;
    clearTimeout(entry.expiry);
    if (entry.users === 0) void closeClient(entry);
  };

  /** The host's session if it is still good for `record`; a stale one is retired. */
  const current = (record: HostRecord, signature: string): Entry | undefined => {
    const entry = entries.get(record.host.id);
    if (entry && entry.signature === signature && now() - entry.openedAt < ttlMs) return entry;
    if (entry) retire(entry);
    return undefined;
  };
  const openEntry = (record: HostRecord, signature: string, open: () => Promise<HostCredentials>) => {
    const entry: Entry = {
      hostId: record.host.id,
      signature,
      openedAt: now(),
      ready: open(),
      // Unreferenced: a pending expiry never holds the process open.
      expiry: setTimeout(() => retire(entry), ttlMs).unref(),
      users: 0,
      retired: false,
    };
    // A failed opening is forgotten at once: the next operation tries again.
    entry.ready.catch(() => retire(entry));
    entries.set(entry.hostId, entry);
    return entry;
  };
  /** Waits for `entry`'s credentials as one more of its users. */
  const use = async (entry: Entry, reused: boolean): Promise<HostSession> => {
    entry.users++;
    let credentials: HostCredentials;
    try {
      credentials = await entry.ready;
    } catch (err) {
      entry.users--;
      throw err;
    }
    let released = false;
    return {
      ...credentials,
      reused,
      release: async ({ discard = false } = {}) => {
        if (released) return;
        released = true;
        entry.users--;
        // retire() closes the client when nobody else uses it; else the last release does.
        if (discard && !entry.retired) retire(entry);
        else if (entry.retired && entry.users === 0) await closeClient(entry);
      },
    };
  };

  return {
    acquire: async (record, open) => {
      if (closed) throw new Error("host sessions are closed");
      const signature = signatureOf(record);
      const joined = current(record, signature);
      if (!joined) return use(openEntry(record, signature, open), false);
      try {
        return await use(joined, true);
      } catch {
        // Another operation's opening failed (its call, its deadline): this one tries its own.
        if (closed) throw new Error("host sessions are closed");
        return use(current(record, signature) ?? openEntry(record, signature, open), false);
      }
    },
    join: async (record) => {
      if (closed) throw new Error("host sessions are closed");
      // Looked up without retiring: a session opened on a newer record than the caller's stays.
      const entry = entries.get(record.host.id);
      const valid = entry && entry.signature === signatureOf(record) && now() - entry.openedAt < ttlMs;
      if (!entry || !valid) return undefined;
      // A shared opening that fails is not this caller's to redo on a kept record.
      const session = await use(entry, true).catch(() => undefined);
      if (session && entry.retired) {
        // Retired while it opened (the host changed): not for a record that may predate the change.
        await session.release();
        return undefined;
      }
      return session;
    },
    retire: (hostId) => {
      const entry = entries.get(hostId);
      if (entry) retire(entry);
    },
    size: () => entries.size,
    close: async () => {
      closed = true;
      const all = [...entries.values()];
      for (const entry of all) retire(entry);
      await Promise.all(all.map((e) => e.ready.catch(() => undefined)));
    },
  };
}

/** What a session depends on: any change of the host's record, or of the secrets it names. */
function signatureOf({ host, apiSecretName, sshSecretName, tlsCaPem }: HostRecord): string {
  return JSON.stringify([hostSignature(host), apiSecretName, sshSecretName, tlsCaPem]);
}

/**
 * What a client of `host` depends on: its record's `updated_at` (moved by every change of
 * address, TLS or credentials) and how it is reached. Equal signatures: the client may be kept.
 */
export function hostSignature(host: hostsV1.Host): string {
  return JSON.stringify([
    host.id,
    host.updatedAt?.getTime() ?? 0,
    host.address,
    host.port,
    host.authMode,
    host.username,
    host.sshUsername,
    host.tlsFingerprint,
    host.tlsCaFingerprint,
    host.insecureHttp,
  ]);
}
