/** Publishes HostCheckRequested as the hosts service would, and reads the HostChecked answers. */
import { randomUUID } from "node:crypto";
import { type Bus, type EventDefinition, Events, streamName } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";

/** `h`: the harness, whose publishEvent signs as the event's producer (here the hosts service). */
export async function requestCheck(
  h: { publishEvent<T>(event: EventDefinition<T>, payload: T): Promise<string> },
  hostId: string,
): Promise<string> {
  const checkId = randomUUID();
  await h.publishEvent(Events.HostCheckRequested, { checkId, hostId });
  return checkId;
}

export async function hostChecked(bus: Bus): Promise<provisionerEventsV1.HostChecked[]> {
  const name = streamName(bus.ns, "PROVISIONER");
  const { state } = await bus.jsm.streams.info(name);
  const out: provisionerEventsV1.HostChecked[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await bus.jsm.streams.getMessage(name, { seq });
    if (m.header.get("ce-type") === Events.HostChecked.type)
      out.push(Events.HostChecked.codec.decode(m.data));
  }
  return out;
}

export const reportFor = (bus: Bus, checkId: string) =>
  eventually(async () => (await hostChecked(bus)).find((r) => r.checkId === checkId), {
    timeoutMs: 15_000,
    what: `HostChecked ${checkId}`,
  });
