import { isIPv4, isIPv6 } from "node:net";

/**
 * The key under which a client address is throttled and rate limited. IPv4 addresses stand for
 * themselves (an IPv4-mapped IPv6 address is its IPv4 address); IPv6 addresses are grouped by
 * their /64, the smallest block a subscriber is usually given, so rotating through one's own
 * prefix buys no fresh budget. Returns null for anything that is not an IP address.
 */
export function addressKey(ip: string): string | null {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return null;
  const hextets = expandIPv6(ip.split("%")[0]!);
  if (!hextets) return null;
  const mapped = hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
  if (mapped) return [hextets[6]! >> 8, hextets[6]! & 0xff, hextets[7]! >> 8, hextets[7]! & 0xff].join(".");
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function expandIPv6(address: string): number[] | null {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail, ...more] = text.split("::");
  if (more.length > 0) return null;
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((h) => Number.parseInt(h, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array<number>(Math.max(missing, 0)).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : null;
}
