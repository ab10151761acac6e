/**
 * The steps a clone and an app restored from another app's backup share once their container
 * exists: marked for the new app, started, the source's secrets copied under the new app's names,
 * and for apps of ours the .env made the new app's (directory, published port) before compose up
 * and the usual check; an adopted source's copy is only checked to run. Returns its address.
 */
import type { Attempt, HostConnection } from "../operations/context.js";
import { startApp } from "../operations/steps/start-app.js";
import { startContainer } from "../operations/steps/start-container.js";
import { verifyApp } from "../operations/steps/verify-app.js";
import { verifyContainer } from "../operations/steps/verify-container.js";
import { type CopyRequest, copySecrets } from "./copy-secrets.js";
import { markClone } from "./mark-clone.js";
import { rewriteEnv } from "./rewrite-env.js";

export type CopyOfAppRequest = CopyRequest & { readonly publicPort: number; readonly adopted: boolean };

export async function bringUpCopy(
  a: Attempt<CopyOfAppRequest>,
  connection: HostConnection,
  vmid: number,
): Promise<string> {
  await markClone(a, connection, vmid);
  await startContainer(a, connection, vmid);
  await copySecrets(a);
  if (a.request.adopted) return verifyContainer(a, connection, vmid, "running");
  await rewriteEnv(a, connection, vmid);
  await startApp(a, connection, vmid);
  return verifyApp(a, connection, vmid);
}
