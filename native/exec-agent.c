/*
 * Command agent of a gVisor sandbox: the container's init process, which runs commands on
 * request from the host so that a command does not pay for a `runsc exec`. It is linked
 * statically, so it runs in any root filesystem (glibc, musl, or one without a C library).
 *
 * The host writes requests to the agent's stdin and reads replies from its stdout. Both are
 * FIFOs in the sandbox's state folder that only root can open. The agent runs as root with
 * CAP_SETUID, CAP_SETGID and CAP_KILL, and starts each command as the unprivileged user the
 * host names, so commands cannot open the FIFOs through /proc/1/fd.
 *
 * Wire format: one line per message each way, fields separated by tabs, and every field that
 * may hold arbitrary bytes in base64. Requests:
 *
 *   run <id> <uid> <gid> <tag group> <timeout ms> <max stdout bytes> <max stderr bytes>
 *       <cwd> <command> <stdin, or "-" for none> <env entry>... .
 *   cancel <id>
 *   ping <id>
 *
 * Replies:
 *
 *   output <id> <stdout|stderr> <data>            at most 64 KiB of output, none past the cap
 *   exit <id> <exit code> <duration ms> <stdout cut> <stderr cut> <killed> <cancelled>
 *   pong <id> <protocol>
 *
 * A `run` request ends with a field that is a single dot. A request cut short by a host that
 * died while writing it lacks the dot, so it is rejected rather than run with part of its
 * stdin or environment. A new host writes a newline first to end such a line.
 *
 * The flags of `exit` are 0 or 1. The exit code is the command's status, or 128 plus the
 * signal that ended it.
 *
 * A command runs as `/bin/sh -c <command>`, except a plain word list (no quotes, expansions,
 * redirections or other shell syntax, and no builtin first), which the agent execs itself
 * with the PATH lookup and PWD a shell would give it. That saves the shell's own exec. When
 * no program of that name can be exec'd, the shell runs the command after all and reports
 * the error in its own words. In a root filesystem without /bin/sh only plain commands run,
 * and the agent reports that the root has no shell.
 *
 * NOTE: where /bin/sh is bash, a plain command misses the SHLVL and `_` that bash exports.
 *
 * Every process of a command carries the request's supplementary group. A process without
 * CAP_SETGID cannot leave its supplementary groups, so at the deadline or on cancel the agent
 * finds every process of the command by that group in /proc/<pid>/status, including ones
 * that started their own session, cleared their environment or were re-parented to it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Version of the wire format and of the arguments (3 added `--copy-file`), which the host
 * compares with its own in the `pong` reply.
 */
#define PROTOCOL "3"

/* Largest piece of output read from a command and sent in one `output` reply. */
#define OUTPUT_FRAME_BYTES 65536

/*
 * Time the agent keeps collecting a command's output after its shell exited. A background
 * process may keep the pipes open for good, so the final reply is sent after this, and
 * later output is read and dropped.
 */
#define DRAIN_MS 200

/* Queued reply bytes above which the agent stops reading command output until the host reads. */
#define REPLY_QUEUE_HIGH_BYTES (4 * 1024 * 1024)

/* Rounds of stop-and-kill over a command's tagged processes, so a fork bomb's children die too. */
#define KILL_ROUNDS 3

enum { STDOUT_STREAM = 0, STDERR_STREAM = 1 };

static const char *const STREAM_NAMES[2] = {"stdout", "stderr"};

/* One running command. */
struct job {
  struct job *next;
  char *id;
  pid_t pid;
  bool exited;
  int status;
  /* Read ends of the command's stdout and stderr pipes, -1 once closed. */
  int output_fds[2];
  uint64_t max_bytes[2];
  uint64_t kept_bytes[2];
  bool truncated[2];
  /* Write end of the command's stdin pipe, -1 once closed, and what is left to write. */
  int stdin_fd;
  unsigned char *stdin_data;
  size_t stdin_length;
  size_t stdin_offset;
  gid_t tag_group;
  int64_t started_us;
  int64_t deadline_us;
  /* Time after which output still open is dropped, set when the shell exits. */
  int64_t drain_until_us;
  bool killed;
  bool cancelled;
  /*
   * The final reply was sent. Output that background processes still write is read and
   * dropped from then on, so that they do not die of SIGPIPE, and stdin is still fed.
   */
  bool replied;
};

/* Bytes that grow at the end and are consumed from the start. */
struct buffer {
  char *data;
  size_t start;
  size_t end;
  size_t capacity;
};

static struct job *jobs;
static struct buffer requests;
static struct buffer replies;
/* Self-pipe that the SIGCHLD handler writes to, so poll() wakes up to reap children. */
static int child_signal_pipe[2];

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Exits when memory runs out. The container ends with its init, and the host reports that. */
_Noreturn static void exit_out_of_memory(void) {
  static const char message[] = "sandstack exec-agent: out of memory\n";
  (void)!write(2, message, sizeof message - 1);
  _exit(1);
}

static void *checked_alloc(size_t size) {
  void *memory = malloc(size);
  if (memory == NULL) {
    exit_out_of_memory();
  }
  return memory;
}

static void buffer_reserve(struct buffer *buffer, size_t extra) {
  if (buffer->start > 0 && buffer->start == buffer->end) {
    buffer->start = buffer->end = 0;
  }
  if (buffer->end + extra <= buffer->capacity) {
    return;
  }
  if (buffer->start > 0) {
    memmove(buffer->data, buffer->data + buffer->start, buffer->end - buffer->start);
    buffer->end -= buffer->start;
    buffer->start = 0;
    if (buffer->end + extra <= buffer->capacity) {
      return;
    }
  }
  size_t capacity = buffer->capacity < 4096 ? 4096 : buffer->capacity;
  while (capacity < buffer->end + extra) {
    capacity *= 2;
  }
  char *data = realloc(buffer->data, capacity);
  if (data == NULL) {
    exit_out_of_memory();
  }
  buffer->data = data;
  buffer->capacity = capacity;
}

static void buffer_append(struct buffer *buffer, const char *bytes, size_t length) {
  buffer_reserve(buffer, length);
  memcpy(buffer->data + buffer->end, bytes, length);
  buffer->end += length;
}

static size_t buffer_length(const struct buffer *buffer) {
  return buffer->end - buffer->start;
}

static const char BASE64_ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends `length` bytes to the reply queue in base64 with padding. */
static void append_base64(const unsigned char *bytes, size_t length) {
  buffer_reserve(&replies, (length + 2) / 3 * 4);
  char *out = replies.data + replies.end;
  size_t i = 0;
  for (; i + 2 < length; i += 3) {
    uint32_t word = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8 | bytes[i + 2];
    *out++ = BASE64_ALPHABET[word >> 18];
    *out++ = BASE64_ALPHABET[(word >> 12) & 63];
    *out++ = BASE64_ALPHABET[(word >> 6) & 63];
    *out++ = BASE64_ALPHABET[word & 63];
  }
  if (i < length) {
    uint32_t word = (uint32_t)bytes[i] << 16;
    if (i + 1 < length) {
      word |= (uint32_t)bytes[i + 1] << 8;
    }
    *out++ = BASE64_ALPHABET[word >> 18];
    *out++ = BASE64_ALPHABET[(word >> 12) & 63];
    *out++ = i + 1 < length ? BASE64_ALPHABET[(word >> 6) & 63] : '=';
    *out++ = '=';
  }
  replies.end = (size_t)(out - replies.data);
}

static int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

/*
 * Decodes base64 text in place and returns the decoded length, or -1 when the text is not
 * valid base64. The decoded bytes are followed by a NUL, so text fields can be used as
 * C strings (the decoded form is always shorter than the text).
 */
static ssize_t decode_base64(char *text) {
  size_t length = strlen(text);
  if (length % 4 != 0) {
    return -1;
  }
  unsigned char *out = (unsigned char *)text;
  size_t written = 0;
  for (size_t i = 0; i < length; i += 4) {
    int values[4];
    for (int k = 0; k < 4; k++) {
      bool padding = text[i + k] == '=' && i + 4 == length && k >= 2;
      values[k] = padding ? 0 : base64_value(text[i + k]);
      if (values[k] < 0) {
        return -1;
      }
    }
    uint32_t word = (uint32_t)values[0] << 18 | (uint32_t)values[1] << 12 |
                    (uint32_t)values[2] << 6 | (uint32_t)values[3];
    out[written++] = (unsigned char)(word >> 16);
    if (text[i + 2] != '=') {
      out[written++] = (unsigned char)(word >> 8);
    }
    if (text[i + 3] != '=') {
      out[written++] = (unsigned char)word;
    }
  }
  out[written] = '\0';
  return (ssize_t)written;
}

/* Decodes a base64 field that becomes a C string, which must not contain a NUL byte. */
static bool decode_text(char *field) {
  ssize_t length = decode_base64(field);
  return length >= 0 && strlen(field) == (size_t)length;
}

static void append_text(const char *text) {
  buffer_append(&replies, text, strlen(text));
}

static void send_output(struct job *job, int stream, const unsigned char *bytes, size_t length) {
  append_text("output\t");
  append_text(job->id);
  append_text("\t");
  append_text(STREAM_NAMES[stream]);
  append_text("\t");
  append_base64(bytes, length);
  append_text("\n");
}

static void send_exit(const char *id, int code, int64_t started_us, const bool flags[4]) {
  char numbers[96];
  double duration_ms = (double)(now_us() - started_us) / 1000.0;
  snprintf(numbers, sizeof numbers, "\t%d\t%.3f\t%d\t%d\t%d\t%d\n", code, duration_ms, flags[0],
           flags[1], flags[2], flags[3]);
  append_text("exit\t");
  append_text(id);
  append_text(numbers);
}

/* Writes queued replies until the queue is empty or the FIFO is full (stdout is non-blocking). */
static void flush_replies(void) {
  while (buffer_length(&replies) > 0) {
    ssize_t written = write(1, replies.data + replies.start, buffer_length(&replies));
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;
    }
    replies.start += (size_t)written;
  }
}

static void set_flags(int fd, int flags) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags);
}

static void on_child_signal(int signal_number) {
  (void)signal_number;
  int saved = errno;
  (void)!write(child_signal_pipe[1], "", 1);
  errno = saved;
}

/* Returns whether /proc/<pid>/status lists the group among the process's groups. */
static bool has_group(const char *status, const char *group) {
  const char *line = strstr(status, "\nGroups:");
  if (line == NULL) {
    return false;
  }
  line += strlen("\nGroups:");
  size_t group_length = strlen(group);
  const char *end = strchr(line, '\n');
  if (end == NULL) {
    end = line + strlen(line);
  }
  for (const char *p = line; p < end;) {
    while (p < end && (*p == ' ' || *p == '\t')) {
      p++;
    }
    const char *word = p;
    while (p < end && *p != ' ' && *p != '\t') {
      p++;
    }
    if ((size_t)(p - word) == group_length && memcmp(word, group, group_length) == 0) {
      return true;
    }
  }
  return false;
}

/* Returns whether a process's status is a zombie, which needs reaping rather than a signal. */
static bool is_zombie(const char *status) {
  const char *line = strstr(status, "State:");
  if (line == NULL) {
    return false;
  }
  line += strlen("State:");
  while (*line == ' ' || *line == '\t') {
    line++;
  }
  return *line == 'Z';
}

/*
 * Fills `pids` with the live processes that carry the group and returns how many there are,
 * at most `capacity`.
 */
static size_t tagged_processes(gid_t group, pid_t *pids, size_t capacity) {
  char group_text[16];
  snprintf(group_text, sizeof group_text, "%u", (unsigned)group);
  DIR *proc = opendir("/proc");
  if (proc == NULL) {
    return 0;
  }
  size_t count = 0;
  struct dirent *entry;
  while (count < capacity && (entry = readdir(proc)) != NULL) {
    char *end;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 1) {
      continue;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    char status[4096];
    ssize_t length = read(fd, status, sizeof status - 1);
    close(fd);
    if (length <= 0) {
      continue;
    }
    status[length] = '\0';
    if (has_group(status, group_text) && !is_zombie(status)) {
      pids[count++] = (pid_t)pid;
    }
  }
  closedir(proc);
  return count;
}

/*
 * Kills every process of a command: its tagged processes, stopped first and killed after so
 * that no parent runs another line while its children die, then its shell and process group.
 */
static void kill_job(struct job *job) {
  static pid_t pids[4096];
  for (int round = 0; round < KILL_ROUNDS; round++) {
    size_t count = tagged_processes(job->tag_group, pids, sizeof pids / sizeof pids[0]);
    if (count == 0) {
      break;
    }
    for (size_t i = 0; i < count; i++) {
      kill(pids[i], SIGSTOP);
    }
    for (size_t i = 0; i < count; i++) {
      kill(pids[i], SIGKILL);
    }
  }
  /*
   * The agent resumes only after the child has exec'd (vfork), so the command's first process
   * already carries the tag. It is killed by pid and process group too, in case /proc could
   * not be read. Its pid is not reused before it is reaped.
   */
  if (!job->exited) {
    kill(job->pid, SIGKILL);
    kill(-job->pid, SIGKILL);
  }
}

/*
 * Names that a shell runs as a builtin or parses as a reserved word, in dash, bash and
 * busybox ash. A command that starts with one of them always runs through the shell, because
 * a program of the same name (`echo`, `printf`, `test`, `kill`, `pwd`) can behave differently.
 */
static const char *const SHELL_NAMES[] = {
    ".",        ":",        "[",       "alias",    "bg",       "bind",     "break",
    "builtin",  "caller",   "case",    "cd",       "chdir",    "command",  "compgen",
    "complete", "compopt",  "continue", "declare", "dirs",     "disown",   "do",
    "done",     "echo",     "elif",    "else",     "enable",   "esac",     "eval",
    "exec",     "exit",     "export",  "false",    "fc",       "fg",       "fi",
    "for",      "function", "getopts", "hash",     "help",     "history",  "if",
    "in",       "jobs",     "kill",    "let",      "local",    "logout",   "mapfile",
    "popd",     "printf",   "pushd",   "pwd",      "read",     "readarray", "readonly",
    "return",   "select",   "set",     "shift",    "shopt",    "source",   "suspend",
    "test",     "then",     "time",    "times",    "trap",     "true",     "type",
    "typeset",  "ulimit",   "umask",   "unalias",  "unset",    "until",    "wait",
    "while",
};

/*
 * Returns whether a byte may appear in a word of a plain command. Everything a shell treats
 * specially is left out: quotes, `\`, `$`, backquotes, `;&|<>()`, globs `*?[]`, `~`, `#`,
 * `!`, `{}`, `^`, newlines and bytes outside ASCII.
 */
static bool is_plain_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("_-./,+=:@%", c) != NULL);
}

/*
 * Returns the words of a command that a shell would run as one program with these exact
 * arguments: words of plain bytes separated by spaces or tabs, a first word that is no
 * assignment and no builtin or reserved word. Returns NULL for anything else, which then
 * runs through `/bin/sh -c`. The array and its strings are one allocation.
 */
static char **plain_words(const char *command) {
  size_t length = strlen(command);
  size_t count = 0;
  bool in_word = false;
  for (size_t i = 0; i < length; i++) {
    unsigned char c = (unsigned char)command[i];
    if (c == ' ' || c == '\t') {
      in_word = false;
    } else if (!is_plain_byte(c)) {
      return NULL;
    } else if (!in_word) {
      in_word = true;
      count++;
    }
  }
  if (count == 0) {
    return NULL;
  }

  char **words = checked_alloc((count + 1) * sizeof *words + length + 1);
  char *text = (char *)(words + count + 1);
  memcpy(text, command, length + 1);
  size_t index = 0;
  for (char *word = strtok(text, " \t"); word != NULL; word = strtok(NULL, " \t")) {
    words[index++] = word;
  }
  words[index] = NULL;

  bool shell_name = strchr(words[0], '=') != NULL;
  for (size_t i = 0; !shell_name && i < sizeof SHELL_NAMES / sizeof SHELL_NAMES[0]; i++) {
    shell_name = strcmp(words[0], SHELL_NAMES[i]) == 0;
  }
  if (shell_name) {
    free(words);
    return NULL;
  }
  return words;
}

/* Returns the value of an environment entry, or NULL when `env` has none of that name. */
static const char *env_value(char *const *env, const char *name) {
  size_t name_length = strlen(name);
  for (; *env != NULL; env++) {
    if (strncmp(*env, name, name_length) == 0 && (*env)[name_length] == '=') {
      return *env + name_length + 1;
    }
  }
  return NULL;
}

/*
 * Returns whether every folder of PATH is absolute. An empty or relative entry names a
 * folder relative to the working directory, which the direct path leaves to the shell.
 */
static bool is_absolute_path_list(const char *path) {
  for (const char *entry = path;; entry++) {
    if (*entry != '/') {
      return false;
    }
    entry = strchr(entry, ':');
    if (entry == NULL) {
      return true;
    }
  }
}

/*
 * Parts of a `run` request that the child needs before it execs the command. The child
 * shares the agent's memory until it execs or exits (vfork), so it must not allocate, and it
 * stores why it could not start in `start_error` for the agent to report.
 */
struct command_spec {
  uid_t uid;
  gid_t gid;
  gid_t tag_group;
  const char *cwd;
  /* `/bin/sh -c <command>`, with the request's environment. */
  char *shell_argv[4];
  char **env;
  /*
   * The words of a plain command, run without a shell, or NULL. Their environment is the
   * request's without PWD, then a free slot that the child fills with PWD as a shell would.
   */
  char **words;
  char **direct_env;
  size_t pwd_slot;
  /* PWD of the request's environment, or NULL. */
  const char *inherited_pwd;
  /* Folders to look the first word up in, when it has no slash. */
  const char *path;
  bool has_stdin;
  /* The child's PWD entry, written in the agent's memory before exec. */
  char pwd_entry[4096 + 8];
  volatile int start_error;
  /* errno of the failed exec of a plain command's program, reported when /bin/sh is missing. */
  volatile int program_error;
  /* Whether /bin/sh was missing when the child tried to run it. */
  volatile bool shell_missing;
};

/* Stores the reason a child could not start in the spec, and exits with 127 as sh does. */
_Noreturn static void fail_in_child(struct command_spec *spec, int error) {
  spec->start_error = error;
  _exit(127);
}

/*
 * Sets PWD in the direct environment as dash and bash do at startup: the inherited PWD when
 * it names the working directory, else the physical path. No PWD when neither works.
 */
static void set_child_pwd(struct command_spec *spec) {
  const char *inherited = spec->inherited_pwd;
  struct stat wanted, actual;
  const size_t prefix = strlen("PWD=");
  memcpy(spec->pwd_entry, "PWD=", prefix);
  spec->direct_env[spec->pwd_slot] = spec->pwd_entry;
  if (inherited != NULL && inherited[0] == '/' && strlen(inherited) < sizeof spec->pwd_entry - prefix &&
      stat(inherited, &wanted) == 0 && stat(".", &actual) == 0 && wanted.st_dev == actual.st_dev &&
      wanted.st_ino == actual.st_ino) {
    strcpy(spec->pwd_entry + prefix, inherited);
  } else if (getcwd(spec->pwd_entry + prefix, sizeof spec->pwd_entry - prefix) == NULL) {
    spec->direct_env[spec->pwd_slot] = NULL;
  }
}

/*
 * Execs the words of a plain command, looking the first one up in PATH unless it has a slash.
 * Returns when no candidate could be exec'd, and the caller then runs the shell, which
 * reports a missing program in its own words or runs a script without `#!` itself.
 */
static void exec_words(struct command_spec *spec) {
  set_child_pwd(spec);
  const char *name = spec->words[0];
  if (strchr(name, '/') != NULL) {
    execve(name, spec->words, spec->direct_env);
    spec->program_error = errno;
    return;
  }
  spec->program_error = ENOENT;
  char candidate[4096];
  size_t name_length = strlen(name);
  for (const char *folder = spec->path; folder != NULL;) {
    const char *end = strchr(folder, ':');
    size_t folder_length = end == NULL ? strlen(folder) : (size_t)(end - folder);
    if (folder_length + 1 + name_length < sizeof candidate) {
      memcpy(candidate, folder, folder_length);
      candidate[folder_length] = '/';
      memcpy(candidate + folder_length + 1, name, name_length + 1);
      execve(candidate, spec->words, spec->direct_env);
      /* As execvp does, a program found but not runnable outranks one not found. */
      if (errno != ENOENT && errno != ENOTDIR) {
        spec->program_error = errno;
      }
    }
    folder = end == NULL ? NULL : end + 1;
  }
}

/*
 * Runs in the vfork child: takes the pipes as stdio, drops root for the command's user and
 * tag group, and execs the command. Every other descriptor of the agent is close-on-exec. The
 * agent blocked every signal before vfork, so no handler runs here before the defaults are
 * back, and the child gets its own copy of the handlers (vfork does not share them).
 */
_Noreturn static void start_in_child(struct command_spec *spec, const int pipes[3][2]) {
  /* The agent ignores SIGPIPE, and an ignored signal stays ignored across exec, so restore it. */
  signal(SIGPIPE, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setsid();
  /* Without stdin the command reads /dev/null, or the pipe that the agent closes at once. */
  int stdin_fd = spec->has_stdin ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (dup2(stdin_fd >= 0 ? stdin_fd : pipes[0][0], 0) < 0 || dup2(pipes[1][1], 1) < 0 ||
      dup2(pipes[2][1], 2) < 0) {
    fail_in_child(spec, errno);
  }
  gid_t groups[1] = {spec->tag_group};
  if (setgroups(1, groups) != 0 || setgid(spec->gid) != 0 || setuid(spec->uid) != 0) {
    fail_in_child(spec, errno);
  }
  if (chdir(spec->cwd) != 0) {
    fail_in_child(spec, errno);
  }
  if (spec->words != NULL) {
    exec_words(spec);
  }
  execve("/bin/sh", spec->shell_argv, spec->env);
  int error = errno;
  /* ENOENT also means a missing ELF interpreter, so the file itself is checked. */
  spec->shell_missing = access("/bin/sh", F_OK) != 0;
  fail_in_child(spec, error);
}

static void close_pipes(int pipes[3][2]) {
  for (int i = 0; i < 3; i++) {
    for (int k = 0; k < 2; k++) {
      if (pipes[i][k] >= 0) {
        close(pipes[i][k]);
        pipes[i][k] = -1;
      }
    }
  }
}

static bool parse_number(const char *text, uint64_t max, uint64_t *value) {
  if (*text == '\0') {
    return false;
  }
  char *end;
  errno = 0;
  unsigned long long parsed = strtoull(text, &end, 10);
  if (*end != '\0' || errno != 0 || parsed > max || text[0] == '-') {
    return false;
  }
  *value = parsed;
  return true;
}

static char *copy_text(const char *text) {
  size_t length = strlen(text) + 1;
  char *copy = checked_alloc(length);
  memcpy(copy, text, length);
  return copy;
}

/*
 * Formats the message of a command that could not start and returns its length. A root
 * filesystem without /bin/sh (such as a musl root of a few programs) runs only plain
 * commands, so the message names the missing shell rather than the working directory.
 */
static size_t format_start_error(char *message, size_t size, const struct command_spec *spec,
                                 int error) {
  int length;
  if (!spec->shell_missing) {
    length = snprintf(message, size, "sandstack: could not start the command in %s: %s\n",
                      spec->cwd, strerror(error));
  } else if (spec->words == NULL) {
    length = snprintf(message, size,
                      "sandstack: the command needs /bin/sh, because it contains shell syntax or "
                      "starts with a shell builtin, and the root filesystem has no /bin/sh; run a "
                      "program with plain arguments or add /bin/sh to the root filesystem\n");
  } else if (strchr(spec->words[0], '/') == NULL && spec->program_error == ENOENT) {
    length = snprintf(message, size,
                      "sandstack: %s: command not found in PATH (%s), and the root filesystem has "
                      "no /bin/sh\n",
                      spec->words[0], spec->path);
  } else {
    length = snprintf(message, size,
                      "sandstack: could not run %s: %s, and the root filesystem has no /bin/sh\n",
                      spec->words[0], strerror(spec->program_error));
  }
  if (length < 0) {
    return 0;
  }
  return (size_t)length < size ? (size_t)length : size - 1;
}

/* Sends the error message and exit status 127 of a command that could not be started. */
static void reject_start(const char *id, const struct command_spec *spec, int error,
                         int64_t started_us) {
  char message[4096];
  size_t length = format_start_error(message, sizeof message, spec, error);
  struct job stub = {.id = (char *)id};
  send_output(&stub, STDERR_STREAM, (const unsigned char *)message, length);
  const bool flags[4] = {false, false, false, false};
  send_exit(id, 127, started_us, flags);
}

/* Sends the final reply of a `run` request that does not parse, so the host does not wait. */
static void reject_request(const char *id) {
  static const char message[] = "sandstack: the exec agent received an invalid run request\n";
  struct job stub = {.id = (char *)id};
  send_output(&stub, STDERR_STREAM, (const unsigned char *)message, sizeof message - 1);
  const bool flags[4] = {false, false, false, false};
  send_exit(id, 127, now_us(), flags);
}

/* Field positions of a `run` request. */
enum {
  RUN_ID = 1,
  RUN_UID,
  RUN_GID,
  RUN_TAG_GROUP,
  RUN_TIMEOUT_MS,
  RUN_MAX_STDOUT,
  RUN_MAX_STDERR,
  RUN_CWD,
  RUN_COMMAND,
  RUN_STDIN,
  RUN_ENV
};

/*
 * Fills in the direct exec of a plain command (see plain_words) when its environment lets
 * the result match the shell's: PATH is set and absolute, and neither ENV nor BASH_ENV names
 * a file that a shell would read first.
 */
static void prepare_direct_exec(struct command_spec *spec, const char *command, size_t env_count) {
  const char *path = env_value(spec->env, "PATH");
  if (env_value(spec->env, "ENV") != NULL || env_value(spec->env, "BASH_ENV") != NULL) {
    return;
  }
  char **words = plain_words(command);
  if (words == NULL) {
    return;
  }
  if (strchr(words[0], '/') == NULL && (path == NULL || !is_absolute_path_list(path))) {
    free(words);
    return;
  }
  char **direct_env = checked_alloc((env_count + 2) * sizeof *direct_env);
  size_t count = 0;
  for (size_t i = 0; i < env_count; i++) {
    if (strncmp(spec->env[i], "PWD=", 4) == 0) {
      spec->inherited_pwd = spec->env[i] + 4;
    } else {
      direct_env[count++] = spec->env[i];
    }
  }
  spec->pwd_slot = count;
  direct_env[count] = NULL;
  direct_env[count + 1] = NULL;
  spec->words = words;
  spec->direct_env = direct_env;
  spec->path = path;
}

static void free_spec(struct command_spec *spec) {
  free(spec->env);
  free(spec->words);
  free(spec->direct_env);
}

/* Starts the command of a `run` request. Returns false when the request is malformed. */
static bool start_job(char **fields, size_t count) {
  int64_t started_us = now_us();
  if (count < RUN_ENV + 1 || strcmp(fields[count - 1], ".") != 0) {
    return false;
  }
  count--;
  uint64_t uid, gid, tag_group, timeout_ms, max_stdout, max_stderr;
  if (!parse_number(fields[RUN_UID], UINT32_MAX - 1, &uid) ||
      !parse_number(fields[RUN_GID], UINT32_MAX - 1, &gid) ||
      !parse_number(fields[RUN_TAG_GROUP], UINT32_MAX - 1, &tag_group) ||
      !parse_number(fields[RUN_TIMEOUT_MS], INT64_MAX / 1000 / 2, &timeout_ms) ||
      !parse_number(fields[RUN_MAX_STDOUT], UINT64_MAX, &max_stdout) ||
      !parse_number(fields[RUN_MAX_STDERR], UINT64_MAX, &max_stderr)) {
    return false;
  }
  bool has_stdin = strcmp(fields[RUN_STDIN], "-") != 0;
  ssize_t stdin_length = 0;
  if (!decode_text(fields[RUN_CWD]) || !decode_text(fields[RUN_COMMAND]) ||
      (has_stdin && (stdin_length = decode_base64(fields[RUN_STDIN])) < 0)) {
    return false;
  }
  size_t env_count = count - RUN_ENV;
  char **env = checked_alloc((env_count + 1) * sizeof *env);
  for (size_t i = 0; i < env_count; i++) {
    if (!decode_text(fields[RUN_ENV + i])) {
      free(env);
      return false;
    }
    env[i] = fields[RUN_ENV + i];
  }
  env[env_count] = NULL;

  const char *id = fields[RUN_ID];
  const char *cwd = fields[RUN_CWD];
  struct command_spec spec = {
      .uid = (uid_t)uid,
      .gid = (gid_t)gid,
      .tag_group = (gid_t)tag_group,
      .cwd = cwd,
      .shell_argv = {"/bin/sh", "-c", fields[RUN_COMMAND], NULL},
      .env = env,
      .has_stdin = has_stdin,
  };
  prepare_direct_exec(&spec, fields[RUN_COMMAND], env_count);
  int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  for (int i = 0; i < 3; i++) {
    if (pipe2(pipes[i], O_CLOEXEC) != 0) {
      int error = errno;
      close_pipes(pipes);
      reject_start(id, &spec, error, started_us);
      free_spec(&spec);
      return true;
    }
  }
  /*
   * vfork rather than fork: a fork makes a new address space, which gVisor's ptrace platform
   * backs with a new host process, though the child execs at once. The agent is suspended
   * until the child execs or exits, with every signal blocked so that no handler runs in the
   * child on the agent's memory.
   */
  sigset_t all, previous;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &previous);
  pid_t pid = vfork();
  if (pid == 0) {
    start_in_child(&spec, pipes);
  }
  int error = pid < 0 ? errno : spec.start_error;
  sigprocmask(SIG_SETMASK, &previous, NULL);
  if (pid > 0 && error != 0) {
    /* The child has exited with 127 already, so it is reaped here and never counted as a job. */
    waitpid(pid, NULL, 0);
  }
  if (error != 0) {
    close_pipes(pipes);
    reject_start(id, &spec, error, started_us);
    free_spec(&spec);
    return true;
  }
  free_spec(&spec);

  struct job *job = checked_alloc(sizeof *job);
  *job = (struct job){
      .id = copy_text(id),
      .pid = pid,
      .output_fds = {pipes[1][0], pipes[2][0]},
      .max_bytes = {max_stdout, max_stderr},
      .stdin_fd = pipes[0][1],
      .tag_group = (gid_t)tag_group,
      .started_us = started_us,
      .deadline_us = started_us + (int64_t)timeout_ms * 1000,
  };
  pipes[1][0] = pipes[2][0] = pipes[0][1] = -1;
  close_pipes(pipes);
  set_flags(job->output_fds[0], O_NONBLOCK);
  set_flags(job->output_fds[1], O_NONBLOCK);
  if (has_stdin && stdin_length > 0) {
    job->stdin_data = checked_alloc((size_t)stdin_length);
    memcpy(job->stdin_data, fields[RUN_STDIN], (size_t)stdin_length);
    job->stdin_length = (size_t)stdin_length;
    set_flags(job->stdin_fd, O_NONBLOCK);
  } else {
    close(job->stdin_fd);
    job->stdin_fd = -1;
  }
  job->next = jobs;
  jobs = job;
  return true;
}

static struct job *find_job(const char *id) {
  for (struct job *job = jobs; job != NULL; job = job->next) {
    if (strcmp(job->id, id) == 0) {
      return job;
    }
  }
  return NULL;
}

/*
 * Kills a running command on request. A command that already exited keeps its result. An
 * unknown id is ignored because requests are handled in order, so that command has finished.
 */
static void cancel_job(const char *id) {
  struct job *job = find_job(id);
  if (job == NULL || job->exited || job->killed || job->cancelled) {
    return;
  }
  job->cancelled = true;
  kill_job(job);
}

static void handle_fields(char **fields, size_t count) {
  if (count < 2 || fields[1][0] == '\0') {
    return;
  }
  if (strcmp(fields[0], "run") == 0) {
    if (!start_job(fields, count)) {
      reject_request(fields[1]);
    }
  } else if (strcmp(fields[0], "cancel") == 0 && count == 2) {
    cancel_job(fields[1]);
  } else if (strcmp(fields[0], "ping") == 0 && count == 2) {
    append_text("pong\t");
    append_text(fields[1]);
    append_text("\t" PROTOCOL "\n");
  }
}

static void handle_request(char *line) {
  size_t count = 1;
  for (const char *tab = strchr(line, '\t'); tab != NULL; tab = strchr(tab + 1, '\t')) {
    count++;
  }
  char **fields = checked_alloc(count * sizeof *fields);
  char *field = line;
  for (size_t i = 0; i < count; i++) {
    fields[i] = field;
    field = strchr(field, '\t');
    if (field != NULL) {
      *field++ = '\0';
    }
  }
  handle_fields(fields, count);
  free(fields);
}

/* Reads what the host wrote and handles each complete request line. */
static void read_requests(void) {
  for (;;) {
    buffer_reserve(&requests, 65536);
    ssize_t length = read(0, requests.data + requests.end, requests.capacity - requests.end);
    if (length < 0 && errno == EINTR) {
      continue;
    }
    if (length <= 0) {
      /*
       * The host opens the FIFO read-write, so end-of-file does not happen while the
       * container runs. Should it happen, poll() would report it again at once, so wait.
       */
      if (length == 0) {
        usleep(50000);
      }
      break;
    }
    requests.end += (size_t)length;
  }
  char *newline;
  while ((newline = memchr(requests.data + requests.start, '\n', buffer_length(&requests)))) {
    *newline = '\0';
    handle_request(requests.data + requests.start);
    requests.start = (size_t)(newline - requests.data) + 1;
  }
}

/* Reads one piece of a command's output and queues what fits under the stream's cap. */
static void read_output(struct job *job, int stream) {
  static unsigned char chunk[OUTPUT_FRAME_BYTES];
  ssize_t length = read(job->output_fds[stream], chunk, sizeof chunk);
  if (length < 0 && (errno == EINTR || errno == EAGAIN)) {
    return;
  }
  if (length <= 0) {
    close(job->output_fds[stream]);
    job->output_fds[stream] = -1;
    return;
  }
  if (job->replied) {
    return;
  }
  uint64_t room = job->max_bytes[stream] - job->kept_bytes[stream];
  size_t kept = (size_t)length;
  if ((uint64_t)length > room) {
    job->truncated[stream] = true;
    kept = (size_t)room;
  }
  if (kept == 0) {
    return;
  }
  job->kept_bytes[stream] += kept;
  send_output(job, stream, chunk, kept);
}

static void write_stdin(struct job *job) {
  size_t left = job->stdin_length - job->stdin_offset;
  ssize_t written = write(job->stdin_fd, job->stdin_data + job->stdin_offset, left);
  if (written < 0 && (errno == EINTR || errno == EAGAIN)) {
    return;
  }
  if (written > 0) {
    job->stdin_offset += (size_t)written;
  }
  if (written < 0 || job->stdin_offset == job->stdin_length) {
    /* EPIPE means the command does not read its stdin any more, which is not an error. */
    close(job->stdin_fd);
    job->stdin_fd = -1;
    free(job->stdin_data);
    job->stdin_data = NULL;
  }
}

/* Waits for every child that has exited: commands, and orphans re-parented to this init. */
static void reap_children(void) {
  char drained[64];
  while (read(child_signal_pipe[0], drained, sizeof drained) > 0) {
  }
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (struct job *job = jobs; job != NULL; job = job->next) {
      if (job->pid == pid && !job->exited) {
        job->exited = true;
        job->status = status;
        job->drain_until_us = now_us() + DRAIN_MS * 1000;
        break;
      }
    }
  }
}

static int exit_code_of(int status) {
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}

/* Sends the final reply of a command whose shell exited, once its output is read or drained. */
static void reply_if_exited(struct job *job, int64_t now) {
  if (!job->exited || job->replied) {
    return;
  }
  bool output_open = job->output_fds[0] >= 0 || job->output_fds[1] >= 0;
  if (output_open && now < job->drain_until_us) {
    return;
  }
  /* While the host is behind, output is not read, so the drain waits for the host. */
  if (output_open && buffer_length(&replies) >= REPLY_QUEUE_HIGH_BYTES) {
    return;
  }
  bool flags[4] = {job->truncated[0], job->truncated[1], job->killed, job->cancelled};
  send_exit(job->id, exit_code_of(job->status), job->started_us, flags);
  job->replied = true;
}

static bool has_open_descriptors(const struct job *job) {
  return job->output_fds[0] >= 0 || job->output_fds[1] >= 0 || job->stdin_fd >= 0;
}

/*
 * Kills commands past their deadline and sends the replies of finished ones. A job is freed
 * once its reply is sent and no process has its pipes open.
 */
static void check_jobs(void) {
  int64_t now = now_us();
  for (struct job **link = &jobs; *link != NULL;) {
    struct job *job = *link;
    if (!job->exited && !job->killed && !job->cancelled && now >= job->deadline_us) {
      job->killed = true;
      kill_job(job);
    }
    reply_if_exited(job, now);
    if (job->replied && !has_open_descriptors(job)) {
      *link = job->next;
      free(job->stdin_data);
      free(job->id);
      free(job);
      continue;
    }
    link = &job->next;
  }
}

/* Milliseconds until the next deadline or end of a drain, or -1 when nothing waits on time. */
static int poll_timeout_ms(void) {
  int64_t next = INT64_MAX;
  for (struct job *job = jobs; job != NULL; job = job->next) {
    if (job->replied) {
      continue;
    }
    if (job->exited) {
      next = job->drain_until_us < next ? job->drain_until_us : next;
    } else if (!job->killed && !job->cancelled) {
      next = job->deadline_us < next ? job->deadline_us : next;
    }
  }
  if (next == INT64_MAX) {
    return -1;
  }
  int64_t wait_us = next - now_us();
  if (wait_us <= 0) {
    return 0;
  }
  int64_t wait_ms = (wait_us + 999) / 1000;
  return wait_ms > 60000 ? 60000 : (int)wait_ms;
}

/*
 * Closes every descriptor above stderr that the agent inherited, so that commands get only
 * their stdin, stdout and stderr. bwrap leaves open the descriptors it read its options, its
 * user-namespace gate and the agent program from. The agent creates its own descriptors
 * close-on-exec.
 */
static void close_inherited_descriptors(void) {
  DIR *fds = opendir("/proc/self/fd");
  if (fds == NULL) {
    return;
  }
  int own = dirfd(fds);
  struct dirent *entry;
  while ((entry = readdir(fds)) != NULL) {
    char *end;
    long fd = strtol(entry->d_name, &end, 10);
    if (*end == '\0' && fd > 2 && fd != own) {
      close((int)fd);
    }
  }
  closedir(fds);
}

/* Slots of a job's descriptors in the poll set, -1 where the job has none. */
struct job_slots {
  int output[2];
  int stdin_fd;
};

/*
 * Copies a file to a new path and its folder (mode 0755), both root's. The gVisor driver
 * copies the statx shim from its bind mount into the sandbox's own /dev (a tmpfs inside the
 * sandbox), because preloading from a bind mount costs every command a few milliseconds of
 * file lookups on the host. When the copy fails, the target becomes a symbolic link to the
 * source, so commands still find the file.
 */
static void copy_file(const char *source, const char *target) {
  char folder[4096];
  const char *slash = strrchr(target, '/');
  if (slash == NULL || (size_t)(slash - target) >= sizeof folder) {
    fprintf(stderr, "sandstack exec-agent: invalid copy target %s\n", target);
    return;
  }
  memcpy(folder, target, (size_t)(slash - target));
  folder[slash - target] = '\0';
  if (mkdir(folder, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "sandstack exec-agent: could not create %s: %s\n", folder, strerror(errno));
    return;
  }
  int in = open(source, O_RDONLY | O_CLOEXEC);
  int out = in < 0 ? -1 : open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool copied = out >= 0;
  static char chunk[65536];
  ssize_t length;
  while (copied && (length = read(in, chunk, sizeof chunk)) != 0) {
    copied = length > 0 && write(out, chunk, (size_t)length) == length;
  }
  if (out >= 0 && close(out) != 0) {
    copied = false;
  }
  if (in >= 0) {
    close(in);
  }
  if (!copied) {
    fprintf(stderr, "sandstack exec-agent: could not copy %s to %s: %s; linking it instead\n",
            source, target, strerror(errno));
    unlink(target);
    if (symlink(source, target) != 0) {
      fprintf(stderr, "sandstack exec-agent: could not link %s: %s\n", target, strerror(errno));
    }
  }
}

/*
 * Arguments: `--protocol=<version>`, which the agent ignores (it marks the container's
 * bundle), and `--copy-file=<source>:<target>`, which copies a file before the first request.
 */
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *prefix = "--copy-file=";
    char *separator = strchr(argv[i], ':');
    if (strncmp(argv[i], prefix, strlen(prefix)) == 0 && separator != NULL) {
      *separator = '\0';
      copy_file(argv[i] + strlen(prefix), separator + 1);
    }
  }
  /*
   * SIGPIPE stays ignored, so a command that exits without reading its stdin gives the agent
   * EPIPE instead of killing it, which would end the container.
   */
  signal(SIGPIPE, SIG_IGN);
  close_inherited_descriptors();
  if (pipe2(child_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    perror("sandstack exec-agent: pipe");
    return 1;
  }
  struct sigaction action = {.sa_handler = on_child_signal, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigemptyset(&action.sa_mask);
  sigaction(SIGCHLD, &action, NULL);
  set_flags(0, O_NONBLOCK);
  set_flags(1, O_NONBLOCK);

  struct pollfd *fds = NULL;
  struct job_slots *slots = NULL;
  size_t capacity = 0;
  for (;;) {
    size_t job_count = 0;
    for (struct job *job = jobs; job != NULL; job = job->next) {
      job_count++;
    }
    size_t needed = 3 + 3 * job_count;
    if (needed > capacity) {
      capacity = needed * 2;
      free(fds);
      free(slots);
      fds = checked_alloc(capacity * sizeof *fds);
      slots = checked_alloc(capacity * sizeof *slots);
    }
    size_t count = 0;
    fds[count++] = (struct pollfd){.fd = child_signal_pipe[0], .events = POLLIN};
    fds[count++] = (struct pollfd){.fd = 0, .events = POLLIN};
    fds[count++] = (struct pollfd){.fd = 1, .events = buffer_length(&replies) > 0 ? POLLOUT : 0};
    /* Stop reading command output while the host is behind, so the queue stays bounded. */
    bool read_output_now = buffer_length(&replies) < REPLY_QUEUE_HIGH_BYTES;
    size_t index = 0;
    for (struct job *job = jobs; job != NULL; job = job->next, index++) {
      struct job_slots *slot = &slots[index];
      for (int stream = 0; stream < 2; stream++) {
        slot->output[stream] = -1;
        if (job->output_fds[stream] >= 0 && (read_output_now || job->replied)) {
          slot->output[stream] = (int)count;
          fds[count++] = (struct pollfd){.fd = job->output_fds[stream], .events = POLLIN};
        }
      }
      slot->stdin_fd = -1;
      if (job->stdin_fd >= 0) {
        slot->stdin_fd = (int)count;
        fds[count++] = (struct pollfd){.fd = job->stdin_fd, .events = POLLOUT};
      }
    }

    if (poll(fds, count, poll_timeout_ms()) < 0 && errno != EINTR) {
      perror("sandstack exec-agent: poll");
      usleep(50000);
      continue;
    }
    if (fds[0].revents != 0) {
      reap_children();
    }
    index = 0;
    for (struct job *job = jobs; job != NULL; job = job->next, index++) {
      struct job_slots *slot = &slots[index];
      for (int stream = 0; stream < 2; stream++) {
        if (slot->output[stream] >= 0 && fds[slot->output[stream]].revents != 0) {
          read_output(job, stream);
        }
      }
      if (slot->stdin_fd >= 0 && fds[slot->stdin_fd].revents != 0) {
        write_stdin(job);
      }
    }
    /* New jobs join the list's head, so requests are read after the slots above are used. */
    if (fds[1].revents != 0) {
      read_requests();
    }
    check_jobs();
    flush_replies();
  }
}
