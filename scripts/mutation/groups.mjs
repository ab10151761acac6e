/**
 * Mutation-testing groups: the modules under mutation and the test files that must kill their
 * mutants. Shared by stryker.config.mjs and vitest.config.ts (both read MUTATION_GROUP).
 */
export const groups = {
  "vmid-leases": {
    mutate: ["services/provisioner/src/infra/vmid-leases.ts"],
    testFiles: ["services/provisioner/test/vmid-leases.test.ts"],
  },
  bus: {
    mutate: ["packages/bus/src/inbox.ts", "packages/bus/src/outbox.ts"],
    testFiles: ["packages/bus/test/bus.test.ts"],
  },
  gateway: {
    mutate: ["services/api-gateway/src/domain/access.ts", "services/api-gateway/src/http/plugins/csrf.ts"],
    testFiles: [
      "services/api-gateway/src/domain/rules.test.ts",
      "services/api-gateway/test/auth.test.ts",
      "services/api-gateway/test/tokens.test.ts",
    ],
  },
  "secrets-policy": {
    mutate: ["services/secrets/src/domain/policy.ts"],
    testFiles: ["services/secrets/src/domain/policy.test.ts"],
  },
  "app-status": {
    mutate: ["services/applications/src/domain/app-status.ts"],
    testFiles: ["services/applications/src/domain/app-status.test.ts"],
  },
};

/** The group named by MUTATION_GROUP (throws with the valid names otherwise). */
export function currentGroup() {
  const name = process.env.MUTATION_GROUP ?? "";
  const group = groups[name];
  if (!group) throw new Error(`MUTATION_GROUP must be one of: ${Object.keys(groups).join(", ")}`);
  return { name, ...group };
}
