/**
 * Rules for what a user may ask to deploy. The gateway validates too; the service repeats the
 * checks because it is the owner of the data and other callers may appear. Environment rules are
 * shared by every service: @proximity/app-env.
 */

const HOSTNAME_MAX = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why `hostname` is not an RFC 1123 host name (dot-separated labels of 1–63 lower-case letters,
 * digits and hyphens, no hyphen at either end, 253 characters in all), or undefined when it is.
 */
export function hostnameProblem(hostname: string): string | undefined {
  if (hostname.length === 0) return "is required";
  if (hostname.length > HOSTNAME_MAX) return `must be at most ${HOSTNAME_MAX} characters`;
  if (hostname !== hostname.toLowerCase()) return "must be lower-case";
  for (const label of hostname.split(".")) {
    if (label.length === 0 || label.length > 63) return "each label (between dots) must be 1–63 characters";
    if (!LABEL.test(label)) {
      return "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'";
    }
  }
  return undefined;
}
