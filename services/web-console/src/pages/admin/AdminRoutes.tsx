import { Navigate, Route, Routes } from "react-router";
import { SubNav } from "../../components/SubNav";
import { NotFoundPage } from "../not-found/NotFoundPage";
import { AdoptPage } from "./adopt/AdoptPage";
import { DeletedAppsBackupsPage } from "./backups/DeletedAppsBackupsPage";
import { CatalogReloadPage } from "./catalog/CatalogReloadPage";
import { EditHostPage } from "./hosts/EditHostPage";
import { HostPage } from "./hosts/HostPage";
import { HostsPage } from "./hosts/HostsPage";
import { NewHostPage } from "./hosts/NewHostPage";
import { NodesPage } from "./nodes/NodesPage";
import { NewUserPage } from "./users/NewUserPage";
import { UserPage } from "./users/UserPage";
import { UsersPage } from "./users/UsersPage";
import "./admin.css";

const SECTIONS = [
  { to: "/admin/hosts", label: "Hosts" },
  { to: "/admin/nodes", label: "Nodes" },
  { to: "/admin/users", label: "Users" },
  { to: "/admin/catalog", label: "Catalog" },
  { to: "/admin/adopt", label: "Discover and adopt" },
  { to: "/admin/backups", label: "Backups of deleted apps" },
];

/** The admin area (mounted at /admin/*, behind RequireAdmin): its sections and their pages. */
export function AdminRoutes() {
  return (
    <>
      <SubNav label="Admin sections" links={SECTIONS} />
      <Routes>
        <Route index element={<Navigate replace to="hosts" />} />
        <Route path="hosts" element={<HostsPage />} />
        <Route path="hosts/new" element={<NewHostPage />} />
        <Route path="hosts/:hostId" element={<HostPage />} />
        <Route path="hosts/:hostId/edit" element={<EditHostPage />} />
        <Route path="nodes" element={<NodesPage />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="users/new" element={<NewUserPage />} />
        <Route path="users/:userId" element={<UserPage />} />
        <Route path="catalog" element={<CatalogReloadPage />} />
        <Route path="adopt" element={<AdoptPage />} />
        <Route path="backups" element={<DeletedAppsBackupsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </>
  );
}
