/**
 * The applications service: catalog, apps, deployment logs. `main.ts` runs it; end-to-end tests
 * start it in-process through `createApplicationsService`.
 */

export type { ApplicationsConfig } from "./config.js";
export { applicationsConfigSchema, loadApplicationsConfig } from "./config.js";
export { applicationsMigrations } from "./db/migrations/index.js";
export { IN_FLIGHT_STATUSES } from "./domain/app-status.js";
export { PROVISIONER_EVENTS_DURABLE } from "./events/durables.js";
export type { ApplicationsServiceDeps } from "./service.js";
export { createApplicationsService } from "./service.js";
