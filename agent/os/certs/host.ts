/**
 * The few facts about the machine and the invoking user that the PKI bootstrap needs, read so that code running
 * with only --allow-read/--allow-env (unit tests) still works: what needs --allow-sys falls back to files or
 * to a safe answer; users come from /etc/passwd.
 */

/** This machine's host name; /etc/hostname without --allow-sys; "localhost" when neither can be read. */
export function localHostname(): string {
  try {
    return Deno.hostname();
  } catch { /* no --allow-sys (Deno also guards /proc/sys/kernel/hostname behind --allow-all) */ }
  try {
    const name = Deno.readTextFileSync("/etc/hostname").trim();
    if (name) return name;
  } catch { /* fall through */ }
  return "localhost";
}

/**
 * The user id of this process, or -1 when it cannot be known: without --allow-sys (Deno also refuses
 * /proc/self to anything short of --allow-all). -1 counts as "not root" everywhere.
 */
export function currentUid(): number {
  try {
    return Deno.uid() ?? -1;
  } catch {
    return -1;
  }
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Parses /etc/passwd text (`name:x:uid:gid:gecos:home:shell`). */
export function parsePasswd(text: string): PasswdEntry[] {
  return text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(":")).filter((f) =>
    f.length >= 7
  ).map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] }));
}

export function readPasswd(): string {
  try {
    return Deno.readTextFileSync("/etc/passwd");
  } catch {
    return "";
  }
}

/** What the ownership and path rules look at; `hostFacts()` reads the real ones, tests pass their own. */
export interface HostFacts {
  uid: number;
  env: Record<string, string | undefined>;
  passwd: string;
}

export function hostFacts(): HostFacts {
  const env: Record<string, string | undefined> = {};
  for (const k of ["HOME", "SUDO_USER", "SUDO_UID", "SUDO_GID"]) env[k] = Deno.env.get(k);
  return { uid: currentUid(), env, passwd: readPasswd() };
}

/**
 * The user who ran `sudo` when this process is root because of sudo: SUDO_UID/SUDO_GID (numbers) and the home
 * of SUDO_USER (or of SUDO_UID) from /etc/passwd. Undefined when not root, not under sudo, or sudo from root.
 */
export function sudoUser(facts: HostFacts): PasswdEntry | undefined {
  const { SUDO_UID, SUDO_GID, SUDO_USER } = facts.env;
  if (facts.uid !== 0 || !SUDO_UID || !SUDO_GID || !/^\d+$/.test(SUDO_UID) || !/^\d+$/.test(SUDO_GID)) return;
  const uid = Number(SUDO_UID);
  if (uid === 0) return;
  const users = parsePasswd(facts.passwd);
  const entry = users.find((u) => u.name === SUDO_USER && u.uid === uid) ?? users.find((u) => u.uid === uid);
  if (!entry || !entry.home.startsWith("/")) return;
  return { ...entry, gid: Number(SUDO_GID) };
}
