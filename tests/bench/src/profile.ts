/**
 * BENCH_PROFILE=<dir>: the environment that makes a service write a V8 CPU profile of its whole
 * life to <dir>/<service>/<pid>.cpuprofile when it stops (node 20 refuses --cpu-prof in
 * NODE_OPTIONS, so a preload starts the profiler: cpu-profile-preload.mjs). Empty when unset.
 */
export function profileEnv(service: string): Record<string, string> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return {};
  return {
    NODE_OPTIONS: `--import=${import.meta.dirname}/cpu-profile-preload.mjs`,
    CPU_PROFILE_DIR: `${dir}/${service}`,
  };
}
