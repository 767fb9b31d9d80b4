/** Kernel and libc constants, under their C names (Linux, x86_64 and aarch64 share these values). */

// <sched.h> clone / unshare / setns flags
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_NEWPID = 0x20000000;

// <sys/mount.h> mount flags (unsigned long, hence bigint)
export const MS_RDONLY = 1n;
export const MS_NOSUID = 2n;
export const MS_NODEV = 4n;
export const MS_NOEXEC = 8n;
export const MS_REMOUNT = 32n;
export const MS_NOATIME = 1024n;
export const MS_BIND = 4096n;
export const MS_REC = 16384n;
export const MS_PRIVATE = 1n << 18n;

// umount2 flags
export const MNT_DETACH = 2;

// <fcntl.h> open flags
export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_CLOEXEC = 0o2000000;

// <sys/socket.h>
export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;

// <linux/sockios.h>, <net/if.h>
export const SIOCGIFFLAGS = 0x8913n;
export const SIOCSIFFLAGS = 0x8914n;
export const IFF_UP = 0x1;
/** sizeof(struct ifreq) */
export const IFREQ_SIZE = 40;
/** IFNAMSIZ: ifr_name is char[16]; ifr_flags (short) follows it. */
export const IFNAMSIZ = 16;
