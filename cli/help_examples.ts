/**
 * `rnx help <command…>` and the examples at the end of each command's help. EXAMPLES maps a command path to
 * one to three real command lines; `applyHelp(program)` adds them to the commands that exist (after every
 * command is registered) and replaces commander's `help [command]`, which looks one level deep only, with one
 * that follows the whole path: `rnx help job run` shows the help of `rnx job run`.
 */
import type { Command } from "commander";
import { UsageError } from "./errors.ts";
import { action } from "./commands/shared.ts";

export interface Example {
  /** What it does, one line. */
  what: string;
  /** The command line, starting with `rnx`. */
  line: string;
}

export const EXAMPLES: Record<string, readonly Example[]> = {
  "": [
    { what: "Run a command on the default node and print its output", line: "rnx job run -f echo hello" },
    {
      what: "List the jobs on the node 'prod' from the config, as JSON",
      line: "rnx --node prod job list --json",
    },
    { what: "Show the help of one command", line: "rnx help job run" },
  ],
  "job": [
    { what: "Run a job and follow its output", line: "rnx job run -f python3 -c 'print(42)'" },
    { what: "List the jobs that failed", line: "rnx job list --status failed" },
  ],
  "job run": [
    {
      what: "Run a script with an upload, a memory limit and two cores, following its output",
      line: "rnx job run --upload train.py --max-memory 512MB --cpu-cores 0-1 -f python3 train.py",
    },
    {
      what: "Run a backup every night at 02:00 Berlin time",
      line: 'rnx job run --schedule "cron:0 2 * * *" --tz Europe/Berlin sh backup.sh',
    },
    { what: "Run every job of a workflow file", line: "rnx job run --workflow pipeline.yaml" },
  ],
  "job status": [
    { what: "Show a job by a unique prefix of its id", line: "rnx job status 0a1b2c3d" },
    { what: "Show a workflow's jobs and its original YAML", line: "rnx job status --workflow 7f3e --detail" },
  ],
  "job list": [
    { what: "The 20 newest jobs", line: "rnx job list --limit 20" },
    { what: "Running and scheduled jobs as JSON", line: "rnx job list --status running,scheduled --json" },
    { what: "Workflows with their progress", line: "rnx job list --workflow" },
  ],
  "job log": [
    { what: "Follow a job's output until it ends", line: "rnx job log 0a1b2c3d" },
    { what: "Print what is stored so far and exit", line: "rnx job log --no-follow 0a1b2c3d" },
  ],
  "job stop": [
    { what: "Stop a job, killing it 5 seconds after SIGTERM", line: "rnx job stop --grace 5 0a1b2c3d" },
    {
      what: "Stop a workflow: running jobs stop, pending ones are canceled",
      line: "rnx job stop --workflow 7f3e",
    },
  ],
  "job cancel": [
    { what: "Cancel a scheduled job or a cron schedule", line: "rnx job cancel 0a1b2c3d" },
  ],
  "job delete": [
    { what: "Delete a finished job and its log", line: "rnx job delete 0a1b2c3d" },
  ],
  "job delete-all": [
    { what: "Delete every finished job; running ones are kept", line: "rnx job delete-all" },
  ],
  "job metrics": [
    { what: "Follow a job's CPU, memory and I/O samples", line: "rnx job metrics 0a1b2c3d" },
    { what: "The stored samples as JSON lines", line: "rnx job metrics --no-follow --json 0a1b2c3d" },
  ],
  "monitor": [
    { what: "A one-off summary of the agent's host", line: "rnx monitor status" },
  ],
  "monitor status": [
    { what: "Host summary of the node 'prod'", line: "rnx --node prod monitor status" },
    { what: "The same as JSON", line: "rnx monitor status --json" },
  ],
  "monitor top": [
    { what: "The 20 busiest processes by CPU and by memory", line: "rnx monitor top -n 20" },
  ],
  "monitor watch": [
    { what: "A summary every 2 seconds until Ctrl-C", line: "rnx monitor watch --interval 2" },
    { what: "One JSON line per interval, for a log", line: "rnx monitor watch --json >> host.jsonl" },
  ],
  "runtime install": [
    {
      what: "Build a built-in runtime from the distribution's packages",
      line: "rnx runtime install python-3.11",
    },
    {
      what: "Install a packed runtime made by `rnx runtime export`",
      line: "rnx runtime install ./openjdk-17.tar.zst",
    },
    {
      what: "Let the agent fetch a packed runtime; the checksum is required",
      line:
        "rnx runtime install https://files.example/python-3.11-ml.tar.zst --sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
  ],
  "runtime export": [
    {
      what: "Pack a runtime for an air-gapped host",
      line: "rnx runtime export python-3.11-ml -o ml.tar.zst",
    },
  ],
  "network create": [
    {
      what: "A network of its own; its jobs reach each other by name",
      line: "rnx network create backend --cidr 10.10.0.0/24",
    },
  ],
  "volume create": [
    {
      what: "A 10 GB filesystem volume (sparse: takes space as it fills)",
      line: "rnx volume create results --size 10GB",
    },
    { what: "A RAM-backed scratch volume", line: "rnx volume create scratch --size 512MB --type memory" },
  ],
  "admin": [
    { what: "Serve the web UI on http://127.0.0.1:5173/ and open it", line: "rnx admin --open" },
    {
      what: "Serve it to the local network; the printed URL carries the access token",
      line: "rnx admin --bind 0.0.0.0 --port 8080",
    },
  ],
  "nodes": [
    { what: "The nodes in the config; '*' marks the default", line: "rnx nodes" },
  ],
  "version": [
    { what: "Client and agent versions", line: "rnx version" },
    { what: "The same for the node 'prod', as JSON", line: "rnx version --node prod --json" },
  ],
  "completion": [
    { what: "Complete rnx in this bash session", line: "source <(rnx completion bash)" },
    { what: "Install for zsh", line: 'rnx completion zsh > "${fpath[1]}/_rnx"' },
    { what: "Install for fish", line: "rnx completion fish > ~/.config/fish/completions/rnx.fish" },
  ],
  "help": [
    { what: "Help for a command, with examples", line: "rnx help job run" },
  ],
};

/** The path of `cmd` below the program: "job run"; "" for rnx itself. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

export function examplesText(examples: readonly Example[]): string {
  return "\nExamples:\n" + examples.map((e) => `  # ${e.what}\n  ${e.line}\n`).join("\n");
}

/** Adds `rnx help <command…>` and every command's examples; call once every command is registered. */
export function applyHelp(program: Command): void {
  program.helpCommand(false);
  program.command("help").description("Show the help of a command, with examples")
    .argument("[command...]", "the command, e.g. job run")
    .action(action((words: string[], _opts: unknown, cmd: Command) => {
      let target = program;
      for (const w of words) {
        const next = target.commands.find((c) => c.name() === w || c.aliases().includes(w));
        if (!next) {
          const known = target.commands.map((c) => c.name()).join(", ");
          throw new UsageError(
            `"${[commandPath(target), w].filter(Boolean).join(" ")}" is not an rnx command ` +
              `(commands${target === program ? "" : ` of '${commandPath(target)}'`}: ${known})`,
          );
        }
        target = next;
      }
      void cmd;
      target.help(); // throws commander's "help displayed" (exit 0): the program has exitOverride
      return Promise.resolve();
    }));
  const walk = (cmd: Command) => {
    const examples = EXAMPLES[commandPath(cmd)];
    if (examples) cmd.addHelpText("after", examplesText(examples));
    for (const c of cmd.commands) walk(c);
  };
  walk(program);
}
