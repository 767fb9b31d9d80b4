/** The log store alone, in process (agent/os/logs/log_bench.ts): no pipes, no gRPC, one run. */
import { benchLogStore } from "../../agent/os/logs/log_bench.ts";
import type { Figure } from "./report.ts";

const SECTION = "4. log store alone (benchLogStore, 64 KiB chunks)";

export async function benchStore(bytes: number): Promise<Figure[]> {
  const r = await benchLogStore(bytes);
  const one = { section: SECTION, unit: "MiB/s" as const, n: 1 };
  return [
    {
      ...one,
      name: "FileLogStore write",
      median: r.writeMiBs,
      ratio: r.writeMiBs / r.plainWriteMiBs,
      ratioTo: "plain",
    },
    { ...one, name: "FileLogStore read back (parsing included)", median: r.readMiBs },
    { ...one, name: "baseline: plain FsFile.writeSync", median: r.plainWriteMiBs },
  ];
}
