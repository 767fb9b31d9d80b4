/** The session every page reads: the nodes, the chosen node, and whether its role may change things. */
import { createContext, useContext } from "react";
import type { NodeInfo, Session } from "./api.ts";

/** The node selector's value for the all-nodes view. */
export const ALL_NODES = "*all*";

export interface SessionState {
  session: Session;
  /** A node name or ALL_NODES. */
  selected: string;
  select: (node: string) => void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession() outside <SessionContext>");
  return s;
}

/** The node a node-scoped page shows: the selected one, or the default one while "All nodes" is chosen. */
export function useNode(): NodeInfo {
  const { session, selected } = useSession();
  return session.nodes.find((n) => n.name === selected) ?? session.nodes.find((n) => n.default) ??
    session.nodes[0];
}

/** Whether the caller's certificate on `node` may stop, delete and create (readonly may not). */
export function useCanMutate(node?: string): boolean {
  const { session } = useSession();
  const fallback = useNode();
  const info = node ? session.nodes.find((n) => n.name === node) : fallback;
  return info !== undefined && info.role !== "readonly";
}
