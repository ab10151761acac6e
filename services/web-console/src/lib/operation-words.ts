/**
 * An app's operation in progress (the API's `current_operation`, an operation kind) in words. An
 * unknown kind (a newer service) is shown as the API names it.
 */
const OPERATION_WORDS: Readonly<Record<string, string>> = {
  deploy: "Deploying the app",
  start: "Starting the app",
  stop: "Stopping the app",
  restart: "Restarting the app",
  update: "Updating the app",
  delete: "Deleting the app",
  clone: "Cloning the app",
  adopt: "Adopting the container",
  backup: "Making a backup",
  restore: "Restoring from a backup",
};

export function operationInWords(kind: string | null | undefined): string {
  if (!kind) return "None";
  return OPERATION_WORDS[kind] ?? kind;
}
