import type { CatalogItem } from "../../api/types";
import { AppIcon } from "../../components/AppIcon";
import { externalUrl } from "../../lib/external-url";

/** Proxmox sizes memory in MiB: shown in GiB when it is a whole number of them (1 GiB, 512 MiB). */
export function formatMemoryMib(mib: number): string {
  return mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib.toLocaleString()} MiB`;
}

/** What a catalog app is and what it takes: description, version, website, port and resources. */
export function CatalogDetails({ item }: { readonly item: CatalogItem }) {
  const website = externalUrl(item.website);
  return (
    <section className="panel catalog-details" aria-labelledby="about-heading">
      <div className="catalog-details-head">
        <AppIcon name={item.name} icon={item.icon} size="large" />
        <h2 id="about-heading">About {item.name}</h2>
      </div>
      <p className="catalog-description">{item.description}</p>
      <dl className="facts">
        <div>
          <dt>Version</dt>
          <dd>{item.version}</dd>
        </div>
        <div>
          <dt>Category</dt>
          <dd>{item.category}</dd>
        </div>
        <div>
          <dt>Website</dt>
          <dd>
            {website ? (
              <a href={website} target="_blank" rel="noopener noreferrer">
                {new URL(website).host}
                <span className="visually-hidden"> (opens in a new tab)</span>
              </a>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>Port</dt>
          <dd>{item.port ?? "—"}</dd>
        </div>
        <div>
          <dt>CPU cores (minimum)</dt>
          <dd>{item.cores}</dd>
        </div>
        <div>
          <dt>Memory (minimum)</dt>
          <dd>{formatMemoryMib(item.memory_mb)}</dd>
        </div>
        <div>
          <dt>Disk (minimum)</dt>
          <dd>{item.disk_gb.toLocaleString()} GiB</dd>
        </div>
      </dl>
    </section>
  );
}
