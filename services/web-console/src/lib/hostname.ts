import {
  HOSTNAME_MAX_LENGTH,
  HOSTNAME_PART_MAX_LENGTH,
  type HostnameIssue,
  hostnameIssue,
} from "@proximity/rules";
import type { ApiError } from "../api/errors";

// The host name rule of an app, checked in the browser before the API sees it: the rule the gateway
// and the applications service apply (@proximity/rules), in the console's words. Two wordings: the
// deploy form puts the field's label before its messages, as the API words field errors ("Hostname
// is required"); the host name fields of dialogs give advice.

const AFTER_LABEL: Record<HostnameIssue, string> = {
  empty: "is required",
  "too-long": `must be at most ${HOSTNAME_MAX_LENGTH} characters`,
  space: "must not contain spaces",
  "upper-case": "must be lower-case",
  "part-length": `each part between dots must be 1–${HOSTNAME_PART_MAX_LENGTH} characters`,
  "part-characters": "may only contain a–z, 0–9 and '-', and no part may start or end with '-'",
};

const ADVICE: Record<HostnameIssue, string> = {
  empty: "Enter a host name.",
  "too-long": `Use at most ${HOSTNAME_MAX_LENGTH} characters.`,
  space: "Use only a-z, 0-9 and hyphens, and do not start or end a part with a hyphen.",
  "upper-case": "Use lower-case letters only.",
  "part-length": `Each part between dots must be 1–${HOSTNAME_PART_MAX_LENGTH} characters.`,
  "part-characters": "Use only a-z, 0-9 and hyphens, and do not start or end a part with a hyphen.",
};

/** Why `hostname` cannot be deployed, worded to follow the field's label ("is required"). */
export function hostnameProblem(hostname: string): string | undefined {
  const issue = hostnameIssue(hostname);
  return issue ? AFTER_LABEL[issue] : undefined;
}

/** Why `hostname` cannot be used, as a sentence of its own ("Enter a host name."). */
export function hostnameAdvice(hostname: string): string | undefined {
  const issue = hostnameIssue(hostname);
  return issue ? ADVICE[issue] : undefined;
}

/** The rule in plain words, the hint of the deploy form's field. */
export const HOSTNAME_RULE = `Lower-case letters a–z, digits and hyphens, e.g. my-wiki. Dots may separate parts of up to ${HOSTNAME_PART_MAX_LENGTH} characters; no part starts or ends with a hyphen; ${HOSTNAME_MAX_LENGTH} characters at most.`;

/** The rule in short, the hint of a new host name in a dialog (clone, restore into a new app). */
export const HOSTNAME_HINT = `Lower-case letters, digits and hyphens, e.g. wiki-2 (no hyphen at the start or end). Dots may separate parts of up to ${HOSTNAME_PART_MAX_LENGTH} characters.`;

/** A taken host name is a 409 whose detail names it: the message belongs at the host name field. */
export function takenHostnameMessage(error: ApiError | undefined): string | undefined {
  return error?.status === 409 && /host ?name/i.test(error.message) ? error.message : undefined;
}
