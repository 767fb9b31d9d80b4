/**
 * Files from the browser as upload chunks. A form's `file` fields carry their place in /work as the file name
 * ("data/in.csv" for a file of a dropped folder); the agent creates missing parent directories. Paths follow
 * the agent's rules (agent/domain/upload.ts) and must not clash. Browsers give no permission bits: files are
 * 0644. Each file is read in `chunkSize` pieces from its Blob, never joined into one buffer.
 *
 * For a workflow, files are named by their path relative to the YAML, like the `uploads:` entries; each job's
 * entry selects that file (landing at its base name, as `rnx job run --workflow` does) or a folder's files
 * (landing under the folder's base name).
 */
import { UploadKind } from "../../../proto/gen/joblet.ts";
import type { UploadChunk } from "../../../proto/gen/joblet.ts";
import { checkUploadPath } from "../../../agent/domain/upload.ts";
import { invalidArgument } from "../../../agent/domain/errors.ts";
import { DEFAULT_CHUNK_SIZE } from "../../uploads.ts";

export interface FormUpload {
  /** Where it lands, relative to /work. */
  path: string;
  file: Blob;
}

/** The form's files, checked: valid relative paths, each once. */
export function formUploads(files: File[]): FormUpload[] {
  const seen = new Set<string>();
  return files.map((file) => {
    const path = file.name.replace(/^\.\//, "");
    checkUploadPath(path);
    if (seen.has(path)) throw invalidArgument(`upload "${path}" is given twice`);
    seen.add(path);
    return { path, file };
  });
}

/** Total bytes of some uploads. */
export function uploadBytes(uploads: FormUpload[]): number {
  return uploads.reduce((n, u) => n + u.file.size, 0);
}

/** The chunks for the uploads, in order; an empty file is one chunk without data. */
export async function* formChunks(
  uploads: FormUpload[],
  chunkSize = DEFAULT_CHUNK_SIZE,
): AsyncGenerator<UploadChunk> {
  for (const u of uploads) {
    const size = u.file.size;
    if (size === 0) {
      yield {
        path: u.path,
        mode: 0o644,
        kind: UploadKind.UPLOAD_KIND_FILE,
        data: new Uint8Array(),
        last: true,
      };
      continue;
    }
    for (let off = 0; off < size; off += chunkSize) {
      const data = new Uint8Array(await u.file.slice(off, off + chunkSize).arrayBuffer());
      yield {
        path: u.path,
        mode: 0o644,
        kind: UploadKind.UPLOAD_KIND_FILE,
        data,
        last: off + chunkSize >= size,
      };
    }
  }
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/**
 * One workflow job's uploads: for each `uploads:` entry (relative to the YAML), the sent file of that path or
 * the sent files under that folder. An entry matching nothing is an error naming the job and the entry.
 */
export function workflowJobUploads(job: string, entries: string[], sent: FormUpload[]): FormUpload[] {
  const out: FormUpload[] = [];
  for (const entry of entries) {
    const want = entry.replace(/^\.\//, "").replace(/\/+$/, "");
    const base = baseName(want);
    const found = sent.filter((s) => s.path === want || s.path.startsWith(want + "/"));
    if (found.length === 0) {
      throw invalidArgument(
        `job "${job}" uploads "${entry}", but no file of that path was sent (add it to the form's files)`,
      );
    }
    for (const s of found) {
      out.push({ path: s.path === want ? base : base + s.path.slice(want.length), file: s.file });
    }
  }
  return out;
}
