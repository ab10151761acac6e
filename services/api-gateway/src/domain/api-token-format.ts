import { newSecret } from "./secret-token.js";

/** API tokens read `pxm_<id>_<secret>`: the id finds the row, the secret is checked against its hash. */
const TOKEN_PATTERN =
  /^pxm_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiToken {
  readonly id: string;
  readonly secret: string;
}

/** Builds the token string shown once to its owner. */
export function formatApiToken(id: string, secret: string): string {
  return `pxm_${id}_${secret}`;
}

/** A new secret part for an API token. */
export const newApiTokenSecret = newSecret;

/** Splits a presented token; null when it is not one of ours. */
export function parseApiToken(token: string): ParsedApiToken | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}
