/** Characters of a whole host name (RFC 1123). */
export const HOSTNAME_MAX_LENGTH = 253;

/** Characters of one part between dots (an RFC 1123 label). */
export const HOSTNAME_PART_MAX_LENGTH = 63;

/** One part: lower-case letters, digits and inner hyphens. */
const PART = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** What is wrong with an app's host name, in the order the rule checks it. */
export type HostnameIssue = "empty" | "too-long" | "space" | "upper-case" | "part-length" | "part-characters";

/**
 * The first thing wrong with `hostname` as an app's host name (its container's name, and the name
 * it is known by), or undefined when it can be used. An RFC 1123 host name in lower case only:
 * DNS ignores case, so one spelling per name keeps "Wiki" and "wiki" from being two apps.
 * @example hostnameIssue("wiki-2.home") // undefined
 * @example hostnameIssue("Wiki") // "upper-case"
 */
export function hostnameIssue(hostname: string): HostnameIssue | undefined {
  if (hostname.length === 0) return "empty";
  if (hostname.length > HOSTNAME_MAX_LENGTH) return "too-long";
  if (/\s/.test(hostname)) return "space";
  if (hostname !== hostname.toLowerCase()) return "upper-case";
  for (const part of hostname.split(".")) {
    if (part.length === 0 || part.length > HOSTNAME_PART_MAX_LENGTH) return "part-length";
    if (!PART.test(part)) return "part-characters";
  }
  return undefined;
}

const PART_CHARACTERS = "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'";

/**
 * The API's field-error wording of each issue (it follows the field's name: "hostname must be
 * lower-case"), the same from the gateway, which answers first, and from the services behind it.
 * The console has its own plain words.
 */
export const HOSTNAME_FIELD_MESSAGES: Readonly<Record<HostnameIssue, string>> = {
  empty: "is required",
  "too-long": `must be at most ${HOSTNAME_MAX_LENGTH} characters`,
  // A space is one of the characters a label may not contain.
  space: PART_CHARACTERS,
  "upper-case": "must be lower-case",
  "part-length": `each label (between dots) must be 1–${HOSTNAME_PART_MAX_LENGTH} characters`,
  "part-characters": PART_CHARACTERS,
};
