/**
 * `/access/ticket`: password login and ticket renewal (the only unauthenticated call).
 */
import type { Route } from "../router.js";

/** Capabilities a root ticket carries (the GUI reads them; clients usually ignore them). */
const ROOT_CAPS = {
  vms: { "VM.Allocate": 1, "VM.PowerMgmt": 1, "VM.Config.Options": 1, "VM.Audit": 1, "VM.Backup": 1 },
  storage: { "Datastore.Allocate": 1, "Datastore.AllocateSpace": 1, "Datastore.Audit": 1 },
  nodes: { "Sys.Audit": 1, "Sys.Modify": 1, "Sys.PowerMgmt": 1 },
  access: { "User.Modify": 1, "Permissions.Modify": 1 },
  dc: { "Sys.Audit": 1 },
};

export const accessRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/access/ticket",
    public: true,
    params: {
      username: "string",
      password: "string",
      realm: "string?",
      otp: "string?",
      path: "string?",
      privs: "string?",
      "new-format": "boolean?",
      "tfa-challenge": "string?",
    },
    handle: ({ sim, params }) => {
      const raw = params.username ?? "";
      const username = raw.includes("@") ? raw : `${raw}@${params.realm ?? "pam"}`;
      const grant = sim.auth.login(username, params.password ?? "");
      return { ...grant, cap: ROOT_CAPS, clustername: sim.cluster.name };
    },
  },
];
