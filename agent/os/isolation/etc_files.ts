/**
 * The job's minimal /etc: just enough for `id`, `ps`, `getent hosts localhost` and libc name lookups.
 * The job runs as nobody (65534), so nobody must resolve; group 65534 keeps Debian's name, nogroup.
 */

export interface EtcFile {
  /** Name under /etc. */
  name: string;
  content: string;
}

export const NOBODY = 65534;

export function etcFiles(hostname: string): EtcFile[] {
  return [
    {
      name: "passwd",
      content: "root:x:0:0:root:/root:/bin/sh\n" +
        `nobody:x:${NOBODY}:${NOBODY}:nobody:/nonexistent:/usr/sbin/nologin\n`,
    },
    { name: "group", content: `root:x:0:\nnogroup:x:${NOBODY}:\n` },
    {
      name: "hosts",
      content: `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`,
    },
    { name: "hostname", content: `${hostname}\n` },
    // Without this file glibc would try DNS first for hosts; the job has no network but loopback.
    { name: "nsswitch.conf", content: "passwd: files\ngroup: files\nshadow: files\nhosts: files\n" },
  ];
}
