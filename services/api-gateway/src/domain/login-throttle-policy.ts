import { createHash } from "node:crypto";

/**
 * Login throttling by progressive delay, never a hard lock. Every attempt first reserves a slot on
 * each of its keys; a key's first `freeAttempts` attempts are free, after that each one makes the
 * next wait `baseDelayMs` doubling up to `maxDelayMs`. Failures leak away: one every `leakMs`,
 * whether or not the key is in use meanwhile. A success gives its attempt back, clears the pair,
 * and ends the address's current delay, so only failures accumulate, and people behind one shared
 * address who sign in correctly are not held back by the typos of others once the burst is over.
 *
 * - pair (account, address): the tightest; one guesser at one account.
 * - address: every account tried from one address (credential stuffing); the most free attempts,
 *   because many people may share an address (NAT, proxy), and it leaks fastest.
 * - account: every address trying one account (a distributed guesser). It does not apply to an
 *   address that signed in to the account within `knownSourceMs`, so hammering an account from
 *   elsewhere cannot keep its owner out.
 *
 * A key leaks no faster than one failure per `maxDelayMs`, so a guesser at full delay gains
 * nothing by the leak: about 70–100 guesses in the first hour on one key and 60 an hour after
 * (ASVS 2.2.1: at most 100 failed attempts per hour on one account).
 */
export const LOGIN_THROTTLE = {
  scopes: {
    pair: { freeAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, leakMs: 120_000 },
    address: { freeAttempts: 30, baseDelayMs: 1_000, maxDelayMs: 60_000, leakMs: 60_000 },
    account: { freeAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 60_000, leakMs: 120_000 },
  },
  /** A row left alone this long, with its failures leaked away and no delay left, is deleted. */
  forgetAfterMs: 15 * 60_000,
  /** How long a successful sign-in exempts its address from the account's delay. */
  knownSourceMs: 30 * 24 * 3_600_000,
  /** How often old rows are deleted (by every replica; the delete is idempotent). */
  pruneIntervalMs: 5 * 60_000,
} as const;

export type ThrottleScope = keyof typeof LOGIN_THROTTLE.scopes;

export interface ScopePolicy {
  readonly freeAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** One counted failure leaks away per this many ms. */
  readonly leakMs: number;
}

/** A key's count of failures as of `countedAt`. */
export interface FailureCount {
  readonly attempts: number;
  readonly countedAt: number;
}

/**
 * The count at `now`: one failure fewer per whole `leakMs` since `countedAt`, never below zero;
 * the clock keeps the part of a leak period already run (restarts at `now` once the count is 0).
 * (The database does the same in SQL: db/login-throttle.repository.ts.)
 */
export function leakFailures(count: FailureCount, now: number, leakMs: number): FailureCount {
  const leaked = Math.floor(Math.max(0, now - count.countedAt) / leakMs);
  const attempts = count.attempts - leaked;
  if (attempts <= 0) return { attempts: 0, countedAt: now };
  return { attempts, countedAt: count.countedAt + leaked * leakMs };
}

/** Delay imposed after the `attempts`-th attempt on a key (0 while attempts are free). */
export function delayAfterAttempts(policy: ScopePolicy, attempts: number): number {
  if (attempts < policy.freeAttempts) return 0;
  const doublings = Math.min(attempts - policy.freeAttempts, 30);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** doublings);
}

/** One key an attempt reserves a slot on. */
export interface ThrottleKey {
  readonly scope: ThrottleScope;
  readonly keyHash: string;
}

/** Who is trying: the account name as typed (whether or not it exists) and the address key. */
export interface LoginSourceKeys {
  readonly account: string;
  readonly address: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Usernames match case-insensitively, so their throttle keys do too. */
export const accountKeyOf = (username: string) => username.normalize("NFKC").toLowerCase();

/**
 * The keys an attempt reserves, in the one order every attempt locks them (account, address,
 * pair), so concurrent attempts never wait on each other in a cycle. The account key is left out
 * for a known source.
 */
export function throttleKeys(source: LoginSourceKeys, knownSource: boolean): ThrottleKey[] {
  const keys: ThrottleKey[] = [];
  if (!knownSource) keys.push({ scope: "account", keyHash: sha256(`account\0${source.account}`) });
  keys.push({ scope: "address", keyHash: sha256(`address\0${source.address}`) });
  keys.push({ scope: "pair", keyHash: sha256(`pair\0${source.account}\0${source.address}`) });
  return keys;
}

/** The key of a (account, address) source in the known-sources table. */
export const knownSourceHash = (source: LoginSourceKeys) =>
  sha256(`source\0${source.account}\0${source.address}`);

/** Whole seconds until `nextAllowedAt`, at least 1 (the value of Retry-After). */
export function retryAfterSeconds(nextAllowedAt: Date, now: Date): number {
  return Math.max(1, Math.ceil((nextAllowedAt.getTime() - now.getTime()) / 1000));
}
