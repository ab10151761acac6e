import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { UnavailableError } from "@proximity/errors";

/**
 * scrypt hashing, stored as `scrypt$N$r$p$salt$hash` (salt and hash base64) so the parameters can
 * be raised later while old hashes still verify with the ones they were made with; `needsRehash`
 * tells login to store a fresh hash once the password is known to be right.
 *
 * Parameters: OWASP's Password Storage Cheat Sheet minimum for scrypt, N=2^17, r=8, p=1
 * (128 MiB and about 0.3 s per hash on one core of a current server).
 */
export const SCRYPT_PARAMS = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Stored parameters beyond these are refused rather than computed (1 GiB, a whole core for seconds). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * Hashes run on libuv's threadpool, which the process keeps at its default 4 threads (it also
 * serves DNS lookups and file I/O). At most this many run at once: memory for hashing stays at
 * 2 × 128 MiB, two threads stay free for the rest, and on a 2-core machine more parallel hashes
 * would not finish sooner anyway. Beyond MAX_WAITING queued hashes a login is refused (503)
 * instead of queueing without bound.
 */
const MAX_CONCURRENT_HASHES = 2;
const MAX_WAITING_HASHES = 200;

type ScryptParams = { readonly N: number; readonly r: number; readonly p: number };

let running = 0;
const waiting: Array<() => void> = [];
let derivations = 0;

/** scrypt derivations this process has run (hashes and verifications): for metrics and tests. */
export function scryptDerivations(): number {
  return derivations;
}

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) {
    if (waiting.length >= MAX_WAITING_HASHES) {
      throw new UnavailableError("Too many sign-ins at once, try again in a moment");
    }
    // A finishing hash hands its slot over directly (running stays counted).
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** scrypt needs 128·r·(N + p + 2) bytes (OpenSSL's own check); node's default limit is 32 MiB. */
const maxmemOf = ({ N, r, p }: ScryptParams) => 128 * r * (N + p + 2) + 1024 * 1024;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: maxmemOf(params) };
  return withHashSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        derivations++;
        scrypt(password.normalize("NFKC"), salt, KEY_BYTES, options, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      }),
  );
}

interface StoredHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parseStored(stored: string): StoredHash | null {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash || rest.length > 0) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((v) => Number.isSafeInteger(v) && v > 0)) return null;
  // N must be a power of two above 1.
  if (params.N < 2 || (params.N & (params.N - 1)) !== 0) return null;
  if (params.N > MAX_N || params.r > MAX_R || params.p > MAX_P) return null;
  return { params, salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
}

/** Hashes a password with a fresh salt and the current parameters. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, SCRYPT_PARAMS);
  return [
    "scrypt",
    SCRYPT_PARAMS.N,
    SCRYPT_PARAMS.r,
    SCRYPT_PARAMS.p,
    salt.toString("base64"),
    key.toString("base64"),
  ].join("$");
}

/** True when `password` matches `stored`; false for a malformed hash (never throws on input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.params);
  return parsed.hash.length === actual.length && timingSafeEqual(parsed.hash, actual);
}

/** True when `stored` was made with other parameters than today's: rehash it after a good login. */
export function needsRehash(stored: string): boolean {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const { N, r, p } = parsed.params;
  return N !== SCRYPT_PARAMS.N || r !== SCRYPT_PARAMS.r || p !== SCRYPT_PARAMS.p;
}
