// Loaded with NODE_OPTIONS=--import=<this file> (node 20 refuses --cpu-prof there): profiles the
// process from start to exit and writes <CPU_PROFILE_DIR>/<pid>.cpuprofile (the in-thread
// inspector session answers synchronously, so this works inside the "exit" handler).
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
