/**
 * A minimal scan of a compose file for its service names and images. No YAML library is
 * available; block-style `services:` (what every real compose file uses) is enough here.
 */

export interface ComposeService {
  readonly name: string;
  readonly image: string;
  /** The `restart:` policy, "" when none. */
  readonly restart: string;
}

/**
 * Services in declaration order; `image` defaults to the service name (a `build:` service). Values
 * are taken literally: `${VAR}` interpolation is not modelled.
 */
export function scanComposeServices(text: string): ComposeService[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^services:\s*(#.*)?$/.test(l));
  if (start < 0) return [];
  const services: { name: string; image: string; restart: string }[] = [];
  let serviceIndent: number | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) break; // next top-level key (networks:, volumes:)
    serviceIndent ??= indent;
    const key = /^\s*["']?([A-Za-z0-9._-]+)["']?:\s*(#.*)?$/.exec(line);
    if (indent === serviceIndent && key) {
      services.push({ name: key[1]!, image: key[1]!, restart: "" });
      continue;
    }
    const current = services[services.length - 1];
    if (!current || indent <= serviceIndent) continue;
    const value = /^\s+(image|restart):\s*["']?([^"'#\s]+)/.exec(line);
    if (value?.[1] === "image") current.image = value[2]!;
    if (value?.[1] === "restart" && value[2] !== "no") current.restart = value[2]!;
  }
  return services;
}
