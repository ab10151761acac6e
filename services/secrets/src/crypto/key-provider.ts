/** A data key wrapped (encrypted) by a key-encryption key. */
export interface WrappedDataKey {
  /** Id of the key-encryption key that wrapped it. */
  readonly keyId: string;
  readonly wrapped: Buffer;
}

/**
 * Holder of the key-encryption keys (KEKs). Data keys never leave the service unwrapped; KEKs
 * never enter the database. The local implementation reads KEKs from the environment; a KMS or
 * Vault transit implementation can replace it without touching the rest of the service.
 */
export interface KeyProvider {
  /** The KEK new data keys are wrapped with. */
  currentKeyId(): string;
  /** Every KEK id this provider can unwrap with (checked against the ids still in use). */
  keyIds(): readonly string[];
  /** Wraps `dataKey` with KEK `keyId` (default: the current one). */
  wrap(dataKey: Buffer, keyId?: string): Promise<WrappedDataKey>;
  /** Unwraps a data key; rejects when the KEK is unknown or the wrapped key was altered. */
  unwrap(keyId: string, wrapped: Buffer): Promise<Buffer>;
}
