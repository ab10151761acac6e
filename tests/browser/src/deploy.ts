import type { GatewayClient } from "@proximity/e2e";
import { eventually } from "@proximity/testing";

/**
 * Deploys an app through the API as the signed-in `api` user and waits for it to run: the scene
 * for a journey about what the browser shows of an existing app. Returns the app's id.
 */
export async function deployRunning(
  api: GatewayClient,
  body: { readonly catalog_id: string; readonly hostname: string },
): Promise<string> {
  const deployed = await api.post("/api/apps", body);
  if (deployed.status !== 202) {
    throw new Error(`deploying ${body.hostname}: ${deployed.status} ${JSON.stringify(deployed.body)}`);
  }
  const appId = deployed.body.id as string;
  await eventually(async () => (await api.get(`/api/apps/${appId}`)).body.status === "running", {
    timeoutMs: 60_000,
    what: `${body.hostname} running`,
  });
  return appId;
}
