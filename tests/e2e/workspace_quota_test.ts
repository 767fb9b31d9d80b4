/**
 * Workspace quotas end to end: each job's /work is an ext4 image of jobs.max_disk (docs/adr/0009). Writing past
 * it is ENOSPC in the job and the agent stays healthy; uploads count toward it; the files outlive the job (in
 * the image, unmounted, its loop device freed) and go with `rnx job delete`.
 */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

const ignore = skip("root", "cgroup") || !exists("/dev/loop-control") || !exists("/usr/sbin/mkfs.ext4");

Deno.test({
  name: "e2e: /work is limited to jobs.max_disk: ENOSPC past it, uploads count, files kept until delete",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const stateDir = Deno.makeTempDirSync({ prefix: "joblet-e2e-" });
    const config = `${stateDir}/quota.yml`;
    Deno.writeTextFileSync(config, "network:\n  default: none\njobs:\n  max_disk: 16MB\n");
    const agent = await TestAgent.start({ stateDir, extraArgs: ["--config", config] });
    const jobs = Deno.realPathSync(`${stateDir}/jobs`);
    try {
      // 32 MB into 16 MB: ENOSPC in the job only.
      const full = await agent.runToEnd(["sh", "-c", "dd if=/dev/zero of=/work/big bs=1M count=32"]);
      assertEquals(full.job.status, "FAILED");
      assertStringIncludes(full.stderr, "No space left on device");
      const id = String(full.job.id);
      // The files outlive the job in its image; the mount (and so the loop device) is gone.
      assert(exists(`${jobs}/${id}/work.ext4`), "the job's image is kept after it ends");
      assertEquals(mountsUnder(jobs), []);
      // The agent is fine and the next job gets a fresh, empty /work of its own.
      const next = await agent.runToEnd(["sh", "-c", "ls -A /work | wc -l; df -k /work | tail -1"]);
      assertEquals(next.job.status, "COMPLETED", next.stderr);
      const [count, df] = next.stdout.trim().split("\n");
      assertEquals(count.trim(), "0");
      const totalKiB = Number(df.trim().split(/\s+/)[1]);
      assert(totalKiB > 12 * 1024 && totalKiB <= 16 * 1024, `/work is ${totalKiB} KiB, want about 16 MiB`);

      // Uploads count toward it: 20 MB does not fit in 16 MB and nothing of the job is made.
      const upload = `${stateDir}/upload.bin`;
      Deno.writeFileSync(upload, new Uint8Array(20 * 1024 ** 2));
      const before = Deno.readDirSync(jobs).toArray().length;
      const refused = await agent.rnx(["job", "run", "--upload", upload, "true"]);
      assertEquals(refused.code, 1, refused.stderr);
      assertStringIncludes(refused.stderr, "uploads exceed the job's /work of 16MiB");
      assertEquals(Deno.readDirSync(jobs).toArray().length, before);
      // 10 MB uploaded + 10 MB written > 16 MB: the upload is there, the write ends in ENOSPC.
      Deno.writeFileSync(upload, new Uint8Array(10 * 1024 ** 2));
      const both = await agent.runToEnd([
        "--upload",
        upload,
        "sh",
        "-c",
        "ls -l /work/upload.bin && dd if=/dev/zero of=/work/more bs=1M count=10",
      ]);
      assertEquals(both.job.status, "FAILED");
      assertStringIncludes(both.stdout, "10485760");
      assertStringIncludes(both.stderr, "No space left on device");

      // Delete takes the image with it.
      assertEquals((await agent.rnx(["job", "delete", id])).code, 0);
      assert(!exists(`${jobs}/${id}`), "the job's directory is gone after delete");
      const health = await agent.rnx(["job", "list"]);
      assertEquals(health.code, 0, health.stderr);
    } finally {
      await agent.stop(); // removes the state dir
      assertEquals(mountsUnder(jobs), [], "no workspace stays mounted after the agent stops");
    }
  },
});

Deno.test({
  name:
    "e2e: by default /work is 1 GiB; after an agent crash and restart no workspace mount or loop device stays",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start(); // no jobs.max_disk in its config: the default
    const jobs = Deno.realPathSync(`${agent.stateDir}/jobs`);
    try {
      const df = await agent.runToEnd(["sh", "-c", "df -k /work | tail -1"]);
      assertEquals(df.job.status, "COMPLETED", df.stderr);
      const totalKiB = Number(df.stdout.trim().split(/\s+/)[1]);
      assert(totalKiB > 900 * 1024 && totalKiB <= 1024 * 1024, `/work is ${totalKiB} KiB, want about 1 GiB`);

      const running = await agent.runJob(["sleep", "60"]);
      await waitFor(() => mountsUnder(jobs).length === 1, "the running job's /work is mounted");
      const image = `${jobs}/${running.id}/work.ext4`;
      assertEquals(loopsOf(image).length, 1, "one loop device backs the running job's /work");
      await agent.crash();
      assertEquals(mountsUnder(jobs).length, 1, "a crashed agent leaves the mount (recovery's work)");
      await agent.restart();
      // Recovery unmounted it and killed the job; the kernel detaches the loop device once the job's mount
      // namespace is gone, which it tears down in the background.
      assertEquals(mountsUnder(jobs), []);
      await waitFor(() => loopsOf(image).length === 0, "the loop device is detached after the restart");
      const after = await agent.rnxJson(["job", "status", running.id, "--json"]);
      assertEquals(after.status, "FAILED");
      // The restarted agent still gives jobs their limited /work.
      const next = await agent.runToEnd(["sh", "-c", "dd if=/dev/zero of=/work/f bs=1M count=2 && echo ok"]);
      assertEquals(next.stdout.trim(), "ok", next.stderr);
    } finally {
      await agent.stop();
      assertEquals(mountsUnder(jobs), [], "no workspace stays mounted after the agent stops");
    }
  },
});

/**
 * No loop device to be had, for real: the agent runs in a cgroup v1 device controller group that denies
 * /dev/loop-control (char 10:237) and every loop block device (block major 7), as a container without loop
 * access does. The kernel refuses the open, the job fails to start with the reason, and nothing stays mounted
 * or attached. (Filling every loop device is not possible: LOOP_CTL_GET_FREE adds devices up to 2^20.)
 */
const DEVICES = "/sys/fs/cgroup/devices";
Deno.test({
  name:
    "e2e: a job that cannot get a loop device fails to start with the reason, never with an unlimited /work",
  ignore: ignore || !exists(`${DEVICES}/devices.deny`),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const group = `${DEVICES}/joblet-e2e-noloop-${Deno.pid}`;
    Deno.mkdirSync(group);
    let agent: TestAgent | undefined;
    try {
      Deno.writeTextFileSync(`${group}/devices.deny`, "c 10:237 rwm");
      Deno.writeTextFileSync(`${group}/devices.deny`, "b 7:* rwm");
      const enter = `echo $$ > ${group}/cgroup.procs && exec "$@"`;
      agent = await TestAgent.start({ wrap: ["sh", "-c", enter, "sh"] });
      const jobs = Deno.realPathSync(`${agent.stateDir}/jobs`);
      const job = await agent.runToEnd(["sh", "-c", "echo ran"]);
      assertEquals(job.job.status, "FAILED");
      assert(!job.stdout.includes("ran"), "the command never ran");
      const status = JSON.stringify(job.job) + job.stderr;
      assertStringIncludes(status, "no loop device can be had");
      assertStringIncludes(status, "EPERM");
      assertEquals(mountsUnder(jobs), []);
      const image = `${jobs}/${job.job.id}/work.ext4.new`;
      assertEquals(loopsOf(image), []);
      assertEquals(Deno.statSync(image).blocks, 0, "the image is back to an empty sparse file");
    } finally {
      await agent?.stop();
      removeCgroupTree(group);
    }
  },
});

/** Loop devices whose backing file is `file` (`losetup -j`). */
function loopsOf(file: string): string[] {
  const out = new Deno.Command("losetup", { args: ["-j", file], stdout: "piped", stderr: "null" })
    .outputSync();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.trim() !== "");
}

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !cond();) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function removeCgroupTree(dir: string): void {
  for (const e of Deno.readDirSync(dir)) if (e.isDirectory) removeCgroupTree(`${dir}/${e.name}`);
  Deno.removeSync(dir);
}

function mountsUnder(dir: string): string[] {
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n").map((l) => l.split(" ")[4] ?? "")
    .filter((p) => p.startsWith(dir + "/"));
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
