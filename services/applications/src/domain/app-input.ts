import { HOSTNAME_FIELD_MESSAGES, hostnameIssue } from "@proximity/rules";

/**
 * Rules for what a user may ask to deploy. The gateway checks them too; the service repeats the
 * checks because it is the owner of the data and other callers may appear. Both take the rules from
 * @proximity/rules (environment rules: @proximity/app-env); so are the field errors' words.
 */

/**
 * Why `hostname` is not an RFC 1123 host name (dot-separated labels of 1–63 lower-case letters,
 * digits and hyphens, no hyphen at either end, 253 characters in all), or undefined when it is.
 */
export function hostnameProblem(hostname: string): string | undefined {
  const issue = hostnameIssue(hostname);
  return issue === undefined ? undefined : HOSTNAME_FIELD_MESSAGES[issue];
}
