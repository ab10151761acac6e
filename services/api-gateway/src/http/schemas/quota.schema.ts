import type { applicationsV1 } from "@proximity/proto";
import { z } from "zod";

export const setQuotaBody = z
  .object({
    /** 0 clears the user's own value: the configured default applies again. */
    max_apps: z.number().int().min(0).max(10_000),
  })
  .strict();

export const quotaJson = z.object({
  user_id: z.string(),
  max_apps: z.number().int(),
  /** Live apps the user owns now. */
  used: z.number().int(),
  /** True when max_apps is the configured default (no per-user value). */
  is_default: z.boolean(),
});

export function toQuotaJson(quota: applicationsV1.UserQuota | undefined): z.infer<typeof quotaJson> {
  if (!quota) throw new Error("the applications service answered without a quota");
  return {
    user_id: quota.userId,
    max_apps: quota.maxApps,
    used: quota.used,
    is_default: quota.isDefault,
  };
}
