/**
 * The one seam between the drivers and the machine's files. Every path the drivers use is absolute as on the
 * host ("/sys/fs/cgroup/…", "/proc/self/cgroup"); `hostFs(root)` prefixes each with `root`, so unit tests point
 * the drivers at a temp directory laid out like a cgroupfs (youki libcgroups/src/test.rs does the same).
 */
export interface CgroupFs {
  /** The file's text, or undefined when it does not exist. */
  read(path: string): string | undefined;
  /** Writes to an existing file. cgroupfs files cannot be created, so a missing file is an error (ENOENT). */
  write(path: string, data: string): void;
  exists(path: string): boolean;
  /** Creates one directory; false when it already existed. */
  mkdir(path: string): boolean;
  /** rmdir(2) of a cgroup directory: the kernel drops its control files with it. */
  rmdir(path: string): void;
  /** Names of the subdirectories of `path` ([] when it does not exist). */
  subdirs(path: string): string[];
  /** Names of every entry of `path`, symlinks included (/sys/block holds symlinks); [] when it does not exist. */
  entries(path: string): string[];
}

export function hostFs(root = ""): CgroupFs {
  const at = (path: string) => root.replace(/\/+$/, "") + path;
  return {
    read(path) {
      try {
        return Deno.readTextFileSync(at(path));
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return undefined;
        throw e;
      }
    },
    write(path, data) {
      // One write(2) per call, as the kernel parses each write of a control file on its own.
      Deno.writeTextFileSync(at(path), data, { create: false });
    },
    exists(path) {
      try {
        Deno.statSync(at(path));
        return true;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return false;
        throw e;
      }
    },
    mkdir(path) {
      try {
        Deno.mkdirSync(at(path));
        return true;
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) return false;
        throw e;
      }
    },
    rmdir(path) {
      Deno.removeSync(at(path));
    },
    subdirs(path) {
      try {
        return [...Deno.readDirSync(at(path))].filter((e) => e.isDirectory).map((e) => e.name).sort();
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return [];
        throw e;
      }
    },
    entries(path) {
      try {
        return [...Deno.readDirSync(at(path))].map((e) => e.name).sort();
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return [];
        throw e;
      }
    },
  };
}
