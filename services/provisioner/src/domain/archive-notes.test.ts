import { describe, expect, it } from "vitest";
import { archiveOfBackup, backupIdOfNotes, backupNotes, isProximityArchive } from "./archive-notes.js";

const ID = "7d1f2a0e-3b7c-4e59-9d0a-1b2c3d4e5f60";

describe("archiveOfBackup", () => {
  it("archiveOfBackup - finds the archive whose notes name the backup id", () => {
    const archives = [
      { volid: "local:backup/a", notes: "someone else's", ctime: 5 },
      { volid: "local:backup/b", notes: backupNotes(ID), ctime: 4 },
      { volid: "local:backup/c", ctime: 6 },
    ];
    expect(archiveOfBackup(archives, ID)?.volid).toBe("local:backup/b");
  });

  it("archiveOfBackup - an id is matched as a whole word only; the newest wins when there are two", () => {
    expect(archiveOfBackup([{ volid: "x", notes: `Proximity backup ${ID}-other` }], ID)).toBeUndefined();
    expect(archiveOfBackup([{ volid: "x", notes: backupNotes(ID) }], "")).toBeUndefined();
    const two = [
      { volid: "old", notes: backupNotes(ID), ctime: 1 },
      { volid: "new", notes: backupNotes(ID), ctime: 2 },
    ];
    expect(archiveOfBackup(two, ID)?.volid).toBe("new");
  });

  it("archiveOfBackup - an id named in someone else's notes is not our archive", () => {
    expect(archiveOfBackup([{ volid: "x", notes: `copy of ${ID}` }], ID)).toBeUndefined();
  });
});

describe("backupIdOfNotes", () => {
  it("backupIdOfNotes - reads the id of our notes, also when an admin added lines or words", () => {
    expect(backupIdOfNotes(backupNotes(ID))).toBe(ID);
    expect(backupIdOfNotes(`before the upgrade\n${backupNotes(ID)} keep\n`)).toBe(ID);
    expect(isProximityArchive({ volid: "x", notes: backupNotes(ID) })).toBe(true);
  });

  it("backupIdOfNotes - foreign, empty and id-less notes are not ours", () => {
    for (const notes of [undefined, "", "nightly by admin", "Proximity backup ", "My Proximity backup x"]) {
      expect(backupIdOfNotes(notes), String(notes)).toBeUndefined();
      expect(isProximityArchive({ volid: "x", ...(notes === undefined ? {} : { notes }) })).toBe(false);
    }
  });
});
