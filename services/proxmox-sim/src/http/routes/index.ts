/**
 * Every implemented API method, in one table.
 */
import type { Route } from "../router.js";
import { accessRoutes } from "./access.js";
import { clusterRoutes } from "./cluster.js";
import { lxcRoutes } from "./lxc.js";
import { lxcStatusRoutes } from "./lxc-status.js";
import { nodeRoutes } from "./nodes.js";
import { storageRoutes } from "./storage.js";
import { taskRoutes } from "./tasks.js";

export const ROUTES: readonly Route[] = [
  ...accessRoutes,
  ...clusterRoutes,
  ...nodeRoutes,
  ...lxcRoutes,
  ...lxcStatusRoutes,
  ...taskRoutes,
  ...storageRoutes,
];
