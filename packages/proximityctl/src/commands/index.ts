import { appOperations } from "./apps.js";
import { listBreakers, resetBreaker } from "./breakers.js";
import { reloadCatalog } from "./catalog.js";
import type { Command } from "./command.js";
import { listDeadLetters, replayDeadLetter, showDeadLetter } from "./dead-letters.js";
import { checkHost } from "./hosts.js";
import { keyUsage, rotateKeys } from "./keys.js";

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly Command[] = [
  listDeadLetters,
  showDeadLetter,
  replayDeadLetter,
  listBreakers,
  resetBreaker,
  checkHost,
  appOperations,
  keyUsage,
  rotateKeys,
  reloadCatalog,
];
