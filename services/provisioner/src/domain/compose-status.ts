/**
 * Reading `docker compose ps --format json`. Compose ≥ 2.21 prints one JSON object per line,
 * older versions one JSON array; both are accepted.
 */

export interface ComposeServiceState {
  readonly service: string;
  readonly state: string;
  /** healthy | unhealthy | starting, or "" when the service has no health check. */
  readonly health: string;
}

/** Services and their states; throws SyntaxError when the output is not compose JSON. */
export function parseComposePs(output: string): ComposeServiceState[] {
  const text = output.trim();
  if (text === "") return [];
  const items: unknown[] = text.startsWith("[")
    ? (JSON.parse(text) as unknown[])
    : text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as unknown);
  return items.map((item) => {
    const o = (item ?? {}) as Record<string, unknown>;
    return {
      service: String(o.Service ?? o.Name ?? "?"),
      state: String(o.State ?? "unknown").toLowerCase(),
      health: String(o.Health ?? "").toLowerCase(),
    };
  });
}

/**
 * Names of services that are not running or that their health check reports unhealthy; empty when
 * the app is up (and has services).
 */
export function servicesNotRunning(states: readonly ComposeServiceState[]): string[] {
  if (states.length === 0) return ["(no services)"];
  return states.filter((s) => s.state !== "running" || s.health === "unhealthy").map((s) => s.service);
}

/** Services whose health check has not decided yet (worth waiting for). */
export function servicesStarting(states: readonly ComposeServiceState[]): string[] {
  return states.filter((s) => s.state === "running" && s.health === "starting").map((s) => s.service);
}

/** First IPv4 address of `hostname -I`, or undefined. */
export function firstIpv4(hostnameOutput: string): string | undefined {
  return hostnameOutput
    .trim()
    .split(/\s+/)
    .find((a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a));
}

/**
 * Splits the output of composeStatusScript at `marker`: the compose states before it, the
 * addresses after it. Undefined when the marker is missing (the command printed something else).
 */
export function splitComposeStatus(
  output: string,
  marker: string,
): { readonly ps: string; readonly addresses: string } | undefined {
  const lines = output.split("\n");
  const at = lines.findIndex((line) => line.trim() === marker);
  if (at < 0) return undefined;
  return { ps: lines.slice(0, at).join("\n"), addresses: lines.slice(at + 1).join("\n") };
}
