/**
 * /api/nodes/:node/workflows…: list, get (with jobs and YAML), run from YAML (multipart, checked here with the
 * agent's own rules first so problems come back as `issues` at their lines), stop.
 */
import { Hono } from "hono";
import type { Workflow } from "../../../../proto/gen/joblet.ts";
import { parseWorkflow } from "../../../../agent/domain/workflow_yaml.ts";
import { JobletError } from "../../../../agent/domain/errors.ts";
import { getWorkflow, listWorkflows, stopWorkflow } from "../../../commands/job_workflow.ts";
import { workflowToJson } from "../../../output/json.ts";
import { formChunks, formUploads, workflowJobUploads } from "../form_uploads.ts";
import { submitWorkflow } from "../submit.ts";
import { type Deps, formBody, nodeOf } from "../deps.ts";

export function workflowJson(w: Workflow, node: string, now: number, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...workflowToJson(w, now, full), node };
  if (Array.isArray(out.jobs)) out.jobs = out.jobs.map((j: Record<string, unknown>) => ({ ...j, node }));
  return out;
}

export function workflowRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get("/workflows", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    const list = await listWorkflows(conn, 0);
    const now = deps.now();
    return c.json({ workflows: list.map((w) => workflowJson(w, name, now, false)) });
  });

  app.get("/workflows/:id", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    return c.json(workflowJson(await getWorkflow(conn, c.req.param("id")), name, deps.now(), true));
  });

  app.post("/workflows", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    const form = await formBody(c);
    const field = form.get("yaml");
    if (field === null) throw new JobletError("InvalidArgument", "yaml: the form needs a field yaml");
    const yaml = typeof field === "string" ? field : await field.text();
    const file = typeof field === "string" ? "workflow.yaml" : field.name || "workflow.yaml";
    const parsed = parseWorkflow(yaml, file); // InvalidArgument listing file:line:col → 400 with issues
    const sent = formUploads(form.getAll("file").filter((f): f is File => f instanceof File));
    const uploads = parsed.jobs.filter((j) => j.uploads.length > 0).map((j) => ({
      job: j.name,
      chunks: formChunks(workflowJobUploads(j.name, j.uploads, sent)),
    }));
    const wf = await submitWorkflow(conn, { file, yaml }, uploads);
    return c.json(workflowJson(wf, name, deps.now(), true), 201);
  });

  app.post("/workflows/:id/stop", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    return c.json(workflowJson(await stopWorkflow(conn, c.req.param("id")), name, deps.now(), true));
  });

  return app;
}
