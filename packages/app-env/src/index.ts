/**
 * The environment rules of deployed apps, shared by the gateway (edge validation), the applications
 * service (owner of the data) and the provisioner (writer of the container's `.env`). Pure: no I/O.
 */

export { readEnvFileValue, renderEnvFile } from "./env-file.js";
export { envNameProblem } from "./env-name.js";
export { environmentProblems } from "./environment-problems.js";
export { ENV_LIMITS } from "./limits.js";
export type { EnvVarDefinition, ResolvedEnvironment } from "./resolve-environment.js";
export { resolveEnvironment } from "./resolve-environment.js";
