/** What the workflow and scheduling use cases need from the job database, beyond JobStore (ports.ts). */
import type { JobRecord } from "../domain/job.ts";
import type { WorkflowRecord } from "../domain/workflow.ts";

export interface WorkflowStore {
  insertWorkflow(w: WorkflowRecord): void;
  updateWorkflow(id: string, patch: Partial<Omit<WorkflowRecord, "id">>): WorkflowRecord;
  getWorkflow(id: string): WorkflowRecord | undefined;
  findWorkflowsByPrefix(prefix: string, max: number): WorkflowRecord[];
  /** Newest first; 0 = all. */
  listWorkflows(limit?: number): WorkflowRecord[];
  deleteWorkflow(id: string): void;
  /** The jobs of a workflow, in the order they were created. */
  jobsOfWorkflow(workflowId: string): JobRecord[];
  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T;
}
