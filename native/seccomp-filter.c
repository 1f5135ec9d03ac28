/*
 * Writes the seccomp filter of bubblewrap sandboxes, as a classic BPF program that bwrap
 * loads with `--seccomp FD`, to the file named by its one argument.
 *
 *   seccomp-filter OUTPUT
 *
 * scripts/setup.sh builds and runs it once on the host; it never runs in a sandbox. Like
 * Flatpak's filter it allows every system call except those below, so that ordinary
 * developer tools keep working. Denied calls fail with EPERM, except where a program falls
 * back to an older call only on ENOSYS (clone3, the new mount API, io_uring), and sockets
 * of other families fail with EAFNOSUPPORT, as for a family the kernel lacks. System calls
 * of other ABIs (i386 and x32 on x86-64) kill the process, because their numbers differ and
 * the rules below cover only the architecture this program is built for.
 *
 * Build: cc -O2 -o seccomp-filter seccomp-filter.c -lseccomp (Debian: libseccomp-dev).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Netlink protocols that stay allowed: routes and addresses (`ip addr`, getifaddrs, and
 * glibc's getaddrinfo with AI_ADDRCONFIG), and socket listings (`ss`). */
#define NETLINK_ROUTE 0
#define NETLINK_SOCK_DIAG 4
/* Highest netlink protocol number the kernel defines (MAX_LINKS - 1 in linux/netlink.h). */
#define NETLINK_MAX_PROTOCOL 31

/* Highest address family number that the filter denies. The kernel itself rejects families
 * from AF_MAX on with EAFNOSUPPORT (PF_MAX is 46 in glibc 2.36's headers), and the filter
 * covers room for families added later. */
#define AF_MAX_LISTED 64

/* Calls denied outright, with the errno they fail with. */
struct denied_call {
  const char *name;
  int errno_value;
};

static const struct denied_call DENIED_CALLS[] = {
    /* Mounts and root changes: a command could reshape its view of the files or, with a
     * new user namespace, mount file systems whose kernel code is rarely attacked. */
    {"mount", EPERM},
    {"umount", EPERM},
    {"umount2", EPERM},
    {"pivot_root", EPERM},
    {"chroot", EPERM},
    /* The new mount API: util-linux's libmount falls back to mount() on ENOSYS. */
    {"open_tree", ENOSYS},
    {"move_mount", ENOSYS},
    {"fsopen", ENOSYS},
    {"fsconfig", ENOSYS},
    {"fsmount", ENOSYS},
    {"fspick", ENOSYS},
    {"mount_setattr", ENOSYS},
    /* Joining other namespaces. New ones are denied by flag below. */
    {"setns", EPERM},
    /* clone3 passes its flags in memory, which a filter cannot read. glibc and others fall
     * back to clone on ENOSYS, and clone's flags are checked below. */
    {"clone3", ENOSYS},
    /* Reading and changing other processes. */
    {"ptrace", EPERM},
    {"process_vm_readv", EPERM},
    {"process_vm_writev", EPERM},
    {"kcmp", EPERM},
    /* Kernel code and kernel-wide state. */
    {"kexec_load", EPERM},
    {"kexec_file_load", EPERM},
    {"init_module", EPERM},
    {"finit_module", EPERM},
    {"delete_module", EPERM},
    {"create_module", EPERM},
    {"bpf", EPERM},
    {"perf_event_open", EPERM},
    {"userfaultfd", EPERM},
    {"keyctl", EPERM},
    {"add_key", EPERM},
    {"request_key", EPERM},
    {"acct", EPERM},
    {"quotactl", EPERM},
    {"quotactl_fd", EPERM},
    {"swapon", EPERM},
    {"swapoff", EPERM},
    {"reboot", EPERM},
    {"syslog", EPERM},
    {"settimeofday", EPERM},
    {"clock_settime", EPERM},
    {"adjtimex", EPERM},
    {"clock_adjtime", EPERM},
    {"iopl", EPERM},
    {"ioperm", EPERM},
    {"open_by_handle_at", EPERM},
    {"name_to_handle_at", EPERM},
    {"uselib", EPERM},
    {"lookup_dcookie", EPERM},
    {"nfsservctl", EPERM},
    {"_sysctl", EPERM},
    {"vhangup", EPERM},
    /* io_uring runs file and socket work in kernel threads, past this filter's checks, and
     * has been a frequent source of kernel bugs. libuv and liburing users fall back to
     * ordinary calls on ENOSYS. */
    {"io_uring_setup", ENOSYS},
    {"io_uring_enter", ENOSYS},
    {"io_uring_register", ENOSYS},
};

/* Namespace flags of clone and unshare. CLONE_NEWTIME is checked only for unshare, because
 * in clone's flags the same bit is part of the exit signal. */
static const unsigned long NAMESPACE_FLAGS[] = {
    CLONE_NEWNS,  CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
};

/* Address families that stay allowed: local, IPv4 and IPv6 sockets, and netlink for the
 * protocols above. */
static const int ALLOWED_FAMILIES[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

static scmp_filter_ctx filter;

static void fail(const char *what, int error) {
  fprintf(stderr, "seccomp-filter: %s: %s\n", what, strerror(error < 0 ? -error : error));
  seccomp_release(filter);
  exit(1);
}

/* Adds a rule that makes `call` fail with `errno_value` when all comparisons match. */
static void deny(const char *call, int errno_value, unsigned int count,
                 const struct scmp_arg_cmp *comparisons) {
  int number = seccomp_syscall_resolve_name(call);
  if (number == __NR_SCMP_ERROR) {
    fprintf(stderr, "seccomp-filter: unknown system call %s\n", call);
    seccomp_release(filter);
    exit(1);
  }
  int result = seccomp_rule_add_array(filter, SCMP_ACT_ERRNO(errno_value), number, count,
                                      comparisons);
  /* A call this architecture lacks (such as umount on x86-64) has a negative pseudo number,
   * and libseccomp 2.5 accepts its rule without adding anything. */
  if (result != 0) {
    char what[128];
    snprintf(what, sizeof what, "could not add the rule for %s", call);
    fail(what, result);
  }
}

static int is_allowed_family(int family) {
  for (size_t i = 0; i < sizeof ALLOWED_FAMILIES / sizeof ALLOWED_FAMILIES[0]; i++) {
    if (ALLOWED_FAMILIES[i] == family) {
      return 1;
    }
  }
  return 0;
}

/*
 * Denies personality() values other than those Docker's default profile allows: Linux
 * (PER_LINUX, 0x0), its 32-bit variant (PER_LINUX32, 0x8), either with UNAME26 (0x20000,
 * 0x20008), and 0xffffffff, which only reads the current value. Other personalities change
 * how the kernel lays out and reads a process's memory (READ_IMPLIES_EXEC,
 * ADDR_NO_RANDOMIZE and more) or emulate other systems. The kernel reads 32 bits, so only
 * those are compared. A rule's comparisons must all match and libseccomp allows one per
 * argument, so the denied values are a union of masked patterns, by bits 3 (PER_LINUX32)
 * and 17 (UNAME26), the only bits an allowed value other than 0xffffffff sets:
 *   - bit 3 clear: any other bit set but bit 17;
 *   - bit 3 set, bit 17 clear: any other bit set;
 *   - both set: the other 30 bits are neither all clear (0x20008) nor all set (0xffffffff),
 *     that is, some bit is set and the next one, taken in a cycle, is clear.
 */
static void deny_other_personalities(void) {
  const unsigned long per_linux32 = 1UL << 3;
  const unsigned long uname26 = 1UL << 17;
  unsigned long others[30];
  size_t count = 0;
  for (int bit = 0; bit < 32; bit++) {
    if (bit != 3 && bit != 17) {
      others[count++] = 1UL << bit;
    }
  }
  for (size_t i = 0; i < count; i++) {
    unsigned long bit = others[i];
    unsigned long next = others[(i + 1) % count];
    struct scmp_arg_cmp patterns[] = {
        SCMP_A0(SCMP_CMP_MASKED_EQ, bit | per_linux32, bit),
        SCMP_A0(SCMP_CMP_MASKED_EQ, bit | per_linux32 | uname26, bit | per_linux32),
        SCMP_A0(SCMP_CMP_MASKED_EQ, bit | next | per_linux32 | uname26,
                bit | per_linux32 | uname26),
    };
    for (size_t j = 0; j < sizeof patterns / sizeof patterns[0]; j++) {
      deny("personality", EPERM, 1, &patterns[j]);
    }
  }
}

static void add_rules(void) {
  for (size_t i = 0; i < sizeof DENIED_CALLS / sizeof DENIED_CALLS[0]; i++) {
    deny(DENIED_CALLS[i].name, DENIED_CALLS[i].errno_value, 0, NULL);
  }

  /* New namespaces: a new user namespace would give a command every capability inside it,
   * and with them mounts and the kernel code behind them. One rule per flag, because a
   * rule's comparisons must all match. */
  for (size_t i = 0; i < sizeof NAMESPACE_FLAGS / sizeof NAMESPACE_FLAGS[0]; i++) {
    unsigned long flag = NAMESPACE_FLAGS[i];
    struct scmp_arg_cmp with_flag = SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag);
    deny("clone", EPERM, 1, &with_flag);
    deny("unshare", EPERM, 1, &with_flag);
  }
  struct scmp_arg_cmp new_time = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWTIME, CLONE_NEWTIME);
  deny("unshare", EPERM, 1, &new_time);

  /* Terminal injection: TIOCSTI pushes input into a terminal, which a shell outside the
   * sandbox may read, and TIOCLINUX can do the same on a virtual console. The kernel reads
   * the request as 32 bits, so only those are compared. */
  struct scmp_arg_cmp tiocsti = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCSTI);
  struct scmp_arg_cmp tioclinux = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCLINUX);
  deny("ioctl", EPERM, 1, &tiocsti);
  deny("ioctl", EPERM, 1, &tioclinux);

  deny_other_personalities();

  /* Socket families: raw packets (AF_PACKET), Bluetooth, alg, vsock and the many rarely
   * used families whose kernel code sees little use. The kernel reads 32 bits. */
  for (int family = 0; family <= AF_MAX_LISTED; family++) {
    if (is_allowed_family(family)) {
      continue;
    }
    struct scmp_arg_cmp domain = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL, family);
    deny("socket", EAFNOSUPPORT, 1, &domain);
  }
  /* Netlink: only the protocols above. The others reach audit, netfilter, uevents, crypto
   * and generic netlink families. */
  for (int protocol = 0; protocol <= NETLINK_MAX_PROTOCOL; protocol++) {
    if (protocol == NETLINK_ROUTE || protocol == NETLINK_SOCK_DIAG) {
      continue;
    }
    struct scmp_arg_cmp comparisons[] = {
        SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL, AF_NETLINK),
        SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffUL, protocol),
    };
    deny("socket", EAFNOSUPPORT, 2, comparisons);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: seccomp-filter OUTPUT\n");
    return 2;
  }
  filter = seccomp_init(SCMP_ACT_ALLOW);
  if (filter == NULL) {
    fprintf(stderr, "seccomp-filter: seccomp_init failed\n");
    return 1;
  }
  int result = seccomp_attr_set(filter, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (result != 0) {
    fail("could not set the action for other architectures", result);
  }
  add_rules();

  char temporary[4096];
  snprintf(temporary, sizeof temporary, "%s.tmp", argv[1]);
  int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    fail(temporary, errno);
  }
  result = seccomp_export_bpf(filter, fd);
  if (result != 0) {
    unlink(temporary);
    fail("could not write the BPF program", result);
  }
  if (close(fd) != 0 || rename(temporary, argv[1]) != 0) {
    int error = errno;
    unlink(temporary);
    fail(argv[1], error);
  }
  seccomp_release(filter);
  return 0;
}
