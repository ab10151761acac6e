/**
 * Read-only views of a container: RRD metrics and the network interfaces of a running CT.
 */
import { rrdSeries, type Timeframe } from "../../metrics-rrd.js";
import { assertRunning, type ContainerRecord } from "../../state/container.js";
import { intParam } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { NODE, VMID } from "./common.js";

function container({ sim, params }: RouteContext): ContainerRecord {
  sim.cluster.assertNode(params.node!);
  return sim.cluster.get(params.node!, intParam(params, "vmid"));
}

export const lxcInfoRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/nodes/{node}/lxc/{vmid}/rrddata",
    params: {
      node: NODE,
      vmid: VMID,
      timeframe: "string:hour|day|week|month|year",
      cf: "string?:AVERAGE|MAX",
    },
    handle: (ctx) =>
      rrdSeries(
        container(ctx),
        ctx.params.timeframe as Timeframe,
        (ctx.params.cf ?? "AVERAGE") as "AVERAGE" | "MAX",
      ),
  },
  {
    method: "GET",
    path: "/nodes/{node}/lxc/{vmid}/interfaces",
    params: { node: NODE, vmid: VMID },
    handle: (ctx) => {
      const ct = container(ctx);
      assertRunning(ct);
      return [iface("lo", "00:00:00:00:00:00", "127.0.0.1/8", "::1/128"), ...netInterfaces(ct)];
    },
  },
];

/** One entry per `netN`, named and addressed as the config says (MAC derived when not set). */
function netInterfaces(ct: ContainerRecord) {
  return Object.keys(ct.config)
    .filter((k) => /^net\d+$/.test(k))
    .sort()
    .map((key, i) => {
      const opts = Object.fromEntries(
        String(ct.config[key])
          .split(",")
          .map((kv) => kv.split("=") as [string, string]),
      );
      const hwaddr = opts.hwaddr ?? derivedMac(ct.vmid, i);
      const v4 = opts.ip && opts.ip !== "dhcp" && opts.ip !== "manual" ? opts.ip : `${ct.guest.ip}/24`;
      return iface(opts.name ?? `eth${i}`, hwaddr, v4, `fe80::${ct.vmid.toString(16)}:${i}/64`);
    });
}

function iface(name: string, hwaddr: string, inet: string, inet6: string) {
  const addr = (cidr: string, type: string) => {
    const [ip, prefix] = cidr.split("/");
    return { "ip-address": ip!, "ip-address-type": type, prefix: Number(prefix) };
  };
  return {
    name,
    hwaddr,
    "hardware-address": hwaddr,
    inet,
    inet6,
    "ip-addresses": [addr(inet, "inet"), addr(inet6, "inet6")],
  };
}

function derivedMac(vmid: number, index: number): string {
  const hex = (n: number) => (n & 0xff).toString(16).padStart(2, "0").toUpperCase();
  return ["BC", "24", "11", hex(vmid >> 8), hex(vmid), hex(index)].join(":");
}
