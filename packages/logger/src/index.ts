/**
 * pino JSON logging with secret redaction. Every service builds one root logger and derives a
 * child per RPC, HTTP request and bus message carrying request, trace, event and operation ids.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

/** Keys whose values are never written, at any of the first three nesting levels. */
const SECRET_KEYS = [
  "password",
  "newPassword",
  "token",
  "apiToken",
  "apiSecret",
  "api_secret",
  "secret",
  "secretValue",
  "value",
  "privateKey",
  "private_key",
  "sshPrivateKey",
  "ssh_private_key",
  "sshPassword",
  "ssh_password",
  "authorization",
  "cookie",
  "set-cookie",
  "credentials",
  "ticket",
  "CSRFPreventionToken",
  "csrfToken",
];

/** pino redact paths covering SECRET_KEYS at depth 0–2 (pino wildcards match one level). */
export const redactPaths: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const sep = k.startsWith("[") ? "" : ".";
  return [k, `*${sep}${k}`, `*.*${sep}${k}`];
});

export interface LoggerConfig {
  /** Service name, written on every line. */
  readonly service: string;
  readonly version?: string;
  /** pino level; defaults to "info". */
  readonly level?: string;
}

/**
 * Creates the root logger of a service.
 * @example
 * const log = createLogger({ service: "applications", level: config.LOG_LEVEL });
 * log.child({ requestId }).info("deploy requested");
 */
export function createLogger(config: LoggerConfig, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.level ?? "info",
    base: { service: config.service, version: config.version ?? "0.1.0" },
    redact: { paths: [...redactPaths], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
