import type { paths } from "./schema";

/** The JSON body of an operation's 200 (or given status) answer. */
export type JsonOf<
  Path extends keyof paths,
  Method extends keyof paths[Path],
  Status extends number = 200,
> = paths[Path][Method] extends { responses: infer R }
  ? Status extends keyof R
    ? R[Status] extends { content: { "application/json": infer Body } }
      ? Body
      : never
    : never
  : never;

/** The JSON request body of an operation. */
export type BodyOf<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends {
  requestBody?: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

// The resources of the API as the pages read them, named once here.

export type App = JsonOf<"/api/apps/{id}", "get">;
export type AppStatus = App["status"];
export type AppPage = JsonOf<"/api/apps", "get">;
export type LogLine = JsonOf<"/api/apps/{id}/logs", "get">["items"][number];
export type DiscoveredContainer = JsonOf<"/api/apps/discover", "get">["items"][number];

export type CatalogItem = JsonOf<"/api/catalog/{app_id}", "get">;
export type CatalogList = JsonOf<"/api/catalog", "get">;
/** A catalog app as the list has it (without its compose file). */
export type CatalogSummary = CatalogList["items"][number];
export type EnvVarDefinition = CatalogItem["environment"][number];

export type Backup = JsonOf<"/api/apps/{id}/backups/{backup_id}", "get">;
export type BackupStatus = Backup["status"];
export type BackupPolicy = JsonOf<"/api/apps/{id}/backup-policy", "get">;
export type BackupMode = BackupPolicy["mode"];
export type Compression = BackupPolicy["compression"];

export type Host = JsonOf<"/api/proxmox/hosts/{id}", "get">;
/** A Proxmox node of a host. */
export type Node = Host["nodes"][number];

export type User = JsonOf<"/api/users/{id}", "get">;
export type UserQuota = JsonOf<"/api/users/{id}/quota", "get">;
/** The signed-in person (GET /api/auth/me). */
export type CurrentUser = JsonOf<"/api/auth/me", "get">;
/** A browser signed in as the current person. */
export type Session = JsonOf<"/api/auth/sessions", "get">["items"][number];
export type PasswordChange = JsonOf<"/api/auth/password", "post">;

export type ApiToken = JsonOf<"/api/auth/tokens", "get">["items"][number];
/** A new token: the only answer that carries its secret. */
export type CreatedApiToken = JsonOf<"/api/auth/tokens", "post", 201>;
export type TokenScope = ApiToken["scopes"][number];
