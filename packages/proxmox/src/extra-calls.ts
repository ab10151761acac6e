/**
 * The calls of ExtendedProxmoxClient beyond the core contract: snapshots, clone, backup and restore,
 * config updates, storage listing and deletion, metrics.
 */
import type { CreateContainerParams, Upid } from "./api.js";
import type { ApiCaller } from "./api-caller.js";
import type { ExtendedProxmoxClient, PruneBackupsOptions } from "./extended-api.js";
import { apiPath, type ParamValue } from "./params.js";
import {
  list,
  toInterface,
  toPruneEntry,
  toRrdPoint,
  toSnapshot,
  toStorage,
  toStorageContent,
  toUpid,
} from "./records.js";
import { assertNode, assertVmid } from "./validate.js";

/** The extra methods, implemented over an ApiCaller. */
export type ExtraCalls = Omit<ExtendedProxmoxClient, keyof import("./api.js").ProxmoxClient | "close">;

/** Builds the extra calls; `create` is the client's createContainer (restore reuses it). */
export function createExtraCalls(
  api: ApiCaller,
  create: (node: string, params: CreateContainerParams) => Promise<Upid>,
): ExtraCalls {
  const ct = (node: string, vmid: number) => {
    assertNode(node);
    assertVmid(vmid);
    return apiPath`/nodes/${node}/lxc/${vmid}`;
  };
  return {
    async listSnapshots(node, vmid) {
      return list((await api.call("GET", `${ct(node, vmid)}/snapshot`)).data, toSnapshot);
    },
    async createSnapshot(node, vmid, snapname, description) {
      return toUpid((await api.call("POST", `${ct(node, vmid)}/snapshot`, { snapname, description })).data);
    },
    async deleteSnapshot(node, vmid, snapname, options = {}) {
      const path = `${ct(node, vmid)}${apiPath`/snapshot/${snapname}`}`;
      return toUpid((await api.call("DELETE", path, { force: options.force })).data);
    },
    async rollbackSnapshot(node, vmid, snapname, options = {}) {
      const path = `${ct(node, vmid)}${apiPath`/snapshot/${snapname}/rollback`}`;
      return toUpid((await api.call("POST", path, { start: options.start })).data);
    },
    async cloneContainer(node, vmid, params) {
      assertVmid(params.newid, "newid");
      return toUpid((await api.call("POST", `${ct(node, vmid)}/clone`, { ...params })).data);
    },
    async vzdump(node, params) {
      assertNode(node);
      const ids = typeof params.vmid === "number" ? [params.vmid] : [...params.vmid];
      for (const id of ids) assertVmid(id);
      const body: Record<string, ParamValue> = {
        vmid: ids.join(","),
        storage: params.storage,
        mode: params.mode,
        compress: params.compress,
        "notes-template": params.notesTemplate,
        protected: params.protected,
        remove: params.remove,
      };
      return toUpid((await api.call("POST", apiPath`/nodes/${node}/vzdump`, body)).data);
    },
    restoreContainer(node, params) {
      const { archive, ...rest } = params;
      return create(node, { ...rest, ostemplate: archive, restore: true });
    },
    async updateContainerConfig(node, vmid, params, options = {}) {
      const body: Record<string, ParamValue> = { ...params, digest: options.digest };
      if (options.delete?.length) body.delete = options.delete.join(",");
      await api.call("PUT", `${ct(node, vmid)}/config`, body);
    },
    async containerInterfaces(node, vmid) {
      return list((await api.call("GET", `${ct(node, vmid)}/interfaces`)).data, toInterface);
    },
    async listStorages(node, options = {}) {
      assertNode(node);
      return list((await api.call("GET", apiPath`/nodes/${node}/storage`, { ...options })).data, toStorage);
    },
    async listStorageContent(node, storage, options = {}) {
      assertNode(node);
      if (options.vmid !== undefined) assertVmid(options.vmid);
      const path = apiPath`/nodes/${node}/storage/${storage}/content`;
      return list((await api.call("GET", path, { ...options })).data, toStorageContent);
    },
    listTemplates(node, storage) {
      return this.listStorageContent(node, storage, { content: "vztmpl" });
    },
    async deleteStorageContent(node, storage, volume, options = {}) {
      assertNode(node);
      const path = apiPath`/nodes/${node}/storage/${storage}/content/${volume}`;
      const data = (await api.call("DELETE", path, { delay: options.delay })).data;
      return data === null || data === undefined || data === "" ? null : toUpid(data);
    },
    async updateStorageContent(node, storage, volume, attrs) {
      assertNode(node);
      const path = apiPath`/nodes/${node}/storage/${storage}/content/${volume}`;
      await api.call("PUT", path, { notes: attrs.notes, protected: attrs.protected });
    },
    async previewPruneBackups(node, storage, keep, options = {}) {
      const path = prunePath(node, storage, options.vmid);
      const params = { "prune-backups": pruneBackupsString(keep), type: "lxc", vmid: options.vmid };
      return list((await api.call("GET", path, params)).data, toPruneEntry);
    },
    async pruneBackups(node, storage, keep, options = {}) {
      const path = prunePath(node, storage, options.vmid);
      const params = { "prune-backups": pruneBackupsString(keep), type: "lxc", vmid: options.vmid };
      return toUpid((await api.call("DELETE", path, params)).data);
    },
    async containerRrdData(node, vmid, timeframe, cf) {
      return list((await api.call("GET", `${ct(node, vmid)}/rrddata`, { timeframe, cf })).data, toRrdPoint);
    },
  };
}

function prunePath(node: string, storage: string, vmid: number | undefined): string {
  assertNode(node);
  if (vmid !== undefined) assertVmid(vmid);
  return apiPath`/nodes/${node}/storage/${storage}/prunebackups`;
}

/** `keep-last=3,keep-daily=7`; an empty policy keeps everything (`keep-all=1`). */
export function pruneBackupsString(keep: PruneBackupsOptions): string {
  const parts = [
    ["keep-last", keep.keepLast],
    ["keep-hourly", keep.keepHourly],
    ["keep-daily", keep.keepDaily],
    ["keep-weekly", keep.keepWeekly],
    ["keep-monthly", keep.keepMonthly],
    ["keep-yearly", keep.keepYearly],
  ]
    .filter(([, n]) => typeof n === "number" && n > 0)
    .map(([k, n]) => `${k}=${n}`);
  return keep.keepAll || parts.length === 0 ? "keep-all=1" : parts.join(",");
}
