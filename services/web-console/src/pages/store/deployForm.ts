import type { BodyOf, CatalogItem, EnvVarDefinition } from "../../api/types";
import { hostnameAdvice } from "../../lib/hostname";

export type DeployBody = BodyOf<"/api/apps", "post">;

/** What the deploy form holds: placement is empty for automatic (and always for non-admins). */
export interface DeployValues {
  readonly hostname: string;
  readonly hostId: string;
  readonly node: string;
  readonly environment: Readonly<Record<string, string>>;
}

/** Field name → message, named as the API names fields (`hostname`, `environment.DB_PASSWORD`). */
export type FieldErrors = Readonly<Record<string, string>>;

/** The bound of one value at every layer (@proximity/app-env `ENV_LIMITS.valueMaxBytes`). */
const ENV_VALUE_MAX_BYTES = 4096;

export const envField = (name: string) => `environment.${name}`;

/** A new form: every variable prefilled with its catalog default (secrets have none). */
export function initialValues(item: CatalogItem): DeployValues {
  return {
    hostname: "",
    hostId: "",
    node: "",
    environment: Object.fromEntries(item.environment.map((v) => [v.name, v.default ?? ""])),
  };
}

/** Why a variable's value cannot be deployed, as @proximity/app-env decides it. */
function envValueProblem(definition: EnvVarDefinition, value: string): string | undefined {
  // An empty value counts as none: the catalog default applies, if there is one.
  if (value === "") return definition.required && !definition.default ? "is required" : undefined;
  if (value.includes("\0")) return "must not contain a NUL byte";
  if (new TextEncoder().encode(value).length > ENV_VALUE_MAX_BYTES) {
    return `must be at most ${ENV_VALUE_MAX_BYTES} bytes`;
  }
  return undefined;
}

/** The problems the API would report, found before sending (empty when the form can be sent). */
export function validateDeploy(values: DeployValues, item: CatalogItem): FieldErrors {
  const errors: Record<string, string> = {};
  const hostname = hostnameAdvice(values.hostname);
  if (hostname) errors.hostname = hostname;
  for (const definition of item.environment) {
    const problem = envValueProblem(definition, values.environment[definition.name] ?? "");
    if (problem) errors[envField(definition.name)] = problem;
  }
  return errors;
}

/** The POST /api/apps body. Empty values are left out: the API treats "" as "not given" anyway. */
export function deployBody(values: DeployValues, item: CatalogItem): DeployBody {
  const environment = Object.fromEntries(
    item.environment
      .map((definition) => [definition.name, values.environment[definition.name] ?? ""] as const)
      .filter(([, value]) => value !== ""),
  );
  return {
    catalog_id: item.id,
    hostname: values.hostname,
    ...(values.hostId ? { host_id: values.hostId } : {}),
    ...(values.hostId && values.node ? { node: values.node } : {}),
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
  };
}
