import { hostnameIssue } from "@proximity/rules";

/**
 * Why `name` cannot be an app's host name, in the API's words, or undefined when it can
 * (@proximity/rules decides). Upper case has its own message, the one the applications service
 * gives: the name is otherwise a valid RFC 1123 host name, and saying so would mislead.
 */
export function hostnameProblem(name: string): string | undefined {
  const issue = hostnameIssue(name);
  if (issue === undefined) return undefined;
  return issue === "upper-case" ? "must be lower-case" : "must be a valid RFC 1123 host name";
}
