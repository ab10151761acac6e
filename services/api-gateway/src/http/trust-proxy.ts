import { isIP } from "node:net";

/**
 * What fastify's `trustProxy` is given: false (the socket's peer is the client), the number of
 * proxies in front of the gateway, or the proxies' addresses and CIDRs. Never `true`: trusting
 * every hop makes the client address whatever the client writes first in X-Forwarded-For.
 */
export type TrustProxy = false | number | readonly string[];

/** Names proxy-addr understands for the private ranges. */
const RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isAddressOrCidr(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Why a TRUST_PROXY value is refused, or null when it is fine. */
export function trustProxyProblem(value: string): string | null {
  const text = value.trim().toLowerCase();
  if (text === "true")
    return (
      "true would trust every hop, so any client could pick its own address with X-Forwarded-For " +
      "(and escape throttling and rate limits): give the number of proxies in front of the gateway " +
      "(e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,192.168.1.5)"
    );
  if (text === "" || text === "false" || /^\d{1,2}$/.test(text)) return null;
  const bad = text.split(",").find((entry) => !isAddressOrCidr(entry.trim()));
  return bad === undefined
    ? null
    : `"${bad.trim()}" is neither a hop count (0-99) nor an IP address, CIDR or loopback/linklocal/uniquelocal`;
}

/** Parses a value trustProxyProblem accepted. "0", "false" and "" trust nothing. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim().toLowerCase();
  if (text === "" || text === "false") return false;
  if (/^\d{1,2}$/.test(text)) return Number(text) === 0 ? false : Number(text);
  return text.split(",").map((entry) => entry.trim());
}

/**
 * The value for fastify's `trustProxy`. A hop count becomes the function fastify itself builds
 * for a number (its typings only take booleans, strings and functions): the socket's peer is hop
 * 0, the last X-Forwarded-For entry hop 1, and so on.
 */
export function fastifyTrustProxy(
  trust: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return [...trust];
}
