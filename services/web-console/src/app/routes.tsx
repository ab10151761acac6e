import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import { AccountPage } from "../pages/account/AccountPage";
import { AdminRoutes } from "../pages/admin/AdminRoutes";
import { AppPage } from "../pages/app/AppPage";
import { AppsPage } from "../pages/apps/AppsPage";
import { NotFoundPage } from "../pages/not-found/NotFoundPage";
import { SignInPage } from "../pages/sign-in/SignInPage";
import { CatalogAppPage } from "../pages/store/CatalogAppPage";
import { StorePage } from "../pages/store/StorePage";
import { RequireAdmin, RequireSignIn } from "./RequireSignIn";
import { RouteError } from "./RouteError";
import { Shell } from "./Shell";

/** Every screen of the console. Pages under a `/*` route hold their own sub-routes. */
export const routes: RouteObject[] = [
  { path: "/sign-in", element: <SignInPage />, errorElement: <RouteError /> },
  {
    errorElement: <RouteError />,
    element: (
      <RequireSignIn>
        <Shell />
      </RequireSignIn>
    ),
    children: [
      { index: true, element: <Navigate replace to="/apps" /> },
      { path: "store", element: <StorePage /> },
      { path: "store/:catalogId", element: <CatalogAppPage /> },
      { path: "apps", element: <AppsPage /> },
      { path: "apps/:appId/*", element: <AppPage /> },
      { path: "account/*", element: <AccountPage /> },
      {
        path: "admin/*",
        element: (
          <RequireAdmin>
            <AdminRoutes />
          </RequireAdmin>
        ),
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
