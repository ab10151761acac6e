/**
 * Every implemented API method, in one table.
 */
import type { Route } from "../router.js";
import { accessRoutes } from "./access.js";
import { clusterRoutes } from "./cluster.js";
import { lxcRoutes } from "./lxc.js";
import { lxcCloneRoute } from "./lxc-clone.js";
import { lxcInfoRoutes } from "./lxc-info.js";
import { lxcStatusRoutes } from "./lxc-status.js";
import { nodeRoutes } from "./nodes.js";
import { snapshotRoutes } from "./snapshots.js";
import { storageRoutes } from "./storage.js";
import { pruneRoutes } from "./storage-prune.js";
import { taskRoutes } from "./tasks.js";
import { vzdumpRoute } from "./vzdump.js";

export const ROUTES: readonly Route[] = [
  ...accessRoutes,
  ...clusterRoutes,
  ...nodeRoutes,
  ...lxcRoutes,
  ...lxcStatusRoutes,
  ...snapshotRoutes,
  lxcCloneRoute,
  ...lxcInfoRoutes,
  vzdumpRoute,
  ...taskRoutes,
  ...storageRoutes,
  ...pruneRoutes,
];
