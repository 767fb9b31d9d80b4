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
