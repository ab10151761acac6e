/**
 * Starts a simulator on ephemeral ports and talks to it with plain fetch; every successful answer
 * and every request parameter is held to the official schema.
 */

import { checkParams, checkReturns } from "@proximity/pve-schema";
import { expect } from "vitest";
import type { ProxmoxSimulator, RunningSimulator, SimulatorOptions } from "../../src/index.js";
import { createProxmoxSimulator } from "../../src/index.js";

export const TOKEN = { tokenId: "root@pam!proximity", secret: "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab" };
export const USER = { username: "root@pam", password: "rootpass" };
export const SSH = { username: "root", password: "sshpass" };
/** The provisioner's default template: Debian 13, which packages `docker compose`. */
export const DEBIAN = "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst";
export const DEBIAN_12 = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
export const UBUNTU = "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst";
/** Docker and `docker compose` from Debian 13's own packages, as the product installs them. */
export const INSTALL_DOCKER = "apt-get update && apt-get install -y docker.io docker-compose";
export const UPID_RE = /^UPID:[a-z0-9-]+:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[a-z]+:[^:]*:[^:]+:$/;

export interface ApiAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly body: { data: unknown; message?: string; errors?: Record<string, string>; total?: number };
}

export interface CallOptions {
  readonly headers?: Record<string, string>;
  /** Omit the token header (for auth tests). */
  readonly noAuth?: boolean;
  /** The test sends undeclared/invalid params on purpose: skip the request contract check. */
  readonly invalidParams?: boolean;
  readonly json?: boolean;
}

export interface SimHarness {
  readonly sim: ProxmoxSimulator;
  readonly running: RunningSimulator;
  call(
    method: string,
    path: string,
    params?: Record<string, string | number>,
    options?: CallOptions,
  ): Promise<ApiAnswer>;
  /** Polls a task until it stops; returns its status data. */
  waitTask(node: string, upid: string): Promise<Record<string, unknown>>;
}

export async function startSim(options: SimulatorOptions = {}): Promise<SimHarness> {
  const sim = createProxmoxSimulator({
    nodes: ["pve1", "pve2"],
    httpPort: 0,
    sshPort: 0,
    tokens: [TOKEN],
    users: [USER],
    ssh: SSH,
    taskDurationMs: 20,
    authFailureDelayMs: 0,
    ...options,
  });
  const running = await sim.start();
  const call: SimHarness["call"] = async (method, path, params = {}, opts = {}) => {
    const strParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
    if (!opts.invalidParams) expect(checkParams(method, path, strParams)).toEqual([]);
    const inQuery = method === "GET" || method === "DELETE";
    const qs = inQuery && Object.keys(strParams).length > 0 ? `?${new URLSearchParams(strParams)}` : "";
    const headers: Record<string, string> = {
      ...(opts.noAuth ? {} : { authorization: `PVEAPIToken=${TOKEN.tokenId}=${TOKEN.secret}` }),
      ...opts.headers,
    };
    let body: string | undefined;
    if (!inQuery) {
      body = opts.json ? JSON.stringify(params) : new URLSearchParams(strParams).toString();
      headers["content-type"] = opts.json ? "application/json" : "application/x-www-form-urlencoded";
    }
    const res = await fetch(`${running.baseUrl}/api2/json${path}${qs}`, { method, headers, body });
    const answer = {
      status: res.status,
      statusText: res.statusText,
      body: (await res.json()) as ApiAnswer["body"],
    };
    if (answer.status === 200) expect(checkReturns(method, path, answer.body.data)).toEqual([]);
    return answer;
  };
  const waitTask: SimHarness["waitTask"] = async (node, upid) => {
    for (let i = 0; i < 200; i++) {
      const r = await call("GET", `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
      const data = r.body.data as Record<string, unknown>;
      if (data.status === "stopped") return data;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`task ${upid} did not finish`);
  };
  return { sim, running, call, waitTask };
}

/** Creates CT `vmid` on `node` and waits for the task; returns the task's final status. */
export async function createCt(
  h: SimHarness,
  node: string,
  vmid: number,
  extra: Record<string, string | number> = {},
) {
  const r = await h.call("POST", `/nodes/${node}/lxc`, {
    vmid,
    ostemplate: DEBIAN,
    hostname: `ct${vmid}`,
    ...extra,
  });
  expect(r.status).toBe(200);
  return h.waitTask(node, r.body.data as string);
}
