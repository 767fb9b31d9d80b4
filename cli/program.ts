/**
 * The rnx command tree and how it ends. `runRnx(argv, ctx)` parses, runs one command and returns the exit code:
 *   0  success (also for --help, --version)
 *   1  failure: config problems, agent errors, local I/O; or the job's exit code for `job run --follow`
 *   2  usage error: unknown command or flag, missing argument, bad value; the command's usage line follows
 * It never calls Deno.exit, so tests can run it.
 */
import { Command, CommanderError } from "commander";
import type { Context } from "./context.ts";
import { errorMessage, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.ts";
import { registerJobCommands } from "./commands/job.ts";
import { registerJobMetricsCommand } from "./commands/job_metrics.ts";
import { registerMonitorCommands } from "./commands/monitor.ts";
import { registerNodesCommand } from "./commands/nodes.ts";
import { registerVersionCommand, RNX_VERSION } from "./commands/version.ts";
import { registerVolumeCommands } from "./commands/volume.ts";
import { registerNetworkCommands } from "./commands/network.ts";
import { registerRuntimeCommands } from "./commands/runtime.ts";
import { registerCompletionCommand } from "./commands/completion.ts";
import { registerAdminCommand } from "./commands/admin.ts";
import { applyHelp } from "./help_examples.ts";

export function buildProgram(ctx: Context): Command {
  const program = new Command("rnx")
    .description("Client for joblet: run and manage isolated jobs on a joblet agent")
    .enablePositionalOptions()
    .exitOverride()
    .option(
      "--config <path>",
      "rnx config file (default: $RNX_CONFIG, ./rnx-config.yml, ~/.rnx/rnx-config.yml)",
    )
    .option("--node <name>", "node from the config to talk to (default: the config's default)")
    .option("--json", "print JSON instead of text")
    .version(RNX_VERSION, "-V, --version", "print the client version");
  registerJobCommands(program, ctx);
  registerJobMetricsCommand(program, ctx);
  registerMonitorCommands(program, ctx);
  registerNodesCommand(program, ctx);
  registerVolumeCommands(program, ctx);
  registerNetworkCommands(program, ctx);
  registerRuntimeCommands(program, ctx);
  registerAdminCommand(program, ctx);
  registerVersionCommand(program, ctx);
  registerCompletionCommand(program, ctx);
  applyHelp(program); // after every command: adds `help <command…>` and each command's examples
  configureOutput(program, ctx);
  return program;
}

/** Commander writes through our sinks; its errors read `rnx: …` followed by the failing command's usage line. */
function configureOutput(cmd: Command, ctx: Context): void {
  const name = fullName(cmd);
  cmd.configureOutput({
    writeOut: (s) => ctx.io.stdout.print(s),
    writeErr: (s) => ctx.io.stderr.print(s),
    outputError: (s, write) => write(`rnx: ${s.replace(/^error: /, "")}`),
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  });
  cmd.showHelpAfterError(`Usage: ${name} ${cmd.usage()}\nRun '${name} --help' for more.`);
  for (const sub of cmd.commands) configureOutput(sub, ctx);
}

function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Runs one rnx command line (without the program name) and returns the exit code. */
export async function runRnx(argv: string[], ctx: Context): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    if (err instanceof UsageError) {
      ctx.io.stderr.print(`rnx: ${err.message}\n`);
      return EXIT_USAGE;
    }
    ctx.io.stderr.print(`rnx: ${errorMessage(err)}\n`);
    return EXIT_FAILURE;
  }
}

function commanderExit(err: CommanderError): number {
  switch (err.code) {
    case "commander.helpDisplayed":
    case "commander.version":
      return EXIT_OK;
    case "commander.executeSubCommandAsync":
      return EXIT_FAILURE;
    default:
      // Includes "commander.help": a group (`rnx`, `rnx job`) called without a subcommand.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
}
