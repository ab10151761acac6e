/** The gateway's rule for usernames (services/api-gateway/src/http/schemas/user.schema.ts). */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const USERNAME_MAX_LENGTH = 64;

/** Why `username` would be refused, in plain words, or undefined. */
export function usernameProblem(username: string): string | undefined {
  if (username === "") return "Enter a username.";
  if (username.length > USERNAME_MAX_LENGTH) return `Use at most ${USERNAME_MAX_LENGTH} characters.`;
  if (!USERNAME.test(username))
    return "Use letters, digits, '.', '_' and '-' only, starting with a letter or digit.";
  return undefined;
}
