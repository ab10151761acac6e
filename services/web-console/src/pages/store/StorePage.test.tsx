import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi, requestsTo, type SeenRequest } from "../../test/fake-api";
import { makeCatalogItem } from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { StorePage } from "./StorePage";

const { compose: _compose, ...wiki } = makeCatalogItem();
const media = { ...wiki, id: "jellyfin", name: "Jellyfin", category: "Media", icon: "" };

function fakeCatalog(items: unknown[] = [wiki, media]) {
  return fakeApi({
    "GET /api/catalog/categories": { body: { items: ["Media", "Productivity"] } },
    "GET /api/catalog": { body: { items, total: items.length, page: 1, per_page: 60 } },
  });
}

const catalogReads = (seen: readonly SeenRequest[]) => requestsTo(seen, "GET", "/api/catalog");
const renderStore = (path = "/store") => renderAt(path, <Route path="/store" element={<StorePage />} />);

describe("StorePage", () => {
  it("asks the API for what the URL query says, and shows it in the filters", async () => {
    const seen = fakeCatalog([media]);
    renderStore("/store?search=jelly&category=Media");

    expect(await screen.findByRole("link", { name: "Jellyfin" })).toHaveAttribute("href", "/store/jellyfin");
    const query = catalogReads(seen)[0]?.search;
    expect(query?.get("search")).toBe("jelly");
    expect(query?.get("category")).toBe("Media");
    expect(screen.getByRole("searchbox", { name: "Search apps" })).toHaveValue("jelly");
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Category" })).toHaveValue("Media"));
  });

  it("searches after typing pauses and keeps the search in the URL", async () => {
    const seen = fakeCatalog();
    renderStore();
    await screen.findByRole("link", { name: "Wiki" });

    await userEvent.type(screen.getByRole("searchbox", { name: "Search apps" }), "wiki");

    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/store?search=wiki"));
    const searches = catalogReads(seen).map((request) => request.search.get("search"));
    // One request for the finished word, none per key.
    expect(searches).toEqual([null, "wiki"]);
  });

  it("filters by category through the URL", async () => {
    const seen = fakeCatalog();
    renderStore();
    await screen.findByRole("option", { name: "Media" });

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Category" }), "Media");

    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/store?category=Media"));
    await waitFor(() => expect(catalogReads(seen).at(-1)?.search.get("category")).toBe("Media"));
  });

  it("shows each app as a card with its category, version and a letter when there is no icon", async () => {
    fakeCatalog();
    renderStore();
    const card = (await screen.findByRole("link", { name: "Jellyfin" })).closest("li");
    expect(card).not.toBeNull();
    const inCard = within(card as HTMLElement);
    expect(inCard.getByText("Media")).toBeInTheDocument();
    expect(inCard.getByText("version 1.2.3")).toBeInTheDocument();
    expect(inCard.getByText("J")).toBeInTheDocument();
  });

  it("says when no app matches, and offers to show them all", async () => {
    fakeCatalog([]);
    renderStore("/store?search=nothing");
    expect(await screen.findByRole("heading", { name: "No app matches" })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Show all apps" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent(/^\/store$/));
    expect(screen.getByRole("searchbox", { name: "Search apps" })).toHaveValue("");
  });

  it("shows the API's error with a way to try again", async () => {
    fakeApi({ "GET /api/catalog": { status: 503, body: { detail: "The catalog service is unavailable" } } });
    renderStore();
    expect(await screen.findByRole("alert")).toHaveTextContent("The catalog service is unavailable");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
