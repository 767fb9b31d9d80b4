/** Job isolation: namespaces, the job's root filesystem and the way in (docs/adr/0001-job-entry.md). */
export { NamespaceLauncher, type NamespaceLauncherOptions } from "./launcher.ts";
export { DEFAULT_HOST_BINDS } from "./host_paths.ts";
