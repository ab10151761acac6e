/** The operator's documentation: deploy/kubernetes/README.md says what the manifests expect. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repositoryRoot } from "../compose.js";
import { OPERATOR_SECRETS } from "./context.js";

/**
 * The operator's Secrets are documented: deploy/kubernetes/README.md creates each with its keys.
 */
export function documentationProblems(readme: string): string[] {
  const problems: string[] = [];
  const lines = readme.replace(/\\\n\s*/g, " ").split("\n"); // shell line continuations joined
  for (const [name, keys] of Object.entries(OPERATOR_SECRETS)) {
    const command = lines.find((line) => line.includes(`create secret generic ${name}`)) ?? "";
    if (!command) problems.push(`README.md does not say how to create ${name}`);
    for (const key of keys)
      if (command && !command.includes(`--from-literal=${key}=`))
        problems.push(`README.md creates ${name} without ${key}`);
  }
  return problems;
}

/** deploy/kubernetes/README.md. */
export const readKubernetesReadme = () =>
  readFileSync(join(repositoryRoot, "deploy/kubernetes/README.md"), "utf8");
