import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasswordIssue,
  passwordIssue,
} from "@proximity/rules";

/**
 * The gateway's password policy (@proximity/rules), explained before the API checks it; the API
 * stays the judge and names the field when a password fails.
 */
export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters (at most ${PASSWORD_MAX_LENGTH}), and not containing the username. A passphrase of a few words is easy to type and hard to guess.`;

const MESSAGE: Record<PasswordIssue, string> = {
  empty: "Enter a password.",
  "too-short": `Use at least ${PASSWORD_MIN_LENGTH} characters.`,
  "too-long": `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  "contains-username": "It must not contain the username.",
};

/** Why `password` would be refused for `username` (the gateway's rules), or undefined. */
export function passwordProblem(password: string, username: string): string | undefined {
  const issue = passwordIssue(password, username);
  return issue ? MESSAGE[issue] : undefined;
}
