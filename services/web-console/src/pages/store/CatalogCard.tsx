import { Link } from "react-router";
import type { CatalogSummary } from "../../api/types";
import { AppIcon } from "../../components/AppIcon";

const SHORT_DESCRIPTION_LENGTH = 140;

/** The start of a description, cut at a word, for a card. */
export function shortDescription(text: string, max = SHORT_DESCRIPTION_LENGTH): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:-]+$/, "")}…`;
}

export const catalogPath = (id: string) => `/store/${encodeURIComponent(id)}`;

/** One app of the store: the whole card opens its page; the link's name is the app's name. */
export function CatalogCard({ item }: { readonly item: CatalogSummary }) {
  return (
    <li className="card catalog-card">
      <AppIcon name={item.name} icon={item.icon} />
      <div className="catalog-card-body">
        <h2 className="catalog-card-title">
          <Link to={catalogPath(item.id)} className="stretched-link">
            {item.name}
          </Link>
        </h2>
        <p className="catalog-card-meta muted">
          <span>{item.category}</span> · <span>version {item.version}</span>
        </p>
        <p className="catalog-card-description">{shortDescription(item.description)}</p>
      </div>
    </li>
  );
}
