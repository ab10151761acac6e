/**
 * Generated protobuf contracts (ts-proto for @grpc/grpc-js), one namespace per versioned package.
 * Regenerate with `pnpm proto:generate`; never edit files under `src/gen`.
 */
import { fileURLToPath } from "node:url";

export * as healthV1 from "./gen/grpc/health/v1/health.js";
export * as applicationsV1 from "./gen/proximity/applications/v1/applications_service.js";
export * as backupsV1 from "./gen/proximity/backups/v1/backups_service.js";
export * as applicationsEventsV1 from "./gen/proximity/events/v1/applications_events.js";
export * as backupsEventsV1 from "./gen/proximity/events/v1/backups_events.js";
export * as hostsEventsV1 from "./gen/proximity/events/v1/hosts_events.js";
export * as provisionerEventsV1 from "./gen/proximity/events/v1/provisioner_events.js";
export * as hostsV1 from "./gen/proximity/hosts/v1/hosts_service.js";
export * as provisionerV1 from "./gen/proximity/provisioner/v1/provisioner_service.js";
export * as secretsV1 from "./gen/proximity/secrets/v1/secrets_service.js";

/** Binary FileDescriptorSet of every contract (with imports), used for gRPC server reflection. */
export const descriptorSetPath: string = fileURLToPath(
  new URL("../descriptors/proximity.binpb", import.meta.url),
);
