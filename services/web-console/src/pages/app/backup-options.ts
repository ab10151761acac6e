import type { BackupMode, Compression } from "../../api/types";

/** What each vzdump mode means for the running app, in the words a person chooses by. */
export const MODE_OPTIONS: readonly { value: BackupMode; label: string }[] = [
  { value: "snapshot", label: "Snapshot (default): no downtime" },
  { value: "suspend", label: "Suspend: the app pauses briefly" },
  { value: "stop", label: "Stop: the app stops during the backup, most consistent" },
];

export const COMPRESSION_OPTIONS: readonly { value: Compression; label: string }[] = [
  { value: "zstd", label: "zstd (default): fast and small" },
  { value: "gzip", label: "gzip: widely readable, slower" },
  { value: "lzo", label: "lzo: fastest, larger files" },
];

export const MODE_LABEL: Record<BackupMode, string> = {
  snapshot: "Snapshot",
  suspend: "Suspend",
  stop: "Stop",
};
