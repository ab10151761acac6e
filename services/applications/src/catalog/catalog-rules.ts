import { environmentProblems } from "@proximity/app-env";
import { parseDocument } from "yaml";
import { scanVariables, type VariableReference } from "./compose-variables.js";

/** One problem of a catalog file: the field (`environment[1].name`, `compose`) and why. */
export interface CatalogProblem {
  readonly path: string;
  readonly message: string;
}

/** What the rules read of a catalog file (a valid CatalogFile, or the lenient read of an invalid one). */
export interface CatalogRulesInput {
  readonly port: number;
  readonly compose: string;
  readonly environment: readonly {
    readonly name: string;
    readonly default: string;
    readonly secret: boolean;
  }[];
}

/** Written by the provisioner into the app's `.env`: the host port the web port is published on. */
export const PUBLISHED_PORT_VARIABLE = "PROXIMITY_PORT";

interface ComposeDocument {
  readonly content: Record<string, unknown>;
  readonly services: Record<string, unknown>;
}

/**
 * The rules between the fields of a catalog file whose shape is valid: the compose file parses and
 * runs pinned images; every variable it interpolates is declared in `environment` or has an inline
 * default (PROXIMITY_PORT aside); declared variables are used, unique, and secrets have no default
 * anywhere; the web port is published on `${PROXIMITY_PORT}`. Empty when the item is deployable.
 */
export function catalogItemProblems(file: CatalogRulesInput): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const compose = parseCompose(file.compose, problems);
  problems.push(...environmentDeclarationProblems(file));
  if (!compose) return problems;

  const scan = { references: [] as VariableReference[], invalid: [] as string[] };
  for (const text of stringValues(compose.content)) {
    const found = scanVariables(text);
    scan.references.push(...found.references);
    scan.invalid.push(...found.invalid);
  }
  for (const expression of scan.invalid)
    problems.push({ path: "compose", message: `has an invalid interpolation ${JSON.stringify(expression)}` });
  problems.push(...referenceProblems(file, scan.references, usesEnvFile(compose)));
  if (file.port > 0 && !publishesWebPort(compose, file.port))
    problems.push({
      path: "compose",
      message: `must publish the web port as "\${${PUBLISHED_PORT_VARIABLE}:-<port>}:${file.port}"`,
    });
  return problems;
}

function parseCompose(text: string, problems: CatalogProblem[]): ComposeDocument | undefined {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    problems.push({ path: "compose", message: `is not valid YAML (${document.errors[0]?.message})` });
    return undefined;
  }
  const content: unknown = document.toJS();
  const services = isRecord(content) ? content.services : undefined;
  if (!isRecord(content) || !isRecord(services) || Object.keys(services).length === 0) {
    problems.push({ path: "compose", message: "must declare at least one service under `services`" });
    return undefined;
  }
  for (const [name, service] of Object.entries(services)) {
    const image = isRecord(service) ? service.image : undefined;
    if (typeof image !== "string" || image.length === 0)
      problems.push({ path: "compose", message: `service "${name}" must run an image` });
    else if (!isPinned(image))
      problems.push({
        path: "compose",
        message: `service "${name}": image "${image}" must name a version (a tag other than latest, or a digest)`,
      });
  }
  return { content, services };
}

/** `repo/name:tag` (tag ≠ latest) or `…@sha256:…`; a registry `host:port/` is not a tag. */
function isPinned(image: string): boolean {
  if (image.includes("@sha256:")) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "";
  return tag !== "" && tag !== "latest";
}

function environmentDeclarationProblems(file: CatalogRulesInput): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const seen = new Set<string>();
  file.environment.forEach((variable, i) => {
    if (seen.has(variable.name))
      problems.push({ path: `environment[${i}].name`, message: "is declared twice" });
    seen.add(variable.name);
    if (variable.secret && variable.default !== "")
      problems.push({
        path: `environment[${i}].default`,
        message: "must be empty for a secret (each deployment sets its own)",
      });
    for (const p of environmentProblems({ DEFAULT: variable.default }))
      problems.push({ path: `environment[${i}].default`, message: p.message });
  });
  return problems;
}

function referenceProblems(
  file: CatalogRulesInput,
  references: readonly VariableReference[],
  envFile: boolean,
): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const index = new Map(file.environment.map((v, i) => [v.name, i]));
  const reported = new Set<string>();
  for (const ref of references) {
    if (ref.name === PUBLISHED_PORT_VARIABLE || reported.has(ref.name)) continue;
    const i = index.get(ref.name);
    if (i === undefined) {
      if (ref.hasDefault) continue;
      reported.add(ref.name);
      problems.push({
        path: "compose",
        message: `references \${${ref.name}}, which is not declared in environment and has no inline default`,
      });
    } else if (ref.defaultText !== "" && file.environment[i]?.secret) {
      // `${SECRET:-}` only silences compose's "not set" warning; any other default is a shared password.
      reported.add(ref.name);
      problems.push({
        path: `environment[${i}]`,
        message: `is a secret but the compose file gives \${${ref.name}} an inline default`,
      });
    }
  }
  // With `env_file:` the whole `.env` reaches the service, so a variable may be used unreferenced.
  if (!envFile) {
    const referenced = new Set(references.map((r) => r.name));
    file.environment.forEach((variable, i) => {
      if (!referenced.has(variable.name))
        problems.push({ path: `environment[${i}].name`, message: "is not used by the compose file" });
    });
  }
  return problems;
}

/** Some service maps `${PROXIMITY_PORT}` or `${PROXIMITY_PORT:-n}` (host side) to `port` (container side). */
function publishesWebPort(compose: ComposeDocument, port: number): boolean {
  const published = new RegExp(`^\\$\\{${PUBLISHED_PORT_VARIABLE}(?::-\\d+)?\\}$`);
  return Object.values(compose.services).some((service) => {
    const ports = isRecord(service) && Array.isArray(service.ports) ? service.ports : [];
    return ports.some((entry: unknown) => {
      if (typeof entry === "string") {
        const match = /^(?:.*:)?(\$\{[^}]*\}):(\d+)(?:\/tcp)?$/.exec(entry);
        return match !== null && published.test(match[1]!) && Number(match[2]) === port;
      }
      return (
        isRecord(entry) &&
        typeof entry.published === "string" &&
        published.test(entry.published) &&
        Number(entry.target) === port &&
        (entry.protocol === undefined || entry.protocol === "tcp")
      );
    });
  });
}

function usesEnvFile(compose: ComposeDocument): boolean {
  return Object.values(compose.services).some((s) => isRecord(s) && s.env_file !== undefined);
}

/** Every string value of a YAML tree (keys are not interpolated by compose). */
function* stringValues(node: unknown): Generator<string> {
  if (typeof node === "string") yield node;
  else if (Array.isArray(node)) for (const item of node) yield* stringValues(item);
  else if (isRecord(node)) for (const value of Object.values(node)) yield* stringValues(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
