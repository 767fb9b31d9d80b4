/**
 * Log capture and read-back through a real agent, for a job that prints 256 MiB of 100-byte lines.
 *
 * - capture: the agent's own start and end times of the job (`start_time` → `end_time` of `rnx job status`);
 *   the end is recorded after both pipes reached EOF and every byte was written to the log file, and the bench
 *   checks the job COMPLETED with `log_bytes` equal to the size. The bench waits by watching the log file
 *   with stat(), so no rnx process competes with the agent for the CPU while it captures.
 * - read-back: spawn → exit of `rnx job log ID > /dev/null` (rnx start-up included).
 * - ceilings, in the same run and on the same filesystem: `yes … | head -c N | cat > file` for capture, and
 *   `cat <the job's log file> > /dev/null` for read-back.
 * - the agent's peak RSS (VmHWM, reset before each phase) while it captures, while it streams the log, and
 *   while a reader stops reading for 3 s (which shows whether StreamLogs honours backpressure).
 */
import { RNX_MAIN, type TestAgent } from "../e2e/_agent.ts";
import { agentMemory, resetPeak } from "./agent_memory.ts";
import { type Figure, verdictAtLeast } from "./report.ts";
import { rnxOk } from "./rnx.ts";
import { summarize, type Summary, timeMs } from "./stats.ts";

const MiB = 1024 * 1024;
const LINE =
  "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678";
const TARGET_MiBs = 100;

export function producer(bytes: number): string {
  return `yes ${LINE} | head -c ${bytes}`;
}

export async function benchLogThroughput(
  agent: TestAgent,
  opts: { runs: number; bytes: number },
  skipped: string[],
): Promise<Figure[]> {
  const { bytes } = opts;
  const SECTION = `3. log capture and read-back (${bytes / MiB} MiB of 100-byte lines)`;
  const ceilingFile = `${agent.stateDir}/bench-ceiling.bin`;
  const ceilingMs: number[] = [];
  const captureMs: number[] = [];
  const readMs: number[] = [];
  const catMs: number[] = [];
  const capturePeak: number[] = [];
  const readPeak: number[] = [];
  const before = agentMemory(agent.pid);
  let stalledPeak = 0;
  let rssBeforeRead = 0;
  if (!resetPeak(agent.pid)) {
    skipped.push("agent peak RSS per phase: /proc/<pid>/clear_refs refused; peaks count from agent start");
  }

  // Captures first, then read-backs: the agent keeps some heap after a phase, so each phase's peak is taken
  // without the other's leftovers (the first capture runs on an agent that has read back nothing yet).
  const ids: string[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      ceilingMs.push(await timeMs(() => sh(`${producer(bytes)} | cat > ${ceilingFile}`)));
      Deno.removeSync(ceilingFile);

      resetPeak(agent.pid);
      const started = await rnxOk(agent, ["job", "run", "--json", "sh", "-c", producer(bytes)], {
        keepStdout: true,
      });
      const id = String(JSON.parse(started.stdout).id);
      ids.push(id);
      await waitStill(logFile(agent, id), bytes);
      const job = await waitFinished(agent, id);
      capturePeak.push(agentMemory(agent.pid).hwmMiB);
      if (job.status !== "COMPLETED" || job.log_bytes !== bytes) {
        throw new Error(`job ${id} ended ${job.status} with ${job.log_bytes} log bytes; expected ${bytes}`);
      }
      captureMs.push(Date.parse(String(job.end_time)) - Date.parse(String(job.start_time)));
    }
    const beforeRead = agentMemory(agent.pid);
    for (const id of ids) {
      resetPeak(agent.pid);
      readMs.push((await rnxOk(agent, ["job", "log", id])).ms);
      readPeak.push(agentMemory(agent.pid).hwmMiB);
      catMs.push(await timeMs(() => sh(`cat ${logFile(agent, id)} > /dev/null`)));
    }
    // A reader that stops reading for 3 s: the agent should stop reading the log too, not queue it in memory.
    resetPeak(agent.pid);
    const rnx = `${Deno.execPath()} run -A ${RNX_MAIN} job log ${ids[0]}`;
    await sh(`${rnx} | (sleep 3; cat > /dev/null)`, {
      RNX_CONFIG: agent.rnxConfig,
      DENO_NO_UPDATE_CHECK: "1",
    });
    stalledPeak = agentMemory(agent.pid).hwmMiB;
    rssBeforeRead = beforeRead.rssMiB;
  } finally {
    for (const id of ids) await rnxOk(agent, ["job", "delete", id]).catch(() => {});
  }

  const mibs = (s: Summary) => ({
    median: bytes / MiB / (s.median / 1000),
    p95: bytes / MiB / (s.p95 / 1000),
  });
  const ceiling = mibs(summarize(ceilingMs));
  const capture = mibs(summarize(captureMs));
  const read = mibs(summarize(readMs));
  const cat = mibs(summarize(catMs));
  const n = opts.runs;
  const peak = (xs: number[]) => ({ median: summarize(xs).median, max: Math.max(...xs) });
  const cp = peak(capturePeak);
  const rp = peak(readPeak);
  return [
    {
      section: SECTION,
      name: "capture: job start → all bytes in the log",
      unit: "MiB/s",
      n,
      ...capture,
      ratio: capture.median / ceiling.median,
      ratioTo: "ceiling",
      target: `≥ ${TARGET_MiBs} MiB/s`,
      verdict: verdictAtLeast(capture.median, TARGET_MiBs),
    },
    {
      section: SECTION,
      name: "ceiling: yes … | head -c N | cat > file",
      unit: "MiB/s",
      n,
      ...ceiling,
    },
    {
      section: SECTION,
      name: "read-back: rnx job log ID > /dev/null",
      unit: "MiB/s",
      n,
      ...read,
      ratio: read.median / cat.median,
      ratioTo: "cat",
      target: `≥ ${TARGET_MiBs} MiB/s`,
      verdict: verdictAtLeast(read.median, TARGET_MiBs),
      note: `includes rnx start-up; median ${summarize(readMs).median.toFixed(0)} ms for ${bytes / MiB} MiB`,
    },
    {
      section: SECTION,
      name: "ceiling: cat <job log file> > /dev/null",
      unit: "MiB/s",
      n,
      ...cat,
    },
    {
      section: SECTION,
      name: "agent peak RSS (VmHWM) during capture",
      unit: "MiB",
      n,
      median: cp.median,
      note: `first run ${capturePeak[0].toFixed(0)} MiB, max ${cp.max.toFixed(0)} MiB; ` +
        `agent RSS before the first capture ${before.rssMiB.toFixed(0)} MiB`,
    },
    {
      section: SECTION,
      name: "agent peak RSS (VmHWM) during read-back",
      unit: "MiB",
      n,
      median: rp.median,
      note: `max ${rp.max.toFixed(0)} MiB; agent RSS before the read-backs ${rssBeforeRead.toFixed(0)} MiB`,
    },
    {
      section: SECTION,
      name: "agent peak RSS while a reader stalls 3 s",
      unit: "MiB",
      n: 1,
      median: stalledPeak,
      note:
        `rnx job log ID | (sleep 3; cat): with backpressure this stays near the RSS before the read-backs`,
    },
  ];
}

function logFile(agent: TestAgent, id: string): string {
  return `${agent.stateDir}/logs/${id}.log`;
}

async function sh(script: string, env: Record<string, string> = {}): Promise<void> {
  const out = await new Deno.Command("sh", { args: ["-c", script], env, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`sh -c '${script}' exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Waits (cheaply: one stat every 50 ms) until the log file holds at least `bytes` and stops growing. */
async function waitStill(path: string, bytes: number, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < end) {
    let size = 0;
    try {
      size = Deno.statSync(path).size;
    } catch { /* not created yet */ }
    if (size >= bytes && size === last) return;
    last = size;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not reach ${bytes} bytes in ${timeoutMs / 1000} s`);
}

interface JobJson {
  status: string;
  log_bytes: number;
  start_time: string | null;
  end_time: string | null;
}

async function waitFinished(agent: TestAgent, id: string): Promise<JobJson> {
  for (let i = 0; i < 50; i++) {
    const job = JSON.parse(
      (await rnxOk(agent, ["job", "status", id, "--json"], { keepStdout: true })).stdout,
    );
    if (["COMPLETED", "FAILED", "STOPPED"].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}
