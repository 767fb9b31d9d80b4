/**
 * `rnx job …`: run, status, list, log, stop, delete, delete-all. Each action validates its arguments (usage
 * errors exit 2 before any connection is made), calls the agent once, and prints human text or --json.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { JOB_STATUSES, type JobStatus } from "../../agent/domain/job.ts";
import type { Context } from "../context.ts";
import { globalsOf, withConnection } from "../context.ts";
import { UsageError } from "../errors.ts";
import { colorEnabled } from "../io.ts";
import { checkJobId } from "../job_id.ts";
import { defineRunCommand, type RawRunOptions, toRunArgs } from "../run_args.ts";
import { deleteAllJobs, deleteJob, getJob, listJobs, stopJob } from "../api.ts";
import { jobToJson, protoStatus, statusName, toJsonText, workflowToJson } from "../output/json.ts";
import { jobDetails, jobTable, workflowDetails, workflowTable } from "../output/job_text.ts";
import {
  cancelJob,
  getWorkflow,
  listWorkflows,
  prepareWorkflow,
  stopWorkflow,
  submitWorkflow,
} from "./job_workflow.ts";
import { prepareRun, runJob } from "./job_run.ts";
import { copyLog } from "./job_log.ts";
import { action, leaf } from "./shared.ts";

export function registerJobCommands(program: Command, ctx: Context): void {
  const job = program.command("job").description("Run and manage jobs").enablePositionalOptions();
  const { io } = ctx;
  const color = () => colorEnabled(io.stdout, io.env);

  const run = leaf(defineRunCommand(job.command("run")), { json: false });
  run.action(
    action(async (command: string | undefined, args: string[], opts: RawRunOptions, cmd: Command) => {
      const runArgs = toRunArgs(command, args, { ...opts, json: globalsOf(cmd).json });
      if (runArgs.workflow) {
        const wfPlan = await prepareWorkflow(ctx, runArgs.workflow.file, runArgs.workflow.job);
        const wf = await withConnection(ctx, globalsOf(cmd), (conn) => submitWorkflow(conn, wfPlan));
        io.stdout.print(
          runArgs.json
            ? toJsonText(workflowToJson(wf, io.now(), true))
            : `Workflow started: ${wf.id}\n` + workflowDetails(wf, io.now(), color(), false),
        );
        return;
      }
      const plan = await prepareRun(ctx, runArgs);
      await withConnection(ctx, globalsOf(cmd), (conn) => runJob(ctx, conn, runArgs, plan));
    }),
  );

  leaf(
    job.command("status").description("Show one job, or with --workflow one workflow")
      .argument("<id>", "job (or workflow) id or unique prefix")
      .option("--workflow", "the id is a workflow's: show its jobs, progress and timing")
      .option("--detail", "with --workflow: also print the workflow's original YAML"),
  )
    .action(action(async (id: string, opts: { workflow?: boolean; detail?: boolean }, cmd: Command) => {
      checkJobId(id);
      const g = globalsOf(cmd);
      if (opts.detail && !opts.workflow) throw new UsageError("--detail goes with --workflow");
      if (opts.workflow) {
        const wf = await withConnection(ctx, g, (conn) => getWorkflow(conn, id));
        io.stdout.print(
          g.json
            ? toJsonText(workflowToJson(wf, io.now(), true))
            : workflowDetails(wf, io.now(), color(), opts.detail ?? false),
        );
        return;
      }
      const found = await withConnection(ctx, g, (conn) => getJob(conn, id));
      io.stdout.print(g.json ? toJsonText(jobToJson(found, io.now())) : jobDetails(found, io.now(), color()));
    }));

  leaf(
    job.command("list").description("List jobs, newest first")
      .option("--status <states>", `only jobs in these states, comma-separated (${JOB_STATUSES.join(", ")})`)
      .addOption(new Option("--limit <n>", "show at most n jobs").argParser(nonNegativeInt("--limit")))
      .option("--workflow", "list workflows (with their progress) instead of jobs"),
  ).action(action(async (opts: { status?: string; limit?: number; workflow?: boolean }, cmd: Command) => {
    const statuses = parseStatuses(opts.status);
    const g = globalsOf(cmd);
    if (opts.workflow) {
      if (statuses.length) throw new UsageError("--status lists jobs; it does not go with --workflow");
      const list = await withConnection(ctx, g, (conn) => listWorkflows(conn, opts.limit ?? 0));
      if (g.json) io.stdout.print(toJsonText(list.map((w) => workflowToJson(w, io.now(), false))));
      else if (list.length === 0) io.stdout.print("No workflows.\n");
      else io.stdout.print(workflowTable(list, io.now(), color()));
      return;
    }
    const jobs = await withConnection(
      ctx,
      g,
      (conn) => listJobs(conn, statuses.map(protoStatus), opts.limit ?? 0),
    );
    if (g.json) io.stdout.print(toJsonText(jobs.map((j) => jobToJson(j, io.now()))));
    else if (jobs.length === 0) io.stdout.print("No jobs.\n");
    else io.stdout.print(jobTable(jobs, io.now(), color()));
  }));

  leaf(
    job.command("log").description("Print a job's output; follows until the job ends unless --no-follow")
      .argument("<id>", "job id or unique prefix")
      .option("--no-follow", "print what is stored and exit"),
    { json: false },
  ).action(action(async (id: string, opts: { follow: boolean }, cmd: Command) => {
    checkJobId(id);
    await withConnection(ctx, globalsOf(cmd), (conn) => copyLog(conn, io, id, opts.follow));
  }));

  leaf(
    job.command("stop").description(
      "Stop a running job (SIGTERM, then SIGKILL after the grace period); a scheduled one never runs",
    )
      .argument("<id>", "job (or workflow) id or unique prefix")
      .option("--workflow", "stop a workflow: its running jobs stop, its pending ones are canceled")
      .addOption(
        new Option("--grace <seconds>", "seconds between SIGTERM and SIGKILL (default: the agent's)")
          .argParser(nonNegativeInt("--grace")),
      ),
  ).action(action(async (id: string, opts: { grace?: number; workflow?: boolean }, cmd: Command) => {
    checkJobId(id);
    const g = globalsOf(cmd);
    if (opts.workflow) {
      const wf = await withConnection(ctx, g, (conn) => stopWorkflow(conn, id));
      io.stdout.print(
        g.json
          ? toJsonText(workflowToJson(wf, io.now(), true))
          : `Workflow stopped: ${wf.id}\n` + workflowDetails(wf, io.now(), color(), false),
      );
      return;
    }
    const stopped = await withConnection(ctx, g, (conn) => stopJob(conn, id, opts.grace ?? 0));
    io.stdout.print(
      g.json
        ? toJsonText(jobToJson(stopped, io.now()))
        : `Job stopped: ${stopped.id} (${statusName(stopped.status)})\n`,
    );
  }));

  leaf(
    job.command("cancel").description("Cancel a scheduled or pending job (or a cron schedule): it never runs")
      .argument("<id>", "job id or unique prefix"),
  ).action(action(async (id: string, _opts: unknown, cmd: Command) => {
    checkJobId(id);
    const g = globalsOf(cmd);
    const canceled = await withConnection(ctx, g, (conn) => cancelJob(conn, id));
    io.stdout.print(
      g.json
        ? toJsonText(jobToJson(canceled, io.now()))
        : `Job canceled: ${canceled.id} (${statusName(canceled.status)})\n`,
    );
  }));

  leaf(
    job.command("delete").description("Delete a finished job and its log").argument(
      "<id>",
      "job id or prefix",
    ),
  )
    .action(action(async (id: string, _opts: unknown, cmd: Command) => {
      checkJobId(id);
      const g = globalsOf(cmd);
      const res = await withConnection(ctx, g, (conn) => deleteJob(conn, id));
      io.stdout.print(g.json ? toJsonText({ id: res.id }) : `Job deleted: ${res.id}\n`);
    }));

  leaf(job.command("delete-all").description("Delete every finished job (running jobs are kept)"))
    .action(action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const res = await withConnection(ctx, g, (conn) => deleteAllJobs(conn));
      if (g.json) {
        io.stdout.print(toJsonText({ deleted_ids: res.deletedIds, skipped: res.skipped }));
        return;
      }
      const kept = res.skipped > 0
        ? `; ${res.skipped} running ${res.skipped === 1 ? "job" : "jobs"} kept`
        : "";
      io.stdout.print(
        `Deleted ${res.deletedIds.length} ${res.deletedIds.length === 1 ? "job" : "jobs"}${kept}\n`,
      );
    }));
}

/** `--status running,failed` → ["RUNNING", "FAILED"]; case does not matter. */
export function parseStatuses(raw: string | undefined): JobStatus[] {
  if (raw === undefined) return [];
  return raw.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s !== "").map((s) => {
    if (!(JOB_STATUSES as readonly string[]).includes(s)) {
      throw new UsageError(`--status "${s}" is not a job state (use ${JOB_STATUSES.join(", ")})`);
    }
    return s as JobStatus;
  });
}

function nonNegativeInt(flag: string) {
  return (value: string): number => {
    if (!/^\d{1,9}$/.test(value)) {
      throw new InvalidArgumentError(`${flag} must be a whole number of 0 or more.`);
    }
    return Number(value);
  };
}
