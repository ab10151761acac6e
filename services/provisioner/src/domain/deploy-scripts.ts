/**
 * The shell scripts run inside an app container (through `execInContainer`, which does the
 * `pct exec … sh -c` quoting). Each is idempotent, so a retried step may run it again.
 */
import { ValidationError } from "@proximity/errors";
import { shellQuote } from "@proximity/proxmox";

/** Why a container got no `docker compose`: its template's distribution does not package it. */
export const COMPOSE_UNAVAILABLE =
  "Docker Compose v2 (docker compose) is not packaged for the distribution of this container: use a Debian 13 or Ubuntu 24.04 template";

/**
 * Installs Docker and the `docker compose` plugin from the distribution's own signed archive
 * (apt), unless `docker compose` already works; nothing is downloaded from elsewhere or piped into
 * a shell. Debian 13 packages the plugin as `docker-compose`, Ubuntu 24.04 as `docker-compose-v2`
 * (tried first: Debian has no such package); Debian 12's `docker-compose` is the old v1, which
 * parses `.env` files differently and lacks `ps --format json`, so such a container fails here
 * with COMPOSE_UNAVAILABLE instead of later and obscurely. Idempotent: apt installs what is missing.
 */
export const INSTALL_DOCKER_SCRIPT = [
  "if ! docker compose version >/dev/null 2>&1; then",
  "export DEBIAN_FRONTEND=noninteractive;",
  "apt-get update && apt-get install -y docker.io || exit 1;",
  "apt-get install -y docker-compose-v2 || apt-get install -y docker-compose || exit 1;",
  `docker compose version >/dev/null 2>&1 || { echo ${shellQuote(COMPOSE_UNAVAILABLE)} >&2; exit 1; };`,
  "fi",
].join(" ");

/** Addresses of the container, first IPv4 wins. */
export const HOSTNAME_ADDRESSES_SCRIPT = "hostname -I";

/** Where an app's files live inside its container. */
export function appDirectory(appId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(appId)) {
    throw new ValidationError("The app id cannot be used as a directory name", [
      { field: "app_id", message: "letters, digits, - and _ only" },
    ]);
  }
  return `/opt/proximity/${appId}`;
}

export function composeFilePath(appId: string): string {
  return `${appDirectory(appId)}/docker-compose.yml`;
}

export function envFilePath(appId: string): string {
  return `${appDirectory(appId)}/.env`;
}

/**
 * Writes stdin to `path` (owner-only: the .env holds secret values) through a temporary file and a
 * rename, so a cut connection never leaves a half-written file. The content travels on stdin,
 * never in this command line (a node's process list shows command lines to every local user).
 */
export function writeFromStdinScript(path: string): string {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const tmp = `${path}.tmp`;
  return `umask 077; mkdir -p ${shellQuote(dir)}; cat > ${shellQuote(tmp)} && mv ${shellQuote(tmp)} ${shellQuote(path)}`;
}

/** Prints the app's .env (empty when there is none). Its output holds secret values: never log it. */
export function readEnvFileScript(appId: string): string {
  return `cat ${shellQuote(envFilePath(appId))} 2>/dev/null || true`;
}

/** Renames a cloned app's directory to the clone's own (a no-op when already done). */
export function moveAppDirectoryScript(fromAppId: string, toAppId: string): string {
  const from = shellQuote(appDirectory(fromAppId));
  const to = shellQuote(appDirectory(toAppId));
  return `if [ -d ${from} ] && [ ! -d ${to} ]; then mv ${from} ${to}; fi; test -f ${shellQuote(composeFilePath(toAppId))}`;
}

export function composeUpScript(appId: string): string {
  return `docker compose -f ${shellQuote(composeFilePath(appId))} up -d`;
}

export function composePullScript(appId: string): string {
  return `docker compose -f ${shellQuote(composeFilePath(appId))} pull`;
}

/** Recreates the services whose definition changed and removes those no longer defined. */
export function composeRecreateScript(appId: string): string {
  return `docker compose -f ${shellQuote(composeFilePath(appId))} up -d --remove-orphans`;
}

export function composePsScript(appId: string): string {
  return `docker compose -f ${shellQuote(composeFilePath(appId))} ps --format json`;
}

/** The line between the compose states and the container's addresses in composeStatusScript's output. */
export const ADDRESSES_MARKER = "--- proximity addresses ---";

/**
 * The app's services (`docker compose ps --format json`), then ADDRESSES_MARKER and the
 * container's addresses (`hostname -I`): one command where there were two (each `pct exec` costs
 * a process on the node). `&&`: a failing `ps` fails the command as before.
 */
export function composeStatusScript(appId: string): string {
  return `${composePsScript(appId)} && echo ${shellQuote(ADDRESSES_MARKER)} && ${HOSTNAME_ADDRESSES_SCRIPT}`;
}
