import type { Logger } from "@proximity/logger";
import type { SessionStore } from "../app/session-store.js";
import type { GatewayClients } from "../clients.js";
import type { GatewayDb } from "../db/database.js";
import type { HealthProbe } from "../health-probe.js";

/** Everything the HTTP layer needs, built by service.ts (or a test). */
export interface HttpDeps {
  readonly db: GatewayDb;
  readonly sessions: SessionStore;
  readonly clients: GatewayClients;
  readonly probes: { readonly applications: HealthProbe; readonly hosts: HealthProbe };
  readonly logger: Logger;
  /** Secure flag of the cookies (true unless the dev script serves plain-http localhost). */
  readonly cookieSecure: boolean;
  /** Trust X-Forwarded-For for the client address. */
  readonly trustProxy: boolean;
  readonly rateLimitPerMinute: number;
  readonly eventStreams: EventStreamSettings;
}

/** Live event streams (GET /api/apps/{id}/events). */
export interface EventStreamSettings {
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  /** Per user and gateway replica. */
  readonly maxPerUser: number;
}
