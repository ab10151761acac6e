/**
 * keys usage | rotate: the secrets service's key-encryption keys (SecretsAdminService, operators
 * only). Neither returns key material or secret values: key ids and counts only.
 */
import { formatTable } from "../format/table.js";
import { type Command, intOption } from "./command.js";

export const keyUsage: Command = {
  noun: "keys",
  verb: "usage",
  args: [],
  options: [],
  summary: "how many secret versions each key-encryption key protects",
  async run(ctx) {
    const res = await ctx.clients.secretsAdmin.getKeyUsage({});
    const table = formatTable(
      ["KEY", "SECRET VERSIONS", "CURRENT"],
      res.usage.map((u) => [u.keyId, String(u.versions), u.keyId === res.currentKeyId ? "yes" : "no"]),
    );
    return { json: res, text: `Current key-encryption key: ${res.currentKeyId}\n${table}` };
  },
};

export const rotateKeys: Command = {
  noun: "keys",
  verb: "rotate",
  args: [],
  options: ["batch-size", "max-batches"],
  summary:
    "re-wrap data keys under the current key-encryption key (safe to repeat; --batch-size, --max-batches)",
  async run(ctx) {
    const res = await ctx.clients.secretsAdmin.rewrapDataKeys({
      batchSize: intOption(ctx, "batch-size", { min: 1, max: 1000 }) ?? 0,
      maxBatches: intOption(ctx, "max-batches", { min: 1, max: 1_000_000 }) ?? 0,
    });
    const next =
      res.remaining > 0
        ? "Run it again (safe to repeat) until none remain, before removing an old key from the key ring."
        : "No version is wrapped by another key: old keys can now be removed from the key ring (services/secrets/README.md).";
    return {
      json: res,
      text: `Re-wrapped ${res.rewrapped} data keys under ${res.currentKeyId}; ${res.remaining} secret versions still under other keys.\n${next}`,
    };
  },
};
