import type { Logger } from "@proximity/logger";
import type { Tracer } from "@proximity/telemetry";
import type { TokenPolicy } from "../app/issue-api-token.js";
import type { LastUseRecorder } from "../app/last-use-recorder.js";
import type { SessionCache } from "../app/session-cache.js";
import type { SessionStore } from "../app/session-store.js";
import type { TokenCache } from "../app/token-cache.js";
import type { GatewayClients } from "../clients.js";
import type { GatewayDb } from "../db/database.js";
import type { HealthProbe } from "../health-probe.js";
import type { RateLimitSettings } from "./plugins/rate-limit.js";
import type { WebConsoleSettings } from "./plugins/web-console.js";
import type { TrustProxy } from "./trust-proxy.js";

/** Everything the HTTP layer needs, built by service.ts (or a test). */
export interface HttpDeps {
  readonly db: GatewayDb;
  readonly sessions: SessionStore;
  /** API token uses, written in batches (none recorded when absent, e.g. some tests). */
  readonly tokenUses?: LastUseRecorder;
  /** API tokens verified before (looked up on every use when absent). */
  readonly tokenCache?: TokenCache;
  /** The sessions' store's cache: emptied when this replica answers a change of them. */
  readonly sessionCache?: SessionCache;
  /** API token lifetimes and the cap on live tokens per user. */
  readonly tokenPolicy: TokenPolicy;
  readonly clients: GatewayClients;
  readonly probes: { readonly applications: HealthProbe; readonly hosts: HealthProbe };
  readonly logger: Logger;
  /** The gateway's tracer: one server span per request (none when absent). */
  readonly tracer?: Tracer;
  /** Secure flag of the cookies (true unless the dev script serves plain-http localhost). */
  readonly cookieSecure: boolean;
  /** Which X-Forwarded-For hops to believe for the client address (never every hop). */
  readonly trustProxy: TrustProxy;
  readonly rateLimit: RateLimitSettings;
  readonly http: HttpLimits;
  readonly eventStreams: EventStreamSettings;
  /** The web console served at `/` (not served when absent or not built). */
  readonly webConsole?: WebConsoleSettings;
}

/** Timeouts and limits of the HTTP server (config.ts HTTP_*). */
export interface HttpLimits {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly bodyLimitBytes: number;
  readonly maxRequestsPerSocket: number;
  readonly maxConnections: number;
}

/** Live event streams (GET /api/apps/{id}/events). */
export interface EventStreamSettings {
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  /** Per user and gateway replica. */
  readonly maxPerUser: number;
}
