import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasswordIssue,
  passwordIssue,
} from "@proximity/rules";

/** The API's words for each way a new password breaks the policy (DESIGN.md Security; @proximity/rules). */
const MESSAGE: Readonly<Record<PasswordIssue, string>> = {
  empty: `must be at least ${PASSWORD_MIN_LENGTH} characters`,
  "too-short": `must be at least ${PASSWORD_MIN_LENGTH} characters`,
  "too-long": `must be at most ${PASSWORD_MAX_LENGTH} characters`,
  "contains-username": "must not contain the username",
};

/** Returns why `password` is not acceptable for `username`, or null when it is. */
export function passwordProblem(password: string, username: string): string | null {
  const issue = passwordIssue(password, username);
  return issue === undefined ? null : MESSAGE[issue];
}
