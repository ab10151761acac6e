/**
 * docker-compose.yml as data, read without Docker: services, their environment, mounts and
 * interpolations (`${VAR:?message}`, `${VAR:-default}`, `$$`), for the static checks of
 * compose-rules.ts.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

export const repositoryRoot = resolve(import.meta.dirname, "../../..");

export interface ComposeService {
  readonly image?: string;
  readonly build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  readonly user?: string;
  readonly command?: string | string[];
  readonly environment?: Record<string, string | number | boolean | null> | string[];
  readonly volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  readonly ports?: (string | { target: number; published?: string | number; host_ip?: string })[];
  readonly depends_on?: Record<string, { condition?: string }> | string[];
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

/** The compose file's text and its parsed form (YAML merge keys resolved, as compose does). */
export function readCompose(file = join(repositoryRoot, "docker-compose.yml")): {
  text: string;
  compose: ComposeFile;
} {
  const text = readFileSync(file, "utf8");
  return { text, compose: parse(text, { merge: true }) as ComposeFile };
}

/** One mount of a service. */
export interface Mount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** A host path rather than a named volume. */
  readonly bind: boolean;
}

export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v === "string") {
      const [source = "", target = "", mode = ""] = v.split(":");
      return { source, target, readOnly: mode.split(",").includes("ro"), bind: /^[./~]/.test(source) };
    }
    const source = v.source ?? "";
    return {
      source,
      target: v.target,
      readOnly: v.read_only === true,
      bind: v.type === "bind" || /^[./~]/.test(source),
    };
  });
}

/** A service's environment as written (before interpolation). */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((line) => {
        const at = line.indexOf("=");
        return at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 1)];
      }),
    );
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** A compose interpolation (`${NAME}`, `${NAME:-x}`, `${NAME-x}`, `${NAME:?x}`, `${NAME?x}`). */
export interface Interpolation {
  readonly name: string;
  readonly operator: "" | ":-" | "-" | ":?" | "?" | ":+" | "+";
  readonly argument: string;
}

const INTERPOLATION = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?([^}]*)\}/g;

/** Every interpolation in a text (an escaped `$${…}` is not one). */
export function interpolationsIn(text: string): Interpolation[] {
  return [...text.matchAll(INTERPOLATION)].map((m) => ({
    name: m[1]!,
    operator: (m[2] ?? "") as Interpolation["operator"],
    argument: m[3] ?? "",
  }));
}

/**
 * A value as compose would pass it when every required variable is set to `required(name)`
 * (unset otherwise: a default, or nothing).
 */
export function interpolate(value: string, required: (name: string) => string): string {
  return value
    .replace(INTERPOLATION, (_all, name: string, operator: string | undefined, argument: string) => {
      if (operator === ":?" || operator === "?") return required(name);
      if (operator === ":-" || operator === "-") return argument;
      return "";
    })
    .replace(/\$\$/g, "$");
}

/** `CMD` of the Dockerfile's final stage, as written (the command every service runs). */
export function finalStageCommand(dockerfile: string): string | undefined {
  const stages = dockerfile.split(/^FROM\s/m);
  const last = stages[stages.length - 1] ?? "";
  const commands = [...last.matchAll(/^CMD\s+(.+)$/gm)].map((m) => m[1]!);
  return commands[commands.length - 1];
}

/** `USER` of the Dockerfile's final stage (the image every service runs). */
export function finalStageUser(dockerfile: string): string | undefined {
  const stages = dockerfile.split(/^FROM\s/m);
  const last = stages[stages.length - 1] ?? "";
  const users = [...last.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!);
  return users[users.length - 1];
}
