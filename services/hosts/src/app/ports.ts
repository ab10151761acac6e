import type { Logger } from "@proximity/logger";

/** Per-request context the use-cases pass on to peers and logs. */
export interface RequestMeta {
  readonly traceparent: string;
  readonly log: Logger;
}

/** Where host credentials go (the secrets service); write-only from this service's side. */
export interface CredentialStore {
  put(name: string, value: Buffer, meta: RequestMeta): Promise<void>;
  /** Idempotent: removing an absent secret succeeds. */
  remove(name: string, meta: RequestMeta): Promise<void>;
}

/** Asks the applications service how many apps are placed on a host. */
export interface AppsOnHost {
  count(hostId: string, meta: RequestMeta): Promise<number>;
}
