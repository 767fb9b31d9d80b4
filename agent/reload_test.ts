import { assertEquals } from "../tests/assert.ts";
import { DEFAULT_CONFIG } from "./config/load.ts";
import { planReload } from "./reload.ts";

Deno.test("planReload() applies log and limits, and lists other changed keys as needing a restart", () => {
  const next = {
    ...DEFAULT_CONFIG,
    listen: "0.0.0.0:1",
    stateDir: "/srv/j",
    log: { format: "json" as const, level: "debug" as const },
    limits: { ...DEFAULT_CONFIG.limits, disabled: true },
    source: "/etc/joblet/joblet.yml",
  };
  const plan = planReload(DEFAULT_CONFIG, next);
  assertEquals(plan.applied, ["limits", "log"]);
  assertEquals(plan.needRestart, ["state_dir", "listen"]);
  assertEquals([plan.config.listen, plan.config.stateDir], [DEFAULT_CONFIG.listen, DEFAULT_CONFIG.stateDir]);
  assertEquals([plan.config.log.format, plan.config.limits.disabled], ["json", true]);
});

Deno.test("planReload() of an unchanged file changes nothing", () => {
  assertEquals(planReload(DEFAULT_CONFIG, { ...DEFAULT_CONFIG }), {
    config: DEFAULT_CONFIG,
    applied: [],
    needRestart: [],
  });
});
