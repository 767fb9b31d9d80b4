/**
 * Volumes end to end: rnx volume create/list/remove against a real agent, jobs that mount them with --volume,
 * sizes enforced with ENOSPC, data kept across jobs and agent restarts, and a job that sees only its volumes.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

const ignore = skip("root", "cgroup") || !exists("/dev/loop-control");

Deno.test({
  name: "e2e: a volume keeps a job's output for the next job and across a restart; sizes end in ENOSPC",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let agent = await TestAgent.start();
    const stateDir = agent.stateDir;
    try {
      // The seed's "Persistent Output" flow: 10GB, sparse.
      const created = await agent.rnx(["volume", "create", "results", "--size=10GB"]);
      assertEquals(created.code, 0, created.stderr);
      assertStringIncludes(created.stdout, "Volume created: results (filesystem, 10.0 GiB)");
      const image = `${stateDir}/volumes/results/image.ext4`;
      assertEquals(Deno.statSync(image).size, 10 * 1024 ** 3);
      const allocated = (Deno.statSync(image).blocks ?? 0) * 512;
      assert(allocated < 512 * 1024 ** 2, `the 10GB image allocated ${allocated} bytes`);
      console.log(`10GB volume: ${(allocated / 1024 ** 2).toFixed(0)} MiB allocated on disk`);

      const w = await agent.runToEnd([
        "--volume=results",
        "sh",
        "-c",
        "echo 42 > /volumes/results/report.txt",
      ]);
      assertEquals(w.job.status, "COMPLETED", w.stderr);
      const r = await agent.runToEnd(["--volume", "results:ro", "cat", "/volumes/results/report.txt"]);
      assertEquals([r.job.status, r.stdout], ["COMPLETED", "42\n"]);
      const ro = await agent.runToEnd(["--volume=results:ro", "sh", "-c", "echo x > /volumes/results/y"]);
      assertEquals(ro.job.status, "FAILED");
      assertStringIncludes(ro.stderr, "Read-only file system");

      // 150 MB into 100 MB: ENOSPC in the job; the volume stays usable.
      assertEquals((await agent.rnx(["volume", "create", "small", "--size=100MB"])).code, 0);
      const full = await agent.runToEnd([
        "--volume=small",
        "sh",
        "-c",
        "dd if=/dev/zero of=/volumes/small/big bs=1M count=150",
      ]);
      assertEquals(full.job.status, "FAILED");
      assertStringIncludes(full.stderr, "No space left on device");
      const after = await agent.runToEnd([
        "--volume=small",
        "sh",
        "-c",
        "rm /volumes/small/big && echo ok > /volumes/small/f && cat /volumes/small/f",
      ]);
      assertEquals([after.job.status, after.stdout], ["COMPLETED", "ok\n"]);

      // A memory volume, the same within its size.
      assertEquals(
        (await agent.rnx(["volume", "create", "scratch", "--size=16MB", "--type=memory"])).code,
        0,
      );
      const mem = await agent.runToEnd([
        "--volume=scratch",
        "sh",
        "-c",
        "echo m > /volumes/scratch/m; dd if=/dev/zero of=/volumes/scratch/big bs=1M count=32",
      ]);
      assertEquals(mem.job.status, "FAILED");
      assertStringIncludes(mem.stderr, "No space left on device");
      const mem2 = await agent.runToEnd(["--volume=scratch", "cat", "/volumes/scratch/m"]);
      assertEquals(mem2.stdout, "m\n");

      // The job sees only the volumes it asked for: not the others, not the images, not the state dir.
      const look = await agent.runToEnd([
        "--volume=small",
        "sh",
        "-c",
        "ls /volumes; cat /proc/self/mountinfo",
      ]);
      assertEquals(look.stdout.split("\n")[0], "small");
      // (The /work bind names its host directory: that is the workspace's business, not the volumes'.)
      assert(
        !look.stdout.includes(`${stateDir}/volumes`),
        `the job's mount table names the volumes:\n${look.stdout}`,
      );
      assertMatch(look.stdout, /\n\d+ \d+ \d+:\d+ \/ \/volumes\/small rw,nosuid,nodev/);
      assert(!look.stdout.includes("image.ext4"), look.stdout);

      const list = await agent.rnxJson<Array<Record<string, unknown>>>(["volume", "list"]);
      assertEquals(list.map((v) => [v.name, v.type, v.size_bytes]), [
        ["results", "filesystem", 10 * 1024 ** 3],
        ["scratch", "memory", 16 * 1024 ** 2],
        ["small", "filesystem", 100 * 1024 ** 2],
      ]);
      const text = await agent.rnx(["volume", "list"]);
      assertMatch(text.stdout, /^NAME\s+TYPE\s+SIZE\s+USED\s+JOBS\s+CREATED/);
      assertStringIncludes(text.stdout, "lost when the host reboots");

      // Restart (SIGTERM, then a new agent on the same state): the data is still there.
      await agent.stop({ keepState: true });
      agent = await TestAgent.start({ stateDir });
      const again = await agent.runToEnd(["--volume=results", "cat", "/volumes/results/report.txt"]);
      assertEquals(again.stdout, "42\n");
      // After kill -9 too.
      await agent.crash();
      await agent.restart();
      const again2 = await agent.runToEnd(["--volume=scratch", "cat", "/volumes/scratch/m"]);
      assertEquals(again2.stdout, "m\n");

      for (const name of ["results", "small", "scratch"]) {
        const rm = await agent.rnx(["volume", "remove", name]);
        assertEquals(rm.code, 0, rm.stderr);
      }
      assertEquals(mountsUnder(stateDir), []);
      assertEquals(await agent.rnxJson(["volume", "list"]), []);
    } finally {
      unmountAll(stateDir);
      await agent.stop();
    }
  },
});

Deno.test({
  name: "e2e: volume input errors exit 2, unknown and in-use volumes are refused naming what to do",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    try {
      for (
        const args of [
          ["create", "v", "--size=10XB"],
          ["create", "v", "--size=0"],
          ["create", "v", "--size=-1GB"],
          ["create", "-bad", "--size=100MB"],
          ["create", "x/../y", "--size=100MB"],
          ["create", "x".repeat(64), "--size=100MB"],
          ["create", "v", "--size=100MB", "--type=nfs"],
        ]
      ) {
        const r = await agent.rnx(["volume", ...args]);
        assertEquals(r.code, 2, `rnx volume ${args.join(" ")}: ${r.stderr}`);
      }
      const bad = await agent.rnx(["job", "run", "--volume=../etc", "true"]);
      assertEquals(bad.code, 2, bad.stderr);

      // "a" is the shortest valid name; a second "a" is a duplicate.
      assertEquals((await agent.rnx(["volume", "create", "a", "--size=16MB"])).code, 0);
      const dup = await agent.rnx(["volume", "create", "a", "--size=16MB"]);
      assertEquals(dup.code, 1);
      assertStringIncludes(dup.stderr, 'volume "a" already exists');

      const unknown = await agent.rnx(["job", "run", "--volume=nope", "true"]);
      assertEquals(unknown.code, 1);
      assertStringIncludes(unknown.stderr, 'volume "nope" does not exist');
      assertEquals(await agent.rnxJson(["job", "list"]), [], "a job was created for an unknown volume");

      // Workflows: `volumes:` mounts them; an unknown one refuses the whole file before anything starts.
      const dir = Deno.makeTempDirSync({ prefix: "joblet-wf-" });
      Deno.writeTextFileSync(
        `${dir}/vol.yaml`,
        "jobs:\n  write:\n    command: sh\n    args: ['-c', 'echo wf > /volumes/a/wf']\n    volumes: [a]\n" +
          "  read:\n    command: cat\n    args: [/volumes/a/wf]\n    volumes: ['a:ro']\n" +
          "    requires:\n      - write: COMPLETED\n",
      );
      Deno.writeTextFileSync(`${dir}/bad.yaml`, "jobs:\n  x:\n    command: 'true'\n    volumes: [nope]\n");
      const wfBad = await agent.rnx(["job", "run", `--workflow=${dir}/bad.yaml`]);
      assertEquals(wfBad.code, 1);
      assertStringIncludes(wfBad.stderr, 'volume "nope" does not exist');
      const wf = await agent.rnxJson<{ id: string }>(["job", "run", `--workflow=${dir}/vol.yaml`]);
      let jobs: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 300; i++) {
        const w = await agent.rnxJson<{ status: string; jobs: Array<Record<string, unknown>> }>(
          ["job", "status", "--workflow", wf.id],
        );
        jobs = w.jobs;
        if (["COMPLETED", "FAILED", "CANCELED"].includes(w.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const read = jobs.find((j) => j.workflow_job === "read")!;
      assertEquals(read.status, "COMPLETED");
      assertEquals((await agent.rnx(["job", "log", String(read.id)])).stdout, "wf\n");
      Deno.removeSync(dir, { recursive: true });

      const job = await agent.runJob(["--volume=a", "sleep", "60"]);
      await waitRunning(agent, job.id);
      const inUse = await agent.rnx(["volume", "remove", "a"]);
      assertEquals(inUse.code, 1);
      assertStringIncludes(inUse.stderr, `volume "a" is in use by job ${job.id}`);
      const listed = await agent.rnxJson<Array<{ jobs: string[] }>>(["volume", "list"]);
      assertEquals(listed[0].jobs, [job.id]);
      await agent.rnx(["job", "stop", job.id]);
      const rm = await agent.rnx(["volume", "remove", "a"]);
      assertEquals(rm.code, 0, rm.stderr);
      const gone = await agent.rnx(["volume", "remove", "a"]);
      assertEquals(gone.code, 1);
      assertStringIncludes(gone.stderr, 'volume "a" does not exist');
      assertEquals(mountsUnder(agent.stateDir), []);
    } finally {
      unmountAll(agent.stateDir);
      await agent.stop();
    }
  },
});

async function waitRunning(agent: TestAgent, id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await agent.rnxJson(["job", "status", id])).status === "RUNNING") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} never ran`);
}

function mountsUnder(dir: string): string[] {
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n").filter((l) => l.includes(dir));
}

/** So that removing the state dir never deletes through a mount that a failed test left. */
function unmountAll(dir: string): void {
  for (const line of mountsUnder(dir)) {
    const point = line.split(" ")[4];
    new Deno.Command("umount", { args: ["-l", point] }).outputSync();
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
