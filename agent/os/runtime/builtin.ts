/**
 * The runtime specs that ship with the agent (specs/*.yaml, embedded by specs/mod.ts). Only versions the
 * distribution really has are named: on Debian 12, python3 is 3.11 (ADR 0010).
 */
import { parseRuntimeSpec, type RuntimeSpec } from "../../domain/runtime.ts";
import { BUILTIN_SPECS } from "./specs/mod.ts";

export function builtinSpecs(): RuntimeSpec[] {
  return Object.entries(BUILTIN_SPECS).map(([file, text]) =>
    parseRuntimeSpec(text, `agent/os/runtime/specs/${file}`)
  );
}
