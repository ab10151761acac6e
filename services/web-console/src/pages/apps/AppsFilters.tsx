import { useSearchParams } from "react-router";
import { SearchFilters } from "../../components/SearchFilters";
import { statusLabel } from "../../components/StatusBadge";
import { APP_STATUSES, appStatusFrom } from "./appStatuses";

const STATUS_OPTIONS = APP_STATUSES.map((name) => ({ value: name, label: statusLabel(name) }));

/** Search by host name and filter by status, both in the URL query; a change starts at page one. */
export function AppsFilters() {
  const [params] = useSearchParams();
  return (
    <SearchFilters
      label="Search my apps"
      searchLabel="Search by host name"
      choice={{
        name: "status",
        label: "Status",
        allLabel: "All statuses",
        value: appStatusFrom(params.get("status")) ?? "",
        options: STATUS_OPTIONS,
      }}
      reset={["cursor"]}
    />
  );
}
