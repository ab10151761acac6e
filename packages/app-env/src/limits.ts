/** Bounds of an app's environment, the same at every layer (gateway, applications, provisioner). */
export const ENV_LIMITS = {
  /** Variables per app (catalog-declared and user-given together). */
  maxEntries: 50,
  /** Characters of a variable name. */
  nameMaxLength: 128,
  /** UTF-8 bytes of one value (a PEM key fits; a file does not). */
  valueMaxBytes: 4096,
} as const;
