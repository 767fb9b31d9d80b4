/** Rules for files a client uploads into a job's /work. */
import { invalidArgument } from "./errors.ts";

export const MAX_UPLOAD_PATH = 1024;

/**
 * Checks an upload path: relative, '/'-separated, no '.', '..' or empty segments, no NUL, at most 1024 bytes.
 * Returns the path's segments.
 */
export function checkUploadPath(path: string): string[] {
  const bad = (rule: string) => invalidArgument(`upload path "${path}" ${rule}`);
  if (path.length === 0) throw bad("is empty");
  if (path.length > MAX_UPLOAD_PATH) throw bad(`is longer than ${MAX_UPLOAD_PATH} characters`);
  if (path.includes("\0")) throw bad("contains a NUL byte");
  if (path.startsWith("/")) throw bad("is absolute (paths are relative to /work)");
  if (path.includes("\\")) throw bad("contains '\\' (use '/')");
  const parts = path.split("/");
  if (parts.some((p) => p === "..")) throw bad("contains '..' (uploads stay inside /work)");
  if (parts.some((p) => p === "" || p === ".")) throw bad("has an empty or '.' segment");
  return parts;
}

/** Permission bits an upload may carry: rwx for user/group/other, no setuid/setgid/sticky. */
export function uploadMode(mode: number, isDir: boolean): number {
  const m = mode & 0o777;
  if (m === 0) return isDir ? 0o755 : 0o644;
  return m;
}
