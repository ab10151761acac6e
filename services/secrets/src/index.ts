/** The secrets service: envelope-encrypted secrets with per-caller access policy and audit. */

export { rewrapAll } from "./app/rewrap-all.js";
export type { SecretsConfig } from "./config.js";
export { loadSecretsConfig, secretsConfigSchema } from "./config.js";
export type { KeyProvider, WrappedDataKey } from "./crypto/key-provider.js";
export type { KeyRing } from "./crypto/key-ring.js";
export type { LocalKeyProviderOptions } from "./crypto/local-key-provider.js";
export { createLocalKeyProvider, LocalKeyProvider } from "./crypto/local-key-provider.js";
export { secretsMigrations } from "./db/migrations/index.js";
export type { SecretsServiceDeps } from "./service.js";
export { createSecretsService } from "./service.js";
