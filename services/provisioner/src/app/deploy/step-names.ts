/** The steps of a deploy, in order; names are stored in operation_steps and shown to SREs. */
export const DeployStep = {
  resolveConnection: "resolve-connection",
  allocateVmid: "allocate-vmid",
  createContainer: "create-container",
  startContainer: "start-container",
  installDocker: "install-docker",
  writeAppFiles: "write-app-files",
  startApp: "start-app",
  verifyApp: "verify-app",
} as const;

export type DeployStepName = (typeof DeployStep)[keyof typeof DeployStep];

/** What a step was doing, for explanations: "… while <phrase>". */
export const STEP_PHRASES: Record<DeployStepName, string> = {
  "resolve-connection": "looking up the host's connection details",
  "allocate-vmid": "reserving a container ID",
  "create-container": "creating the container",
  "start-container": "starting the container",
  "install-docker": "installing Docker",
  "write-app-files": "writing the app's files",
  "start-app": "starting the app",
  "verify-app": "checking that the app runs",
};
