/** A record's id as the services write it (UUID). */
const ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * Log lines the provisioner reported on success before it said them in words ended with the ids of
 * the records involved ("restored from backup 3f2c…", "cloned from 9ab1…"), and apps keep their
 * old lines: useful to an operator, noise to a person,
 * who has the app's own lines before them ("Restore of a backup of wiki into wiki-2 requested").
 * These are said in words instead; any other id closing a line is left out.
 */
const REWORDED: readonly (readonly [RegExp, string])[] = [
  [new RegExp(`^restored from backup ${ID} of ${ID}$`, "i"), "Restored from a backup of another app"],
  [new RegExp(`^restored from backup ${ID}$`, "i"), "Restored from the backup"],
  [new RegExp(`^cloned from ${ID}$`, "i"), "Cloned from another app"],
];
const TRAILING_ID = new RegExp(`[\\s:(]+${ID}\\)?\\.?$`, "i");

/** A log line's message as the console shows it: without raw ids at its end. */
export function readableLogMessage(message: string): string {
  for (const [pattern, words] of REWORDED) if (pattern.test(message)) return words;
  const trimmed = message.replace(TRAILING_ID, "");
  return trimmed === "" ? message : trimmed;
}
