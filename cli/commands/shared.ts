/** Helpers every command definition uses. */
import { type Command, Option } from "commander";
import { EXIT_USAGE, UsageError } from "../errors.ts";

/**
 * Marks `cmd` as a leaf command: it accepts the global options again after the subcommand
 * (`rnx job list --json --node prod`). --config/--node are hidden there; `rnx --help` documents them.
 */
export function leaf(cmd: Command, opts: { json: boolean } = { json: true }): Command {
  if (opts.json) cmd.option("--json", "print JSON");
  return cmd
    .addOption(new Option("--config <path>", "rnx config file").hideHelp())
    .addOption(new Option("--node <name>", "node from the config").hideHelp());
}

/**
 * Wraps an action so a UsageError it throws is reported by commander like its own errors: message, usage line,
 * exit 2. commander passes the command as the last argument.
 */
// deno-lint-ignore no-explicit-any
export function action<A extends any[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof UsageError) {
        const cmd = args[args.length - 1] as Command;
        cmd.error(err.message, { exitCode: EXIT_USAGE, code: "rnx.usage" });
      }
      throw err;
    }
  };
}
