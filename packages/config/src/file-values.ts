/**
 * `<NAME>_FILE` indirection (the convention of Docker and Kubernetes secrets, as in the official
 * postgres image): a variable's value may be read from the file `<NAME>_FILE` names, so a secret
 * such as a database URL with its password lives in a mounted file, not in the environment or in
 * a compose file.
 */
import { readFileSync } from "node:fs";

/**
 * `env` with every `<NAME>_FILE` resolved for the variables `names` (one trailing newline is
 * dropped), plus the problems met. A schema that declares `<NAME>_FILE` itself gives it its own
 * meaning (e.g. SECRETS_KEK_FILE, a key ring): no indirection then.
 */
export function resolveFileValues(
  names: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { env: Record<string, string | undefined>; problems: string[] } {
  const declared = new Set(names);
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable];
    if (declared.has(fileVariable) || path === undefined) continue;
    if (env[name] !== undefined) {
      problems.push(`${fileVariable}: set either ${name} or ${fileVariable}, not both`);
      continue;
    }
    try {
      resolved[name] = readFileSync(path, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      problems.push(
        `${fileVariable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  }
  return { env: resolved, problems };
}
