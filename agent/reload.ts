/**
 * What SIGHUP can change in a running agent. The config file is read again and validated like at start-up (a bad
 * file is refused and the old settings stay). Then:
 *
 *   reloaded at once     log.format, log.level, limits.* (applied to jobs started from then on)
 *   need a restart       everything else: state_dir, listen, server_names, rnx_config, node_name, jobs.*,
 *                        logs.*, metrics.* — the agent logs each changed key and keeps the old value
 *
 * Running jobs are never touched by a reload.
 */
import type { AgentConfig } from "./config/load.ts";

export const RELOADABLE = ["log", "limits"] as const satisfies readonly (keyof AgentConfig)[];

export interface ReloadPlan {
  /** The config to run with from now on: reloadable sections from `next`, the rest from `current`. */
  config: AgentConfig;
  /** Top-level keys taken from the new file (changed and reloadable). */
  applied: string[];
  /** Top-level keys that changed but take effect only after a restart. */
  needRestart: string[];
}

export function planReload(current: AgentConfig, next: AgentConfig): ReloadPlan {
  const config = { ...current };
  const applied: string[] = [];
  const needRestart: string[] = [];
  for (const key of Object.keys(next) as (keyof AgentConfig)[]) {
    if (key === "source" || same(current[key], next[key])) continue;
    if ((RELOADABLE as readonly string[]).includes(key)) {
      (config as Record<string, unknown>)[key] = next[key];
      applied.push(snake(key));
    } else {
      needRestart.push(snake(key));
    }
  }
  return { config, applied, needRestart };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The key as written in joblet.yml. */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
