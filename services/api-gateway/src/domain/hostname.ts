import { HOSTNAME_FIELD_MESSAGES, hostnameIssue } from "@proximity/rules";

/**
 * Why `name` cannot be an app's host name, in the API's words, or undefined when it can
 * (@proximity/rules decides): what is wrong, said plainly ("is required", "must be at most 253
 * characters", "must be lower-case"), the words the applications service uses too.
 */
export function hostnameProblem(name: string): string | undefined {
  const issue = hostnameIssue(name);
  return issue === undefined ? undefined : HOSTNAME_FIELD_MESSAGES[issue];
}
