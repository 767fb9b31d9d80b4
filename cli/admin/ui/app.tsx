/**
 * The shell: loads the session, then shows the header (main navigation, node selector, role) and the page for
 * the current URL. The chosen node is kept in localStorage so a reload keeps it.
 */
import { useEffect, useState } from "react";
import { errorText, loadSession, type Session } from "./api.ts";
import { Link } from "./components/Link.tsx";
import { useRoute } from "./hooks.ts";
import { NAV, navPage, type Route } from "./lib/route.ts";
import { Dashboard } from "./pages/Dashboard.tsx";
import { JobDetail } from "./pages/JobDetail.tsx";
import { Jobs } from "./pages/Jobs.tsx";
import { Monitoring } from "./pages/Monitoring.tsx";
import { Resources } from "./pages/Resources.tsx";
import { WorkflowDetail } from "./pages/WorkflowDetail.tsx";
import { Workflows } from "./pages/Workflows.tsx";
import { ALL_NODES, SessionContext, useNode, useSession } from "./session.ts";

const NODE_KEY = "joblet.admin.node";

export function App() {
  const [session, setSession] = useState<Session>();
  const [error, setError] = useState("");
  const [selected, setSelected] = useState(() => localStorage.getItem(NODE_KEY) ?? "");
  useEffect(() => {
    loadSession().then(setSession, (e) => setError(errorText(e)));
  }, []);
  if (error) {
    return (
      <main className="main">
        <h1>Joblet admin</h1>
        <p role="alert" className="error">Cannot load the session: {error}</p>
      </main>
    );
  }
  if (!session) return <main className="main" aria-busy="true">Loading…</main>;
  if (session.nodes.length === 0) {
    return (
      <main className="main">
        <h1>Joblet admin</h1>
        <p role="alert" className="error">
          The rnx config names no nodes; add one (rnx nodes) and restart rnx admin.
        </p>
      </main>
    );
  }
  const valid = selected === ALL_NODES || session.nodes.some((n) => n.name === selected);
  const current = valid ? selected : (session.nodes.find((n) => n.default) ?? session.nodes[0]).name;
  const select = (n: string) => {
    localStorage.setItem(NODE_KEY, n);
    setSelected(n);
  };
  return (
    <SessionContext.Provider value={{ session, selected: current, select }}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const route = useRoute();
  const { session, selected, select } = useSession();
  const node = useNode();
  const active = navPage(route);
  useEffect(() => {
    const label = NAV.find((n) => n.page === active)?.label ?? "Not found";
    document.title = `${label} · Joblet`;
  }, [active]);
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Joblet</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.page}>
                <Link href={n.href} aria-current={n.page === active ? "page" : undefined}>{n.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="spacer" />
        <label className="node-select">
          <span className="sr-only">Node</span>
          <select aria-label="Node" value={selected} onChange={(e) => select(e.target.value)}>
            {session.nodes.map((n) => <option key={n.name} value={n.name}>{n.name}</option>)}
            {session.nodes.length > 0 ? <option value={ALL_NODES}>All nodes</option> : null}
          </select>
        </label>
        <span className={`role role-${node.role}`} title={`Your certificate's role on ${node.name}`}>
          {node.role}
        </span>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Page route={route} />
      </main>
      <footer className="foot muted">rnx admin {session.version}</footer>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "dashboard":
      return <Dashboard />;
    case "jobs":
      return <Jobs />;
    case "job":
      return <JobDetail key={`${route.node}/${route.id}`} node={route.node} id={route.id} />;
    case "workflows":
      return <Workflows />;
    case "workflow":
      return <WorkflowDetail key={`${route.node}/${route.id}`} node={route.node} id={route.id} />;
    case "monitoring":
      return <Monitoring />;
    case "resources":
      return <Resources />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <Link href="/">Go to the dashboard</Link>
          </p>
        </>
      );
  }
}
