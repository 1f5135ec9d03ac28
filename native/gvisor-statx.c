/*
 * Preloaded into gVisor sandboxes whose root filesystem is the host's. gVisor releases up to
 * at least 2022-12 (Debian 12's runsc) reject statx() with AT_NO_AUTOMOUNT as EINVAL, and
 * coreutils 9 passes that flag, so `ls -l` and `stat` fail on every path. Automounts do not
 * exist inside the sandbox, so dropping the flag changes nothing else.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf) {
  return (int)syscall(SYS_statx, dirfd, path, flags & ~AT_NO_AUTOMOUNT, mask, buf);
}
