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

/** What a job's network adds to its /etc (see NetworkAttachment in core/ports.ts). */
export interface EtcNetwork {
  /** Extra /etc/hosts lines: the job and its network peers. */
  hosts?: string;
  /** /etc/resolv.conf; with it, hosts are also looked up in DNS. */
  resolvConf?: string;
}

export function etcFiles(hostname: string, net: EtcNetwork = {}): EtcFile[] {
  const files = baseEtcFiles(hostname);
  if (net.hosts) {
    const hosts = files.find((f) => f.name === "hosts")!;
    hosts.content += net.hosts.endsWith("\n") ? net.hosts : net.hosts + "\n";
  }
  if (net.resolvConf) {
    files.push({ name: "resolv.conf", content: net.resolvConf });
    files.find((f) => f.name === "nsswitch.conf")!.content = NSSWITCH.replace(
      "hosts: files",
      "hosts: files dns",
    );
  }
  return files;
}

const NSSWITCH = "passwd: files\ngroup: files\nshadow: files\nhosts: files\n";

function baseEtcFiles(hostname: string): EtcFile[] {
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
    { name: "nsswitch.conf", content: NSSWITCH },
  ];
}
