/** The proximityctl process: runs the command line and exits with its code. */
import { runProximityctl } from "./cli.js";

process.exitCode = await runProximityctl(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // `pnpm proximityctl` runs from the workspace root; INIT_CWD is where it was typed.
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
