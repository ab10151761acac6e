import type { Logger } from "@proximity/logger";

/** Per-request context the use-cases pass on to peers and logs. */
export interface RequestMeta {
  readonly traceparent: string;
  readonly log: Logger;
}

/** A request that changes a host: the audit trail names who made it. */
export interface ChangeMeta extends RequestMeta {
  /** The end user's id (the gateway passes it), or `system:bootstrap`. */
  readonly actor: string;
}

/** Where host credentials go (the secrets service); write-only from this service's side. */
export interface CredentialStore {
  put(name: string, value: Buffer, meta: RequestMeta): Promise<void>;
  /** Idempotent: removing an absent secret succeeds. */
  remove(name: string, meta: RequestMeta): Promise<void>;
}

/** The applications service's view of a host's apps. */
export interface AppsOnHost {
  /** How many live apps are placed on the host. */
  count(hostId: string, meta: RequestMeta): Promise<number>;
  /**
   * Refuses (ConflictError, "N apps are still live on this host") while live apps are placed on
   * the host, else stops every future placement on it (serialised with placements in its database).
   */
  retire(hostId: string, meta: RequestMeta): Promise<void>;
  /** Undoes retire() when the deletion did not go through. */
  reinstate(hostId: string, meta: RequestMeta): Promise<void>;
}
