/**
 * The rules the Kubernetes manifests (deploy/kubernetes, rendered per overlay) must keep, each a
 * function returning its problems (none when the rule holds), so a test can show that every rule
 * catches the mistake it is about. Where compose already says something (images, ports,
 * variables, what init writes), the manifests must say the same: docker-compose.yml and each
 * service's configuration schema are the references, not a list kept here.
 */
import { availabilityProblems } from "./availability.js";
import type { KubernetesContext } from "./context.js";
import { environmentProblems, imageProblems } from "./environment.js";
import { networkPolicyProblems } from "./network.js";
import { portProblems } from "./ports.js";
import { probeProblems, resourceProblems } from "./resources.js";
import { secretProblems } from "./secrets.js";
import { securityProblems } from "./security.js";
import { setupProblems } from "./setup.js";

export { availabilityProblems } from "./availability.js";
export {
  AUTOSCALED,
  BUS_INIT_JOB,
  envOf,
  GRPC_PROBE,
  KUBERNETES_ONLY_ENV,
  type KubernetesContext,
  OPERATOR_SECRETS,
  type Overlay,
  PROXIMITY_IMAGE,
  SETUP_JOB,
  SIMULATOR_ONLY_ENV,
  selects,
} from "./context.js";
export { documentationProblems, readKubernetesReadme } from "./documentation.js";
export { environmentProblems, imageProblems, secretFileAt, setupSecretKeys } from "./environment.js";
export { allowedTraffic, expectedTraffic, networkPolicyProblems } from "./network.js";
export { portProblems } from "./ports.js";
export { probeProblems, resourceProblems } from "./resources.js";
export { secretProblems } from "./secrets.js";
export { securityProblems } from "./security.js";
export { setupProblems } from "./setup.js";

/** Every rule at once. */
export function kubernetesProblems(ctx: KubernetesContext): string[] {
  return [
    ...securityProblems(ctx),
    ...resourceProblems(ctx),
    ...probeProblems(ctx),
    ...imageProblems(ctx),
    ...environmentProblems(ctx),
    ...portProblems(ctx),
    ...secretProblems(ctx),
    ...setupProblems(ctx),
    ...availabilityProblems(ctx),
    ...networkPolicyProblems(ctx),
  ];
}
