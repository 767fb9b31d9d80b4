/**
 * The shapes the API returns (docs/admin.md): jobs and workflows as `rnx … --json` prints them plus `node`,
 * the host as `rnx monitor status --json`, metric samples as `rnx job metrics --json`.
 */
import type { JobJson } from "../../output/json.ts";

export type Job = JobJson & { node: string };

export interface Workflow {
  id: string;
  name: string;
  file: string;
  status: string;
  node: string;
  submitted_by: string;
  created_time: string | null;
  start_time: string | null;
  end_time: string | null;
  duration_ms: number | null;
  total_jobs: number;
  completed_jobs: number;
  failed_jobs: number;
  canceled_jobs: number;
  running_jobs: number;
  stopped_by: string;
  yaml?: string;
  jobs?: Job[];
}

export interface Host {
  time: string;
  hostname: string;
  os: string;
  kernel: string;
  uptime_seconds: number;
  cpu_percent: number;
  cores: { id: number; usage_percent: number }[];
  load1: number;
  load5: number;
  load15: number;
  memory_total_bytes: number;
  memory_used_bytes: number;
  memory_available_bytes: number;
  swap_total_bytes: number;
  swap_used_bytes: number;
  disks: { mount_point: string; device: string; fs_type: string; total_bytes: number; used_bytes: number }[];
  interfaces: {
    name: string;
    rx_bytes: number;
    tx_bytes: number;
    rx_bytes_per_second: number;
    tx_bytes_per_second: number;
  }[];
  process_count: number;
  joblet_version: string;
  cgroup_version: string;
  jobs: Record<string, number>;
  top_processes: {
    pid: number;
    command: string;
    cpu_percent: number;
    memory_bytes: number;
    job_id: string | null;
  }[];
}

export interface MetricsSample {
  time: string;
  cpu_seconds: number;
  cpu_percent: number;
  cpu_throttled_us: number;
  memory_bytes: number;
  memory_peak_bytes: number;
  io_read_bytes: number;
  io_write_bytes: number;
  pids: number;
}

export interface Network {
  name: string;
  cidr: string | null;
  bridge: string | null;
  builtin: boolean;
  jobs: string[];
}

export interface Volume {
  name: string;
  type: string;
  size_bytes: number;
  used_bytes: number;
  jobs: string[];
  created: string | null;
  persistent: boolean;
  error: string | null;
}

export interface Runtime {
  name: string;
  version: string;
  language: string;
  description: string;
  installed: boolean;
  builtin: boolean;
  size_bytes: number;
  installed_at: string | null;
  jobs: string[];
}

/** A runtime install's progress event (the agent's InstallRuntimeProgress). */
export interface InstallProgress {
  phase: string;
  message: string;
  done?: number;
  total?: number;
  bytes?: number;
  total_bytes?: number;
  totalBytes?: number;
}

export interface LogEvent {
  stream: "stdout" | "stderr";
  line: string;
  time: string;
}
