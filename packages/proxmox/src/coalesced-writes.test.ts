import { once } from "node:events";
import { createServer, type Server, Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { coalesceWrites } from "./coalesced-writes.js";

let server: Server | undefined;
afterEach(() => server?.close());

/** A connected socket to a local server that collects what it receives. */
async function connected(): Promise<{ socket: Socket; received: () => Promise<string> }> {
  let data = "";
  let peerEnded: Promise<unknown> = Promise.resolve();
  server = createServer((peer) => {
    peer.on("data", (chunk) => {
      data += chunk.toString();
    });
    peerEnded = once(peer, "end");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const socket = new Socket();
  socket.connect(port, "127.0.0.1");
  await once(socket, "connect");
  return {
    socket,
    received: async () => {
      socket.end();
      await peerEnded;
      return data;
    },
  };
}

describe("coalesceWrites", () => {
  it("coalesced writes - the pieces written in one turn leave as one writev, in order", async () => {
    const { socket, received } = await connected();
    coalesceWrites(socket);
    const writev = vi.spyOn(socket as unknown as { _writev: () => void }, "_writev");
    const single = vi.spyOn(socket as unknown as { _write: () => void }, "_write");
    socket.write(Buffer.from("len|"));
    socket.write(Buffer.from("body|"));
    socket.write("mac");
    expect(writev).not.toHaveBeenCalled(); // held until the turn ends
    await new Promise((resolve) => setImmediate(resolve));
    expect(writev).toHaveBeenCalledTimes(1);
    expect(single).not.toHaveBeenCalled();
    expect(await received()).toBe("len|body|mac");
  });

  it("coalesced writes - a socket connected afterwards loses them (connect puts its own write back)", async () => {
    const socket = coalesceWrites(new Socket());
    socket.on("error", () => undefined);
    socket.connect(1, "127.0.0.1");
    expect(socket.write).toBe(Socket.prototype.write);
    socket.destroy();
  });

  it("coalesced writes - each turn's writes leave at the end of that turn, not later", async () => {
    const { socket, received } = await connected();
    coalesceWrites(socket);
    const writev = vi.spyOn(socket as unknown as { _writev: () => void }, "_writev");
    socket.write("a");
    socket.write("b");
    await new Promise((resolve) => setImmediate(resolve));
    expect(writev).toHaveBeenCalledTimes(1);
    socket.write("c");
    socket.write("d");
    await new Promise((resolve) => setImmediate(resolve));
    expect(writev).toHaveBeenCalledTimes(2);
    expect(await received()).toBe("abcd");
  });
});
