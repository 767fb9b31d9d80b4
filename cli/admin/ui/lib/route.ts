/**
 * The UI's URLs (history routing: the server answers every non-/api path with index.html) and back. Pure.
 *
 *   /  /jobs  /jobs/:node/:id  /workflows  /workflows/:node/:id  /monitoring  /resources
 */
export type Route =
  | { page: "dashboard" }
  | { page: "jobs" }
  | { page: "job"; node: string; id: string }
  | { page: "workflows" }
  | { page: "workflow"; node: string; id: string }
  | { page: "monitoring" }
  | { page: "resources" }
  | { page: "notfound"; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [a, b, c] = parts;
  if (parts.length === 0) return { page: "dashboard" };
  if (parts.length === 1 && (a === "jobs" || a === "workflows" || a === "monitoring" || a === "resources")) {
    return { page: a };
  }
  if (parts.length === 3 && a === "jobs") return { page: "job", node: b, id: c };
  if (parts.length === 3 && a === "workflows") return { page: "workflow", node: b, id: c };
  return { page: "notfound", path: pathname };
}

export function hrefFor(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case "dashboard":
      return "/";
    case "job":
      return `/jobs/${e(route.node)}/${e(route.id)}`;
    case "workflow":
      return `/workflows/${e(route.node)}/${e(route.id)}`;
    case "notfound":
      return route.path;
    default:
      return `/${route.page}`;
  }
}

/** The main navigation: label and the page it leads to. */
export const NAV: readonly { label: string; page: Route["page"]; href: string }[] = [
  { label: "Dashboard", page: "dashboard", href: "/" },
  { label: "Jobs", page: "jobs", href: "/jobs" },
  { label: "Workflows", page: "workflows", href: "/workflows" },
  { label: "Monitoring", page: "monitoring", href: "/monitoring" },
  { label: "Resources", page: "resources", href: "/resources" },
];

/** The nav entry a route belongs to (a job's detail belongs to Jobs). */
export function navPage(route: Route): Route["page"] {
  if (route.page === "job") return "jobs";
  if (route.page === "workflow") return "workflows";
  return route.page;
}
