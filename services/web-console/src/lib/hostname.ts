import {
  HOSTNAME_MAX_LENGTH,
  HOSTNAME_PART_MAX_LENGTH,
  type HostnameIssue,
  hostnameIssue,
} from "@proximity/rules";
import type { ApiError } from "../api/errors";

// The host name rule of an app, checked in the browser before the API sees it: the rule the gateway
// and the applications service apply (@proximity/rules), in the console's words. One wording
// everywhere (deploy form, clone and restore dialogs): sentences of their own, saying what to do.

const CHARACTERS = "Use only a–z, 0–9 and hyphens, and do not start or end a part with a hyphen.";

const ADVICE: Record<Exclude<HostnameIssue, "part-length">, string> = {
  empty: "Enter a host name.",
  "too-long": `Use at most ${HOSTNAME_MAX_LENGTH} characters.`,
  space: `Remove the spaces. ${CHARACTERS}`,
  "upper-case": "Use lower-case letters only.",
  "part-characters": CHARACTERS,
};

/** A part too long, or an empty one: a dot at either end, or two dots in a row ("a..b"). */
function partLengthAdvice(hostname: string): string {
  const rule = `Each part between dots must be 1–${HOSTNAME_PART_MAX_LENGTH} characters`;
  if (hostname.startsWith(".") || hostname.endsWith("."))
    return `${rule}: remove the dot at the start or the end (dots only separate parts, as in wiki.home).`;
  if (hostname.includes(".."))
    return `${rule}: remove the extra dot (two dots in a row leave an empty part).`;
  return `${rule}.`;
}

/** Why `hostname` cannot be used, as a sentence of its own ("Enter a host name."). */
export function hostnameAdvice(hostname: string): string | undefined {
  const issue = hostnameIssue(hostname);
  if (!issue) return undefined;
  return issue === "part-length" ? partLengthAdvice(hostname) : ADVICE[issue];
}

/** The rule in plain words, the hint of the deploy form's field. */
export const HOSTNAME_RULE = `Lower-case letters a–z, digits and hyphens, e.g. my-wiki. Dots may separate parts of up to ${HOSTNAME_PART_MAX_LENGTH} characters; no part starts or ends with a hyphen; ${HOSTNAME_MAX_LENGTH} characters at most.`;

/** The rule in short, the hint of a new host name in a dialog (clone, restore into a new app). */
export const HOSTNAME_HINT = `Lower-case letters, digits and hyphens, e.g. wiki-2 (no hyphen at the start or end). Dots may separate parts of up to ${HOSTNAME_PART_MAX_LENGTH} characters.`;

/**
 * A taken host name is a 409 whose detail names it: the message belongs at the host name field,
 * in the console's term ("Host name wiki-2 is already in use"; the API writes "Hostname").
 */
export function takenHostnameMessage(error: ApiError | undefined): string | undefined {
  if (error?.status !== 409 || !/host ?name/i.test(error.message)) return undefined;
  return error.message.replace(/\bHostname\b/, "Host name");
}
