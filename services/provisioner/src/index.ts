/** @proximity/provisioner: the only service holding Proxmox credentials. */

export type { ProvisionerConfig } from "./config.js";
export { loadProvisionerConfig, provisionerConfigSchema } from "./config.js";
export { provisionerMigrations } from "./db/migrations/index.js";
export type { ProvisionerServiceDeps } from "./service.js";
export { createProvisionerService, DEPLOY_CONSUMER } from "./service.js";
