/** The hosts service: Proxmox hosts and nodes, placement, connection details (no credentials). */

export type { HostsConfig } from "./config.js";
export { hostsConfigSchema, loadHostsConfig } from "./config.js";
export { hostsMigrations } from "./db/migrations/index.js";
export { credentialSecretNames } from "./domain/new-host.js";
export type { HostsServiceDeps } from "./service.js";
export { createHostsService } from "./service.js";
