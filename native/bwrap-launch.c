/*
 * Launcher of the long-lived bwrap of a bubblewrap sandbox. The host spawns it, and it
 * prepares the process and then execs bwrap in place, so bwrap keeps its pid and stays the
 * host's child. A small static program spares each cold start what a shell would cost
 * (its own start and a subshell for the option list), and its helper writes the user
 * namespace maps without a round trip through the host.
 *
 * Usage:
 *
 *   bwrap-launch [--join FILE]... [--niceness N] [--keep-fd FD] [--file FD:PATH]...
 *                [--args-fd FD]
 *                [--user-maps INFO_FD BLOCK_FD REPORT_FD UID_MAP GID_MAP]
 *                -- COUNT OPTION... PROGRAM [ARG]...
 *
 * In this order it:
 *   1. adds N to its niceness, as nice(1) does;
 *   2. closes every descriptor above stderr except FD of `--keep-fd`, because a process
 *      inherits whatever its parent left open without close-on-exec;
 *   3. opens each PATH read-only at its FD, for bwrap options such as `--ro-bind-data`;
 *   4. writes the COUNT options, each ended by a NUL byte, to a memory file at the FD of
 *      `--args-fd`, which bwrap reads with `--args FD`. bwrap's init is pid 1 in the sandbox
 *      with bwrap's argv, so options on its command line would show the host paths they name
 *      to every command;
 *   5. with `--user-maps`, makes the pipes of bwrap's `--info-fd INFO_FD` and
 *      `--userns-block-fd BLOCK_FD` and forks a helper (see run_helper) that writes the
 *      maps of bwrap's child and reports to REPORT_FD. UID_MAP and GID_MAP are the maps,
 *      lines such as "0 0 1" with real newlines;
 *   6. writes its pid to each FILE, the `cgroup.procs` files of the sandbox's cgroups, so
 *      bwrap and everything it starts are limited and metered, and bwrap's child gets the
 *      sandbox's cgroup as the root of its cgroup namespace;
 *   7. execs PROGRAM with its ARGs, searched in PATH: bwrap, or a program such as
 *      `ip netns exec NAME` that execs bwrap in turn.
 *
 * Errors go to stderr, and the launcher exits with status 127 before the exec.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* Maximum number of `--join` options, and of `--file` options. */
#define MAX_LIST 16

/* Status of a failure before the exec, which the host reports with the log's last line. */
#define LAUNCH_FAILED 127

/* Largest report of bwrap's `--info-fd` that the helper reads: a few lines of JSON. */
#define MAX_INFO_BYTES 4096

/* Descriptors from here up are free for moving pipes, because the ones bwrap gets are lower. */
#define HIGH_FD 100

struct file_at_fd {
  int fd;
  const char *path;
};

/* The cgroups to join: their `cgroup.procs` files. */
struct cgroups {
  const char *files[MAX_LIST];
  int count;
};

struct user_maps {
  bool wanted;
  int info_fd;
  int block_fd;
  int report_fd;
  const char *uid_map;
  const char *gid_map;
};

static void fail(const char *what, const char *detail) {
  if (errno != 0) {
    fprintf(stderr, "sandstack bwrap-launch: %s %s: %s\n", what, detail, strerror(errno));
  } else {
    fprintf(stderr, "sandstack bwrap-launch: %s %s\n", what, detail);
  }
  _exit(LAUNCH_FAILED);
}

static void usage(const char *problem) {
  errno = 0;
  fail("invalid arguments:", problem);
}

static int parse_fd(const char *text) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 3 || value >= HIGH_FD) {
    usage("a descriptor must be a number from 3 to 99");
  }
  return (int)value;
}

static bool write_all(int fd, const char *data, size_t length) {
  while (length > 0) {
    ssize_t written = write(fd, data, length);
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    data += written;
    length -= (size_t)written;
  }
  return true;
}

/* Writes `pid` to each `cgroup.procs` file. Returns false at the first failure. */
static bool join_cgroups(const struct cgroups *cgroups, pid_t pid, const char **failed) {
  char line[32];
  int length = snprintf(line, sizeof line, "%d\n", (int)pid);
  for (int i = 0; i < cgroups->count; i++) {
    int fd = open(cgroups->files[i], O_WRONLY | O_CLOEXEC);
    bool written = fd >= 0 && write_all(fd, line, (size_t)length);
    if (fd >= 0 && close(fd) != 0) {
      written = false;
    }
    if (!written) {
      *failed = cgroups->files[i];
      return false;
    }
  }
  return true;
}

/* Closes every descriptor above stderr except `keep` (-1 for none). */
static void close_inherited_descriptors(int keep) {
  bool closed = keep < 0 ? syscall(SYS_close_range, 3U, ~0U, 0) == 0
                         : (keep == 3 || syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0) == 0) &&
                               syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0;
  if (closed) {
    return;
  }
  /* Kernels before 5.9 have no close_range(): close what /proc/self/fd lists. */
  DIR *folder = opendir("/proc/self/fd");
  if (folder == NULL) {
    fail("could not list", "/proc/self/fd");
  }
  int own = dirfd(folder);
  struct dirent *entry;
  while ((entry = readdir(folder)) != NULL) {
    int fd = atoi(entry->d_name);
    if (fd > 2 && fd != own && fd != keep) {
      close(fd);
    }
  }
  closedir(folder);
}

/* Opens `path` read-only at descriptor `fd`, without close-on-exec. */
static void open_at(int fd, const char *path) {
  int opened = open(path, O_RDONLY);
  if (opened < 0) {
    fail("could not open", path);
  }
  if (opened != fd) {
    if (dup2(opened, fd) < 0) {
      fail("could not move the descriptor of", path);
    }
    close(opened);
  }
}

/* Moves descriptor `from` to `to`, where bwrap expects it, without close-on-exec. */
static void move_to(int from, int to) {
  if (from == to) {
    fcntl(to, F_SETFD, 0);
    return;
  }
  if (dup2(from, to) < 0) {
    fail("could not move a descriptor", "for bwrap");
  }
  close(from);
}

/* Writes the options, each ended by a NUL byte, to a memory file at `fd`, read from the start. */
static void write_options(int fd, char **options, int count) {
  int file = memfd_create("bwrap-options", 0);
  if (file < 0) {
    fail("could not create", "the memory file of bwrap's options");
  }
  for (int i = 0; i < count; i++) {
    if (!write_all(file, options[i], strlen(options[i]) + 1)) {
      fail("could not write", "bwrap's options");
    }
  }
  if (lseek(file, 0, SEEK_SET) != 0) {
    fail("could not rewind", "bwrap's options");
  }
  move_to(file, fd);
}

/*
 * Ends the helper after a failure: kills bwrap's child, which would otherwise go on
 * unmapped when its gate closes unwritten, then bwrap, and exits.
 */
static void stop_bwrap(pid_t bwrap, long child, const char *what, const char *path) {
  fprintf(stderr, "sandstack bwrap-launch: could not %s %s: %s\n", what, path, strerror(errno));
  /* The child waits on a gate of this helper, so its pid is not reused yet. */
  kill((pid_t)child, SIGKILL);
  /* A helper whose parent has died would now kill whoever reuses the pid, so it checks. */
  if (getppid() == bwrap) {
    kill(bwrap, SIGKILL);
  }
  _exit(1);
}

static bool write_map(long child, const char *name, const char *map, char *path, size_t size) {
  snprintf(path, size, "/proc/%ld/%s", child, name);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  bool written = fd >= 0 && write_all(fd, map, strlen(map));
  return fd >= 0 && close(fd) == 0 && written;
}

/*
 * Reads bwrap's `--info-fd` report to its end and returns the child pid it names, or 0 when
 * bwrap ended before it forked. Reading stops only at end-of-file, because bwrap writes the
 * report in several pieces and dies of SIGPIPE if the reader goes away in between.
 */
static long read_child_pid(int info) {
  char report[MAX_INFO_BYTES + 1];
  size_t length = 0;
  for (;;) {
    ssize_t got = read(info, report + length, MAX_INFO_BYTES - length);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      break;
    }
    length += (size_t)got;
    if (length == MAX_INFO_BYTES) {
      break;
    }
  }
  report[length] = '\0';
  const char *key = strstr(report, "\"child-pid\"");
  const char *colon = key == NULL ? NULL : strchr(key, ':');
  long child = colon == NULL ? 0 : strtol(colon + 1, NULL, 10);
  return child > 0 ? child : 0;
}

/*
 * Runs in the helper: reads the child pid from bwrap's report, writes the child's uid_map
 * and gid_map, opens the gate where the child waits for them, writes the child pid and a
 * newline to the report descriptor, and exits. bwrap reaps the helper, because bwrap
 * waits for every child of its own after it forks the sandbox.
 */
static void run_helper(const struct user_maps *maps, int info, int gate, pid_t bwrap) {
  long child = read_child_pid(info);
  if (child == 0) {
    /* bwrap ended before it forked; the host reads its status and its message. */
    _exit(1);
  }
  char path[64];
  if (!write_map(child, "uid_map", maps->uid_map, path, sizeof path) ||
      !write_map(child, "gid_map", maps->gid_map, path, sizeof path)) {
    stop_bwrap(bwrap, child, "write", path);
  }
  if (!write_all(gate, "1", 1)) {
    stop_bwrap(bwrap, child, "open", "the user namespace gate");
  }
  char line[32];
  int line_length = snprintf(line, sizeof line, "%ld\n", child);
  _exit(write_all(maps->report_fd, line, (size_t)line_length) ? 0 : 1);
}

/* Makes a pipe whose ends sit at HIGH_FD or above, close-on-exec. */
static void high_pipe(int ends[2]) {
  int made[2];
  if (pipe2(made, O_CLOEXEC) != 0) {
    fail("could not create", "a pipe for bwrap");
  }
  for (int i = 0; i < 2; i++) {
    ends[i] = fcntl(made[i], F_DUPFD_CLOEXEC, HIGH_FD);
    if (ends[i] < 0) {
      fail("could not move", "a pipe for bwrap");
    }
    close(made[i]);
  }
}

/*
 * Makes the info and gate pipes at the descriptors bwrap is told, and forks the helper
 * before the cgroups are joined, so it does not count against the sandbox's limits. The
 * launcher keeps bwrap's ends only, so they close when bwrap ends.
 */
static void start_helper(const struct user_maps *maps) {
  int info[2];
  int gate[2];
  high_pipe(info);
  high_pipe(gate);
  pid_t bwrap = getpid();
  pid_t helper = fork();
  if (helper < 0) {
    fail("could not fork", "the helper that writes the user namespace maps");
  }
  if (helper == 0) {
    close(STDIN_FILENO);
    close(STDOUT_FILENO);
    close(info[1]);
    close(gate[0]);
    run_helper(maps, info[0], gate[1], bwrap);
  }
  close(info[0]);
  close(gate[1]);
  close(maps->report_fd);
  move_to(info[1], maps->info_fd);
  move_to(gate[0], maps->block_fd);
}

int main(int argc, char **argv) {
  struct cgroups cgroups = {.count = 0};
  struct file_at_fd files[MAX_LIST];
  int file_count = 0;
  int niceness = 0;
  int keep_fd = -1;
  int args_fd = -1;
  struct user_maps maps = {.wanted = false};
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *option = argv[i];
    bool has_value = i + 1 < argc;
    if (strcmp(option, "--join") == 0 && has_value && cgroups.count < MAX_LIST) {
      cgroups.files[cgroups.count++] = argv[++i];
    } else if (strcmp(option, "--niceness") == 0 && has_value) {
      niceness = atoi(argv[++i]);
    } else if (strcmp(option, "--keep-fd") == 0 && has_value) {
      keep_fd = parse_fd(argv[++i]);
    } else if (strcmp(option, "--file") == 0 && has_value && file_count < MAX_LIST) {
      char *value = argv[++i];
      char *colon = strchr(value, ':');
      if (colon == NULL) {
        usage("--file takes FD:PATH");
      }
      *colon = '\0';
      files[file_count++] = (struct file_at_fd){.fd = parse_fd(value), .path = colon + 1};
    } else if (strcmp(option, "--args-fd") == 0 && has_value) {
      args_fd = parse_fd(argv[++i]);
    } else if (strcmp(option, "--user-maps") == 0 && i + 5 < argc) {
      maps = (struct user_maps){
          .wanted = true,
          .info_fd = parse_fd(argv[i + 1]),
          .block_fd = parse_fd(argv[i + 2]),
          .report_fd = parse_fd(argv[i + 3]),
          .uid_map = argv[i + 4],
          .gid_map = argv[i + 5],
      };
      i += 5;
    } else {
      usage(option);
    }
  }
  if (i + 1 >= argc) {
    usage("the option count and the program must follow --");
  }
  char *end;
  long count = strtol(argv[i + 1], &end, 10);
  char **options = &argv[i + 2];
  char **program = options + count;
  if (*end != '\0' || count < 0 || count > argc - i - 3) {
    usage("the option count after -- must be a number of the options that follow");
  }
  if (count > 0 && args_fd < 0) {
    usage("options after -- need --args-fd");
  }
  if (maps.wanted && maps.report_fd != keep_fd) {
    usage("the report descriptor of --user-maps must be the one of --keep-fd");
  }

  errno = 0;
  if (niceness != 0 && nice(niceness) == -1 && errno != 0) {
    fail("could not change", "the niceness");
  }
  close_inherited_descriptors(keep_fd);
  for (int j = 0; j < file_count; j++) {
    open_at(files[j].fd, files[j].path);
  }
  if (args_fd >= 0) {
    write_options(args_fd, options, (int)count);
  }
  if (maps.wanted) {
    start_helper(&maps);
  } else if (keep_fd >= 0) {
    close(keep_fd);
  }
  const char *failed = NULL;
  if (!join_cgroups(&cgroups, getpid(), &failed)) {
    /* The helper then reads end-of-file from the info pipe and exits. */
    fail("could not join", failed);
  }
  execvp(program[0], program);
  fail("could not run", program[0]);
  return LAUNCH_FAILED;
}
