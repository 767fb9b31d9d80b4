/**
 * `--max-net-bw` on the machine: one TBF qdisc on each end of the job's veth, through Debian's iproute2 `tc`
 * (docs/adr/0008-networks.md, "Traffic control"). The host end's root qdisc shapes what flows towards the job
 * (its ingress); the job end's (`eth0`, inside the job's network namespace, entered with `nsenter`) shapes
 * what the job sends (its egress). Both go away with the veth, so there is nothing else to clean up; the job
 * runs without CAP_NET_ADMIN and cannot remove them.
 *
 * Why not a policer on the host end's ingress qdisc: this kernel lacks act_police and cls_matchall (and
 * shaping queues where policing drops, which TCP likes better); an ifb device would be one more host link per
 * job to clean up after a crash, for the same measured rate.
 */
import { failedPrecondition, internal } from "../../domain/errors.ts";

/** Bytes the bucket may send at line speed: 4 ms worth of the rate, at least 32 KiB (a few 1500-byte frames). */
export function tbfBurstBytes(bytesPerSecond: number): number {
  return Math.max(32 * 1024, Math.ceil(bytesPerSecond / 250));
}

/**
 * `tc` arguments that limit what `dev` sends to `bytesPerSecond`. The rate is given in bits (tc's `bit` unit
 * is unambiguous; its `bps` would mean bytes). Packets wait at most 50 ms for tokens before being dropped.
 */
export function tbfArgs(dev: string, bytesPerSecond: number): string[] {
  return [
    "qdisc",
    "replace",
    "dev",
    dev,
    "root",
    "tbf",
    "rate",
    `${bytesPerSecond * 8}bit`,
    "burst",
    String(tbfBurstBytes(bytesPerSecond)),
    "latency",
    "50ms",
  ];
}

export interface TcOptions {
  /** The tc binary (default "tc"). */
  tc?: string;
  /** The nsenter binary (default "nsenter"). */
  nsenter?: string;
}

/**
 * Runs `tc ARGS`, in the network namespace at `netnsPath` when given (via `nsenter --net=`). Synchronous: the
 * launcher waits in attach() before it releases the job's command.
 */
export function runTc(args: string[], netnsPath?: string, opts: TcOptions = {}): void {
  const tc = opts.tc ?? "tc";
  const [program, argv] = netnsPath
    ? [opts.nsenter ?? "nsenter", [`--net=${netnsPath}`, "--", tc, ...args]]
    : [tc, args];
  let out: Deno.CommandOutput;
  try {
    out = new Deno.Command(program, { args: argv, stdin: "null", stdout: "piped", stderr: "piped" })
      .outputSync();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw failedPrecondition(
        `Cannot limit the job's network (--max-net-bw): "${program}" is missing (install the Debian package ` +
          `${program === tc ? "iproute2" : "util-linux"})`,
      );
    }
    throw e;
  }
  if (out.code !== 0) {
    throw internal(
      `tc ${args.join(" ")} failed (${out.code}): ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
}

/** Limits the job's traffic each way: its veth's host end (`hostDev`) and `eth0` in `netnsPath`. */
export function limitVeth(hostDev: string, netnsPath: string, bytesPerSecond: number, opts: TcOptions = {}) {
  runTc(tbfArgs(hostDev, bytesPerSecond), undefined, opts);
  runTc(tbfArgs("eth0", bytesPerSecond), netnsPath, opts);
}
