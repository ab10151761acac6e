import type { App } from "../../api/types";
import { BackupList } from "./BackupList";
import { BackupNowForm } from "./BackupNowForm";
import { BackupPolicySection } from "./BackupPolicyForm";

interface AppBackupsProps {
  readonly app: App;
  readonly isAdmin: boolean;
}

/** /apps/:appId/backups: back up now, the list (restore, delete), the schedule and retention. */
export function AppBackups({ app, isAdmin }: AppBackupsProps) {
  return (
    <>
      <section className="panel" aria-labelledby="backups-title">
        <h2 id="backups-title">Backups</h2>
        <BackupNowForm app={app} isAdmin={isAdmin} />
        <BackupList app={app} />
      </section>
      <BackupPolicySection appId={app.id} />
    </>
  );
}
