import type { applicationsV1 } from "@proximity/proto";
import { isNodeName, NODE_NAME_FIELD_MESSAGE } from "@proximity/rules";
import { z } from "zod";
import { appJson, hostnameField } from "./app.schema.js";

export const APP_ACTIONS = ["start", "stop", "restart", "update", "delete", "retry"] as const;

export const appActionBody = z.object({ action: z.enum(APP_ACTIONS) }).strict();

/** What happens to an app's backups when it is deleted. */
export const BACKUP_FATES = { keep: "kept", delete: "deleted" } as const;

/** Query strings carry booleans as text; only the two spellings are accepted (no "yes", "1"). */
const queryBool = z.enum(["true", "false"]).transform((v) => v === "true");

export const deleteAppQuery = z.object({
  backups: z.enum(["keep", "delete"]).default("keep"),
  /** Admins only; for adopted apps: destroy the container too instead of only detaching it. */
  destroy_container: queryBool.default(false),
});

/** 202 answer of a delete: the app (now removing) and what happens to its backups. */
export const deletedAppJson = appJson.extend({ backups: z.enum(["kept", "deleted"]) });

/** 202 answer of an action; `backups` only for `delete`. */
export const actionAppJson = appJson.extend({ backups: z.enum(["kept", "deleted"]).optional() });

export const cloneAppBody = z.object({ new_hostname: hostnameField }).strict();

export const discoverQuery = z.object({ host_id: z.uuid() });

export const discoveredContainerJson = z.object({
  node: z.string(),
  vmid: z.number().int(),
  name: z.string(),
  status: z.string(),
  cores: z.number().int(),
  max_mem_bytes: z.number(),
  max_disk_bytes: z.number(),
  /** Proxmox tags of the container. */
  tags: z.array(z.string()),
});

export function toDiscoveredContainerJson(
  c: applicationsV1.DiscoveredContainer,
): z.infer<typeof discoveredContainerJson> {
  return {
    node: c.node,
    vmid: c.vmid,
    name: c.name,
    status: c.status,
    cores: c.cores,
    max_mem_bytes: c.maxMemBytes,
    max_disk_bytes: c.maxDiskBytes,
    // Proxmox keeps tags as one string separated by ';' (older versions: ',' or spaces).
    tags: c.tags.split(/[;,\s]+/).filter((t) => t !== ""),
  };
}

/** Proxmox VMIDs are 100 … 999 999 999. */
const vmid = z.number().int().min(100).max(999_999_999);

export const adoptAppBody = z
  .object({
    host_id: z.uuid(),
    node: z.string().refine(isNodeName, NODE_NAME_FIELD_MESSAGE),
    vmid,
    /** Catalog type of what runs inside, when known. */
    catalog_id: z.string().min(1).max(100).optional(),
    /** Defaults to the container's own hostname. */
    hostname: hostnameField.optional(),
    /** Defaults to the calling admin. */
    owner_id: z.uuid().optional(),
    /** Port the app listens on inside the container, for its access URL. */
    port: z.number().int().min(1).max(65535).optional(),
  })
  .strict();

export function toAdoptAppRequest(body: z.infer<typeof adoptAppBody>): applicationsV1.AdoptAppRequest {
  return {
    hostId: body.host_id.toLowerCase(),
    node: body.node,
    vmid: body.vmid,
    catalogId: body.catalog_id ?? "",
    hostname: body.hostname ?? "",
    ownerId: body.owner_id?.toLowerCase() ?? "",
    port: body.port ?? 0,
  };
}
