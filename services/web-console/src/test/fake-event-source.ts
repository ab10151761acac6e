import { vi } from "vitest";

/** A stand-in for the browser's EventSource that a test feeds by hand. */
export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];

  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  private readonly listeners = new Map<string, Set<(event: Event) => void>>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  /** Stands in for the browser's EventSource in this test (setup.ts restores it after). */
  static install(): void {
    FakeEventSource.instances = [];
    vi.stubGlobal("EventSource", FakeEventSource);
  }

  static latest(): FakeEventSource {
    const source = FakeEventSource.instances.at(-1);
    if (!source) throw new Error("no EventSource was opened");
    return source;
  }

  addEventListener(type: string, listener: (event: Event) => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: (event: Event) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  get closed(): boolean {
    return this.readyState === FakeEventSource.CLOSED;
  }

  private dispatch(event: Event): void {
    for (const listener of this.listeners.get(event.type) ?? []) listener(event);
  }

  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatch(new Event("open"));
  }

  /** A server-sent event as the gateway writes it. */
  emit(type: "log" | "status", data: unknown, id?: number): void {
    if (this.closed) return;
    this.dispatch(
      new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id === undefined ? "" : String(id) }),
    );
  }

  /** A dropped connection the browser retries (CONNECTING) or gives up on (CLOSED). */
  fail(giveUp = false): void {
    this.readyState = giveUp ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.dispatch(new Event("error"));
  }
}
