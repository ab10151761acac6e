/**
 * A minimal scan of a compose file for its service names and images. No YAML library is
 * available; block-style `services:` (what every real compose file uses) is enough here.
 */

export interface ComposeService {
  readonly name: string;
  readonly image: string;
}

/** Services in declaration order; `image` defaults to the service name (a `build:` service). */
export function scanComposeServices(text: string): ComposeService[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^services:\s*(#.*)?$/.test(l));
  if (start < 0) return [];
  const services: { name: string; image: string }[] = [];
  let serviceIndent: number | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) break; // next top-level key (networks:, volumes:)
    serviceIndent ??= indent;
    const key = /^\s*["']?([A-Za-z0-9._-]+)["']?:\s*(#.*)?$/.exec(line);
    if (indent === serviceIndent && key) {
      services.push({ name: key[1]!, image: key[1]! });
      continue;
    }
    const image = /^\s+image:\s*["']?([^"'#\s]+)/.exec(line);
    const current = services[services.length - 1];
    if (image && current && indent > serviceIndent) current.image = image[1]!;
  }
  return services;
}
