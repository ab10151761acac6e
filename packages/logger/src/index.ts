/**
 * pino JSON logging with secret redaction. Every service builds one root logger and derives a
 * child per RPC, HTTP request and bus message carrying request, trace, event and operation ids.
 */
import { type ChildLoggerOptions, type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

/** Keys whose values are never written, at any of the first three nesting levels. */
export const SECRET_KEYS: readonly string[] = [
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
    ...loggerOptions(config),
    redact: { paths: [...redactPaths], censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * createLogger's pino options without redaction: the bare baseline of `pnpm bench:logging`, so the
 * two cannot drift apart. Services use createLogger.
 */
export function loggerOptions(config: LoggerConfig): LoggerOptions {
  return {
    level: config.level ?? "info",
    base: { service: config.service, version: config.version ?? "0.1.0" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}

/**
 * `parent.child(bindings, options)`, made only when first used: pino serialises a child's bindings
 * when it is made, and most RPCs and bus messages log nothing (two children per RPC were ~5 % of the
 * applications service's CPU on the list path, profiled). Behaves as the child in every way.
 *
 * While it is not made yet, its own children (`.child(more)`, or a lazyChild of it) are pending
 * children of `parent` with both sets of bindings: one pino child instead of a chain of them, each
 * of which runs redaction over its bindings (a gateway request's id, trace id and user id were
 * three children, ~3 % of its busy time, profiled). Lines are the same: pino writes a child's
 * bindings after its parent's (the pending child follows `parent`'s level, as this one would).
 * Bindings that repeat a key, or child options, make a real child. Reading a method does not make
 * the child either, only calling it (fastify checks that a request logger has its methods).
 * @example
 * const log = lazyChild(logger, { rpc: "GetApp", traceId });
 */
export function lazyChild(
  parent: Logger,
  bindings: Record<string, unknown>,
  options?: ChildLoggerOptions,
): Logger {
  let child: Logger | undefined;
  const real = () => {
    child ??= parent.child(bindings, options);
    return child;
  };
  const childOf = (more: Record<string, unknown>, moreOptions?: ChildLoggerOptions): Logger =>
    moreOptions === undefined && joinsInOrder(bindings, more)
      ? lazyChild(parent, { ...bindings, ...more }, options)
      : real().child(more, moreOptions);
  return new Proxy({} as Logger, {
    get(_, key) {
      if (child === undefined && key === "child") return childOf;
      if (child === undefined && typeof Reflect.get(parent, key) === "function") {
        return (...args: unknown[]) => {
          const target = real();
          return Reflect.apply(
            Reflect.get(target, key, target) as (...a: unknown[]) => unknown,
            target,
            args,
          );
        };
      }
      const target = real();
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
  });
}

/**
 * Whether `{...bindings, ...more}` writes what a child of a child would: no key twice (pino would
 * write both), and no array-index key in `more` (objects list those first, ahead of `bindings`).
 */
function joinsInOrder(bindings: Record<string, unknown>, more: Record<string, unknown>): boolean {
  return Object.keys(more).every((key) => !Object.hasOwn(bindings, key) && !/^(0|[1-9]\d*)$/.test(key));
}
