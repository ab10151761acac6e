import { USERNAME_MAX_LENGTH, type UsernameIssue, usernameIssue } from "@proximity/rules";

/** The gateway's rule for usernames (@proximity/rules), in plain words. */
const MESSAGE: Record<UsernameIssue, string> = {
  empty: "Enter a username.",
  "too-long": `Use at most ${USERNAME_MAX_LENGTH} characters.`,
  characters: "Use letters, digits, '.', '_' and '-' only, starting with a letter or digit.",
};

/** Why `username` would be refused, in plain words, or undefined. */
export function usernameProblem(username: string): string | undefined {
  const issue = usernameIssue(username);
  return issue ? MESSAGE[issue] : undefined;
}
