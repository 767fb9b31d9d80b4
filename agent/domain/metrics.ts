/** What jobs consume: periodic samples while a job runs, and totals kept with its record. */

export interface JobSample {
  /** Unix milliseconds. */
  time: number;
  /** Cumulative CPU time of the job. */
  cpuSeconds: number;
  /** CPU use since the previous sample, in percent of one core. */
  cpuPercent: number;
  cpuThrottledUs: number;
  memoryBytes: number;
  memoryPeakBytes: number;
  ioReadBytes: number;
  ioWriteBytes: number;
  pids: number;
}

export interface JobUsage {
  cpuSeconds: number;
  peakMemoryBytes: number;
  ioReadBytes: number;
  ioWriteBytes: number;
  oomKilled: boolean;
  cpuThrottledUs: number;
}

export const NO_USAGE: JobUsage = {
  cpuSeconds: 0,
  peakMemoryBytes: 0,
  ioReadBytes: 0,
  ioWriteBytes: 0,
  oomKilled: false,
  cpuThrottledUs: 0,
};

/** What the monitoring side reads about jobs (implemented by core's JobService). */
export interface JobMetricsView {
  /** Job counts by status (INITIALIZING, RUNNING, COMPLETED, FAILED, STOPPED, TIMEOUT). */
  counts(): Record<string, number>;
  /** Running jobs with their latest sample, if one was taken yet. */
  running(): Array<{ id: string; name: string; sample: JobSample | undefined }>;
}
