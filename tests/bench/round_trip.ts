/**
 * Round trip through a real agent: spawning `rnx job run -f true` until it exits (it follows the log and exits
 * when the job has ended, with the job's exit code), beside `rnx version` — the client's own start-up plus one
 * unary RPC — as the baseline. The two are interleaved so drift on the shared machine hits both alike.
 */
import type { TestAgent } from "../e2e/_agent.ts";
import { type Figure, fromSummary } from "./report.ts";
import { rnxOk } from "./rnx.ts";
import { sampleMany, type SampleOptions } from "./stats.ts";

const SECTION = "2. round trip through the agent (rnx subprocess)";

export async function benchRoundTrip(agent: TestAgent, opts: SampleOptions): Promise<Figure[]> {
  const s = await sampleMany(opts, async () => {
    const version = (await rnxOk(agent, ["version"])).ms;
    const run = (await rnxOk(agent, ["job", "run", "-f", "true"])).ms;
    return { version, run };
  });
  const extra = s.run.median - s.version.median;
  return [
    fromSummary(SECTION, "rnx job run -f true → exit (job COMPLETED)", s.run, {
      ratio: s.run.median / s.version.median,
      ratioTo: "rnx version",
      note: `${
        extra.toFixed(0)
      } ms (p50) more than the baseline: submit, start, log stream to EOF, final status`,
    }),
    fromSummary(SECTION, "baseline: rnx version (client start-up + 1 RPC)", s.version),
  ];
}
