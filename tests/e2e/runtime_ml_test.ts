/**
 * The built-in `python-3.11-ml` runtime end to end: numpy, pandas, scipy, scikit-learn and matplotlib from
 * Debian 12's packages. A job prints numpy's version (the one the runtime's package list names), fits a tiny
 * model and draws a PNG with the Agg backend; the runtime is read-only; `rnx runtime test` passes; the host's
 * dpkg database is untouched. The one full build of the big runtime in the suite: 223 packages, ~190 MB to
 * download, ~1 GiB on disk (scipy depends on pythran, which brings g++ and boost); cold ~75 s here.
 *
 * Needs root, cgroups, apt-get and the distribution's mirror (skipped with the reason otherwise).
 */
import { assertEquals, assertMatch, assertStringIncludes } from "../assert.ts";
import { dpkgList, skipRuntime, useTestDebCache } from "./_runtime.ts";
import { TestAgent } from "./_agent.ts";

const ignore = skipRuntime();
useTestDebCache();

const FIT = `
import numpy as np, pandas as pd, matplotlib.pyplot as plt
from sklearn.linear_model import LinearRegression
df = pd.DataFrame({"x": np.arange(10.0)})
df["y"] = 3 * df["x"] + 2
m = LinearRegression().fit(df[["x"]], df["y"])
print(f"y = {m.coef_[0]:.2f} x + {m.intercept_:.2f}")
plt.plot(df["x"], df["y"])
plt.savefig("/work/fit.png")
import os; print("png", os.path.getsize("/work/fit.png") > 1000, plt.get_backend())
`;

Deno.test({
  name: "e2e: rnx runtime install python-3.11-ml, then a job imports numpy, pandas, sklearn and fits a model",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    try {
      const before = await dpkgList();
      const t0 = performance.now();
      const inst = await agent.rnx(["runtime", "install", "python@3.11-ml"]);
      const seconds = (performance.now() - t0) / 1000;
      assertEquals(inst.code, 0, inst.stderr);
      assertEquals(await dpkgList(), before, "the host's dpkg -l changed");

      const all = await agent.rnxJson<Array<Record<string, unknown>>>(["runtime", "list"]);
      const [rt] = all.filter((r) => r.installed);
      assertEquals([rt.name, rt.version, rt.language], ["python-3.11-ml", "3.11", "python"]);
      const packages = rt.packages as Array<{ name: string; version: string }>;
      console.log(
        `python-3.11-ml: installed in ${seconds.toFixed(1)} s, ${
          ((rt.size_bytes as number) / 1024 ** 2).toFixed(1)
        } MiB, ${packages.length} packages`,
      );
      // Debian's version "1:1.24.2-1+deb12u1" is numpy 1.24.2.
      const debNumpy = packages.find((p) => p.name === "python3-numpy")!.version;
      const numpyVersion = debNumpy.replace(/^\d+:/, "").replace(/[-+~].*$/, "");

      const version = await agent.runToEnd([
        "--runtime=python-3.11-ml",
        "python3",
        "-c",
        "import numpy, pandas, sklearn; print(numpy.__version__)",
      ]);
      assertEquals([version.job.status, version.stdout], ["COMPLETED", `${numpyVersion}\n`], version.stderr);

      const fit = await agent.runToEnd(["--runtime=python-3.11-ml", "python3", "-c", FIT]);
      assertEquals(fit.job.status, "COMPLETED", fit.stderr);
      assertEquals(fit.stdout, "y = 3.00 x + 2.00\npng True agg\n");

      const rofs = await agent.runToEnd([
        "--runtime=python-3.11-ml",
        "sh",
        "-c",
        "echo x > /usr/lib/python3/dist-packages/numpy/evil.py",
      ]);
      assertEquals(rofs.job.status, "FAILED");
      assertStringIncludes(rofs.stderr, "Read-only file system");

      const smoke = await agent.rnx(["runtime", "test", "python-3.11-ml"]);
      assertEquals(smoke.code, 0, smoke.stderr);
      assertMatch(
        smoke.stdout,
        /^python 3\.11\.\d+ numpy 1\.\d+\.\d+ pandas \d\S* scipy \d\S* sklearn \d\S* matplotlib \d\S*$/m,
      );
      assertStringIncludes(smoke.stderr, "smoke test passed");
    } finally {
      await agent.stop();
    }
  },
});
