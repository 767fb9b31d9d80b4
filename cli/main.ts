/**
 * rnx, the joblet client. Composition root: real streams, config from disk, mTLS gRPC connections.
 * Usage: deno run -A cli/main.ts [--config PATH] [--node NAME] [--json] <command> … (see `rnx --help`).
 */
import { processIo } from "./io.ts";
import { loadConfig } from "./config.ts";
import { connect } from "./client.ts";
import { runRnx } from "./program.ts";
import type { Context } from "./context.ts";

if (import.meta.main) {
  const ctx: Context = {
    io: processIo(),
    loadConfig: (input) => loadConfig(input),
    connect,
    exitCode: 0,
  };
  const code = await runRnx(Deno.args, ctx);
  // Every connection is closed by now; exiting explicitly also ends any timer a library left behind.
  Deno.exit(code);
}
