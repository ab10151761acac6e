/**
 * The Proxmox VE API client: one method per endpoint the product uses, on top of the authenticated,
 * breaker-guarded ApiCaller. Results are decoded leniently (records.ts).
 */
import { InternalError, ValidationError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import type { Tracer } from "@proximity/telemetry";
import type {
  ClusterResource,
  ContainerSummary,
  CreateContainerParams,
  NodeSummary,
  ProxmoxClientOptions,
  TaskStatus,
  Upid,
  WaitForTaskOptions,
} from "./api.js";
import { type ApiCaller, createApiCaller } from "./api-caller.js";
import { createAuthenticator } from "./auth.js";
import { type BreakerRegistry, createBreakerRegistry } from "./breaker.js";
import { num, obj, objList, str } from "./decode.js";
import type { ExtendedProxmoxClient } from "./extended-api.js";
import { createExtraCalls, type ExtraCalls } from "./extra-calls.js";
import { createHttpTransport, type HttpTransport } from "./http-transport.js";
import { apiPath } from "./params.js";
import {
  list,
  toClusterResource,
  toContainerSummary,
  toNodeSummary,
  toTaskStatus,
  toUpid,
} from "./records.js";
import { waitForTask } from "./tasks.js";
import { assertNode, assertVmid } from "./validate.js";

/** Collaborators of a client. */
export interface ProxmoxClientDeps {
  readonly logger: Logger;
  /** Shared breakers; when omitted the client gets a private registry (stopped by `close()`). */
  readonly breakers?: BreakerRegistry;
  /** TCP+TLS connect timeout, default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Clock for ticket renewal (tests). */
  readonly now?: () => number;
  /** The service's tracer: one client span per API call. Default: none. */
  readonly tracer?: Tracer;
}

/**
 * Creates a client for one Proxmox host.
 * @example
 * const pve = createProxmoxClient(
 *   { baseUrl: "https://pve1:8006", auth: { kind: "token", tokenId: "proximity@pve!prov", secret },
 *     tls: { fingerprint: "AB:CD:…" } },
 *   { logger, breakers });
 * await pve.waitForTask(await pve.startContainer("pve1", 101));
 */
export function createProxmoxClient(
  options: ProxmoxClientOptions,
  deps: ProxmoxClientDeps,
): ExtendedProxmoxClient {
  return new ProxmoxClientImpl(options, deps);
}

class ProxmoxClientImpl implements ExtendedProxmoxClient {
  readonly #transport: HttpTransport;
  readonly #api: ApiCaller;
  readonly #ownBreakers: BreakerRegistry | undefined;
  readonly #extra: ExtraCalls;

  constructor(options: ProxmoxClientOptions, deps: ProxmoxClientDeps) {
    const url = new URL(options.baseUrl);
    this.#transport = createHttpTransport({
      baseUrl: options.baseUrl,
      tls: options.tls,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      connectTimeoutMs: deps.connectTimeoutMs ?? 10_000,
      logger: deps.logger,
    });
    this.#ownBreakers = deps.breakers ? undefined : createBreakerRegistry();
    this.#api = createApiCaller({
      transport: this.#transport,
      auth: createAuthenticator(options.auth, this.#transport, deps.now ?? Date.now),
      breakers: deps.breakers ?? this.#ownBreakers!,
      breakerKey: options.breakerKey ?? url.host,
      host: url.host,
      tracer: deps.tracer,
    });
    this.#extra = createExtraCalls(this.#api, (node, params) => this.createContainer(node, params));
  }

  async version(): Promise<{ version: string; release: string; repoid: string }> {
    const d = obj((await this.#api.call("GET", "/version")).data);
    return { version: str(d.version) ?? "", release: str(d.release) ?? "", repoid: str(d.repoid) ?? "" };
  }

  async listNodes(): Promise<NodeSummary[]> {
    return list((await this.#api.call("GET", "/nodes")).data, toNodeSummary);
  }

  async nodeStatus(node: string): Promise<Record<string, unknown>> {
    assertNode(node);
    return obj((await this.#api.call("GET", apiPath`/nodes/${node}/status`)).data);
  }

  async clusterResources(type?: "vm" | "storage" | "node"): Promise<ClusterResource[]> {
    return list((await this.#api.call("GET", "/cluster/resources", { type })).data, toClusterResource);
  }

  async nextId(vmid?: number): Promise<number | null> {
    if (vmid !== undefined) assertVmid(vmid);
    try {
      const id = num((await this.#api.call("GET", "/cluster/nextid", { vmid })).data);
      if (id === undefined) throw new InternalError("Proxmox returned no VMID");
      return id;
    } catch (err) {
      // Proxmox answers a taken id with 400 and errors.vmid ("VM N already exists").
      if (
        vmid !== undefined &&
        err instanceof ValidationError &&
        err.fieldErrors.some((f) => f.field === "vmid")
      ) {
        return null;
      }
      throw err;
    }
  }

  async listContainers(node: string): Promise<ContainerSummary[]> {
    assertNode(node);
    return list((await this.#api.call("GET", apiPath`/nodes/${node}/lxc`)).data, toContainerSummary);
  }

  async createContainer(node: string, params: CreateContainerParams): Promise<Upid> {
    assertNode(node);
    assertVmid(params.vmid);
    return this.#upid(await this.#api.call("POST", apiPath`/nodes/${node}/lxc`, { ...params }));
  }

  async containerConfig(node: string, vmid: number): Promise<Record<string, unknown>> {
    this.#check(node, vmid);
    return obj((await this.#api.call("GET", apiPath`/nodes/${node}/lxc/${vmid}/config`)).data);
  }

  async containerStatus(node: string, vmid: number): Promise<ContainerSummary> {
    this.#check(node, vmid);
    const data = obj((await this.#api.call("GET", apiPath`/nodes/${node}/lxc/${vmid}/status/current`)).data);
    return toContainerSummary({ vmid, ...data });
  }

  startContainer(node: string, vmid: number): Promise<Upid> {
    return this.#statusAction(node, vmid, "start");
  }

  stopContainer(node: string, vmid: number): Promise<Upid> {
    return this.#statusAction(node, vmid, "stop");
  }

  shutdownContainer(
    node: string,
    vmid: number,
    timeoutSeconds?: number,
    options: { forceStop?: boolean } = {},
  ): Promise<Upid> {
    return this.#statusAction(node, vmid, "shutdown", {
      timeout: timeoutSeconds,
      forceStop: options.forceStop,
    });
  }

  rebootContainer(node: string, vmid: number): Promise<Upid> {
    return this.#statusAction(node, vmid, "reboot");
  }

  async deleteContainer(
    node: string,
    vmid: number,
    options: { force?: boolean; purge?: boolean; destroyUnreferencedDisks?: boolean } = {},
  ): Promise<Upid> {
    this.#check(node, vmid);
    const params = {
      force: options.force,
      purge: options.purge,
      "destroy-unreferenced-disks": options.destroyUnreferencedDisks,
    };
    return this.#upid(await this.#api.call("DELETE", apiPath`/nodes/${node}/lxc/${vmid}`, params));
  }

  async taskStatus(node: string, upid: Upid): Promise<TaskStatus> {
    assertNode(node);
    const data = obj((await this.#api.call("GET", apiPath`/nodes/${node}/tasks/${upid}/status`)).data);
    return toTaskStatus(data, upid, node);
  }

  async taskLog(
    node: string,
    upid: Upid,
    options: { start?: number; limit?: number } = {},
  ): Promise<string[]> {
    return (await this.#taskLogPage(node, upid, options.start, options.limit)).lines;
  }

  waitForTask(upid: Upid, options?: WaitForTaskOptions): Promise<TaskStatus> {
    const source = {
      taskStatus: (node: string, u: Upid) => this.taskStatus(node, u),
      taskLogTail: async (node: string, u: Upid, lines: number) => {
        const first = await this.#taskLogPage(node, u, 0, lines);
        if (first.total <= lines) return first.lines;
        return (await this.#taskLogPage(node, u, first.total - lines, lines)).lines;
      },
    };
    return waitForTask(source, upid, options);
  }

  listSnapshots = (...a: Parameters<ExtraCalls["listSnapshots"]>) => this.#extra.listSnapshots(...a);
  createSnapshot = (...a: Parameters<ExtraCalls["createSnapshot"]>) => this.#extra.createSnapshot(...a);
  deleteSnapshot = (...a: Parameters<ExtraCalls["deleteSnapshot"]>) => this.#extra.deleteSnapshot(...a);
  rollbackSnapshot = (...a: Parameters<ExtraCalls["rollbackSnapshot"]>) => this.#extra.rollbackSnapshot(...a);
  cloneContainer = (...a: Parameters<ExtraCalls["cloneContainer"]>) => this.#extra.cloneContainer(...a);
  vzdump = (...a: Parameters<ExtraCalls["vzdump"]>) => this.#extra.vzdump(...a);
  restoreContainer = (...a: Parameters<ExtraCalls["restoreContainer"]>) => this.#extra.restoreContainer(...a);
  updateContainerConfig = (...a: Parameters<ExtraCalls["updateContainerConfig"]>) =>
    this.#extra.updateContainerConfig(...a);
  containerInterfaces = (...a: Parameters<ExtraCalls["containerInterfaces"]>) =>
    this.#extra.containerInterfaces(...a);
  listStorages = (...a: Parameters<ExtraCalls["listStorages"]>) => this.#extra.listStorages(...a);
  listStorageContent = (...a: Parameters<ExtraCalls["listStorageContent"]>) =>
    this.#extra.listStorageContent(...a);
  listTemplates = (...a: Parameters<ExtraCalls["listTemplates"]>) => this.#extra.listTemplates(...a);
  deleteStorageContent = (...a: Parameters<ExtraCalls["deleteStorageContent"]>) =>
    this.#extra.deleteStorageContent(...a);
  updateStorageContent = (...a: Parameters<ExtraCalls["updateStorageContent"]>) =>
    this.#extra.updateStorageContent(...a);
  previewPruneBackups = (...a: Parameters<ExtraCalls["previewPruneBackups"]>) =>
    this.#extra.previewPruneBackups(...a);
  pruneBackups = (...a: Parameters<ExtraCalls["pruneBackups"]>) => this.#extra.pruneBackups(...a);
  containerRrdData = (...a: Parameters<ExtraCalls["containerRrdData"]>) => this.#extra.containerRrdData(...a);

  async close(): Promise<void> {
    this.#ownBreakers?.shutdown();
    await this.#transport.close();
  }

  async #statusAction(
    node: string,
    vmid: number,
    action: string,
    params?: Record<string, number | boolean | undefined>,
  ) {
    this.#check(node, vmid);
    return this.#upid(
      await this.#api.call("POST", apiPath`/nodes/${node}/lxc/${vmid}/status/${action}`, params),
    );
  }

  async #taskLogPage(node: string, upid: Upid, start?: number, limit?: number) {
    assertNode(node);
    const res = await this.#api.call("GET", apiPath`/nodes/${node}/tasks/${upid}/log`, { start, limit });
    const lines = objList(res.data).map((l) => str(l.t) ?? "");
    return { lines, total: res.total ?? lines.length };
  }

  #check(node: string, vmid: number): void {
    assertNode(node);
    assertVmid(vmid);
  }

  #upid(res: { data: unknown }): Upid {
    return toUpid(res.data);
  }
}
