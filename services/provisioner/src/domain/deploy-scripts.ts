/**
 * The shell scripts run inside an app container (through `execInContainer`, which does the
 * `pct exec … sh -c` quoting). Each is idempotent, so a retried step may run it again.
 */
import { ValidationError } from "@proximity/errors";
import { shellQuote } from "@proximity/proxmox";

const HEREDOC_END = "PROXIMITY_EOF";

/** Installs Docker unless it is already there. */
export const INSTALL_DOCKER_SCRIPT =
  "command -v docker >/dev/null 2>&1 || { apt-get update && apt-get install -y ca-certificates curl && curl -fsSL https://get.docker.com | sh; }";

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

/**
 * Writes docker-compose.yml and .env (owner-only: it may hold app secrets) in the app directory.
 * One command per line under `set -e`: a here-document ends at its delimiter line, so commands
 * cannot be chained after it with `&&`.
 */
export function writeAppFilesScript(appId: string, compose: string, envFile: string): string {
  const dir = appDirectory(appId);
  return [
    "set -e",
    `mkdir -p ${shellQuote(dir)}`,
    heredoc(`${dir}/docker-compose.yml`, compose),
    "umask 077",
    heredoc(`${dir}/.env`, envFile),
  ].join("\n");
}

export function composeUpScript(appId: string): string {
  return `docker compose -f ${shellQuote(composeFilePath(appId))} up -d`;
}

export function composePsScript(appId: string): string {
  return `docker compose -f ${shellQuote(composeFilePath(appId))} ps --format json`;
}

/**
 * `cat > path <<'END'`: the quoted delimiter keeps `$`, backticks and backslashes literal. Content
 * containing the delimiter line would end the document early, so it is refused.
 */
function heredoc(path: string, content: string): string {
  if (content.split("\n").includes(HEREDOC_END)) {
    throw new ValidationError(`The app's files may not contain a line reading ${HEREDOC_END}`);
  }
  const body = content.endsWith("\n") || content === "" ? content : `${content}\n`;
  return `cat > ${shellQuote(path)} <<'${HEREDOC_END}'\n${body}${HEREDOC_END}`;
}
