/**
 * The seccomp filter of bubblewrap sandboxes (native/seccomp-filter.c), on real bwrap, with
 * the command agent and with one bwrap per command: denied calls fail with the errno the
 * filter gives, and ordinary developer tools still work.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { EXEC_AGENT } from '../../src/sandbox/drivers/native.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';

const available = (await new BubblewrapDriver().check()).available;
const suite = available ? describe : describe.skip;

/** A command agent path that does not exist, so the driver starts one bwrap per command. */
const NO_AGENT = { program: '/nonexistent/exec-agent', args: [] };

/**
 * Python that makes each denied call and prints `name errno-name` per line, or `name ok`.
 * ptrace and keyctl go through syscall() so no library wrapper hides the errno, and TIOCSTI
 * runs in a child whose controlling terminal is a new pty, because without the filter the
 * kernel allows TIOCSTI on a process's own controlling terminal.
 */
const DENIED_CALLS_SCRIPT = String.raw`
import ctypes, errno, os, pty, socket, sys, termios, fcntl
libc = ctypes.CDLL(None, use_errno=True)

def report(name, result):
    if result < 0:
        print(name, errno.errorcode[ctypes.get_errno()])
    else:
        print(name, 'ok')

def syscall(name, number, *args):
    report(name, libc.syscall(number, *[ctypes.c_long(a) for a in args]))

syscall('keyctl', 250, 0, -3, 0)  # KEYCTL_GET_KEYRING_ID of the session keyring
syscall('ptrace', 101, 0, 0, 0, 0)  # PTRACE_TRACEME
syscall('unshare', 272, 0x10000000)  # CLONE_NEWUSER
syscall('clone3', 435, 0, 0)
syscall('setns', 308, 0, 0)
syscall('bpf', 321, 0, 0, 0)
syscall('io_uring_setup', 425, 1, 0)
syscall('personality', 135, 0x0040000)  # ADDR_NO_RANDOMIZE
syscall('personality-query', 135, 0xffffffff)
for name, family, kind, protocol in [
    ('af_packet', 17, socket.SOCK_RAW, 0),
    ('af_netlink_audit', 16, socket.SOCK_RAW, 9),
    ('af_netlink_route', 16, socket.SOCK_RAW, 0),
    ('af_inet', 2, socket.SOCK_STREAM, 0),
]:
    report(name, libc.socket(family, kind, protocol))
sys.stdout.flush()
pid, fd = pty.fork()
if pid == 0:
    try:
        fcntl.ioctl(0, termios.TIOCSTI, b'x')
        print('tiocsti ok')
    except OSError as error:
        print('tiocsti', errno.errorcode[error.errno])
    sys.stdout.flush()
    os._exit(0)
output = b''
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    output += chunk
os.waitpid(pid, 0)
print(output.decode().strip())
`;

/** Each call of DENIED_CALLS_SCRIPT and what it must print. */
const EXPECTED_CALLS: [name: string, outcome: string][] = [
  ['keyctl', 'EPERM'],
  ['ptrace', 'EPERM'],
  ['unshare', 'EPERM'],
  ['clone3', 'ENOSYS'],
  ['setns', 'EPERM'],
  ['bpf', 'EPERM'],
  ['io_uring_setup', 'ENOSYS'],
  ['personality', 'EPERM'],
  ['personality-query', 'ok'],
  ['af_packet', 'EAFNOSUPPORT'],
  ['af_netlink_audit', 'EAFNOSUPPORT'],
  ['af_netlink_route', 'ok'],
  ['af_inet', 'ok'],
  ['tiocsti', 'EPERM'],
];

/** A C program that starts four threads and joins them: glibc makes them with clone3, then clone. */
const THREADED_PROGRAM = String.raw`
#include <pthread.h>
#include <stdio.h>
static void *work(void *arg) { return arg; }
int main(void) {
  pthread_t threads[4];
  for (long i = 0; i < 4; i++) pthread_create(&threads[i], NULL, work, (void *)i);
  long sum = 0;
  for (int i = 0; i < 4; i++) { void *value; pthread_join(threads[i], &value); sum += (long)value; }
  printf("threads %ld\n", sum);
  return 0;
}
`;

const MODES = [
  { mode: 'command agent', agent: undefined },
  { mode: 'one bwrap per command', agent: NO_AGENT },
] as const;

for (const { mode, agent } of MODES) {
  const modeSuite = agent === undefined && !existsSync(EXEC_AGENT) ? describe.skip : suite;

  modeSuite(`bubblewrap seccomp filter (${mode})`, () => {
    let dir = '';
    let sandbox: SandboxInstance | undefined;
    const driver = new BubblewrapDriver(agent === undefined ? {} : { agent });

    const run = async (command: string) => {
      if (sandbox === undefined) {
        throw new Error('the sandbox was not created');
      }
      return sandbox.exec({ command, timeoutMs: 60_000 });
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sandstack-seccomp-'));
      const id = agent === undefined ? 'sbx_seccomp_agent' : 'sbx_seccomp_plain';
      const template = resolveTemplate({ name: 'seccomp', commandTimeoutMs: 60_000 });
      sandbox = await driver.create({ id, template, stateDir: join(dir, id) });
    }, 60_000);

    afterAll(async () => {
      await sandbox?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('loads the filter with no new privileges', async () => {
      const result = await run('grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(result.stdout).toMatch(/^Seccomp:\s+2$/m);
    });

    it('rejects new namespaces from unshare', async () => {
      for (const flag of ['-U', '-m', '-Ur']) {
        const result = await run(`unshare ${flag} true`);
        expect(result.exitCode, flag).not.toBe(0);
        expect(result.stderr, flag).toContain('Operation not permitted');
      }
    });

    it('rejects mount', async () => {
      const result = await run('mkdir -p /tmp/x && mount -t tmpfs x /tmp/x');
      expect(result.exitCode).not.toBe(0);
      const listed = await run('grep -c " /tmp/x " /proc/self/mountinfo');
      expect(listed.stdout.trim()).toBe('0');
    });

    it('rejects strace', async () => {
      const result = await run('strace -f true');
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('Operation not permitted');
    });

    it('fails denied calls with their errno', async () => {
      const result = await run(`/usr/bin/python3 - <<'EOF'\n${DENIED_CALLS_SCRIPT}\nEOF`);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const outcomes = new Map(
        result.stdout
          .trim()
          .split('\n')
          .map((line) => line.trim().split(' ') as [string, string]),
      );
      for (const [name, outcome] of EXPECTED_CALLS) {
        expect(outcomes.get(name), name).toBe(outcome);
      }
    });

    it('kills x32 system calls', async () => {
      // getpid through the x32 ABI: its number with bit 30 set.
      const script = 'import ctypes; ctypes.CDLL(None).syscall(0x40000000 | 39); print("survived")';
      const result = await run(`/usr/bin/python3 -c '${script}'; echo "status $?"`);
      expect(result.stdout).not.toContain('survived');
      // 128 + SIGSYS (31).
      expect(result.stdout).toContain('status 159');
    });

    it('runs shell, coreutils and python3', async () => {
      const result = await run(
        'echo hi | tr a-z A-Z && ls / >/dev/null && printf "a\\nb\\n" | sort -r | head -1 && /usr/bin/python3 -c "print(6 * 7)"',
      );
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('HI\nb\n42\n');
    });

    it('runs git init and commit', async () => {
      const result = await run(
        [
          'cd /tmp && rm -rf repo && git init -q repo && cd repo',
          'echo text > file && git add file',
          'git -c user.name=test -c user.email=test@example.com commit -qm first',
          'git log --format=%s',
        ].join(' && '),
      );
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('first\n');
    });

    it.skipIf(!existsSync('/usr/bin/gcc'))('compiles and runs a threaded program', async () => {
      const result = await run(
        `cd /tmp && cat > threads.c <<'EOF'\n${THREADED_PROGRAM}\nEOF\ngcc -O1 -pthread -o threads threads.c && ./threads`,
      );
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('threads 6\n');
    });

    it('runs ps, ip addr and ss', async () => {
      const ps = await run('ps -e -o comm=');
      expect(ps.exitCode).toBe(0);
      expect(ps.stdout).toContain('ps');
      const ip = await run('ip addr show lo');
      expect(ip.exitCode).toBe(0);
      expect(ip.stdout).toContain('127.0.0.1');
      const ss = await run('ss -ltn');
      expect(ss.exitCode).toBe(0);
    });

    it.skipIf(!existsSync('/usr/bin/node'))('runs node', async () => {
      const script =
        "const os=require('os'); require('fs').readFileSync('/etc/hostname'); console.log(Object.keys(os.networkInterfaces()).join(','))";
      const result = await run(`/usr/bin/node -e "${script}"`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('lo\n');
    });
  });
}

suite('bubblewrap seccomp filter settings', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-seccomp-settings-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects sandboxes without the filter file', async () => {
    const missing = join(dir, 'missing.bpf');
    const driver = new BubblewrapDriver({ seccompFilter: missing });
    const check = await driver.check();
    expect(check.available).toBe(false);
    expect(check.reason).toContain(missing);
    expect(check.fix).toContain('libseccomp-dev');
    const id = 'sbx_seccomp_missing';
    const template = resolveTemplate({ name: 'seccomp' });
    await expect(driver.create({ id, template, stateDir: join(dir, id) })).rejects.toThrow(
      /seccomp filter .* was not found.*apt-get install libseccomp-dev/,
    );
    expect(existsSync(join(dir, id))).toBe(false);
  });

  it('reports a filter the kernel rejects', async () => {
    // One 8-byte instruction with an invalid opcode.
    const invalid = join(dir, 'invalid.bpf');
    writeFileSync(invalid, 'xxxxxxxx');
    const check = await new BubblewrapDriver({ seccompFilter: invalid }).check();
    expect(check.available).toBe(false);
    expect(check.reason).toContain(`could not load the seccomp filter "${invalid}"`);
    expect(check.reason).toContain('PR_SET_SECCOMP');
    expect(check.fix).toContain('scripts/setup.sh');
  });

  it('rejects a file that is no BPF program', async () => {
    const truncated = join(dir, 'truncated.bpf');
    writeFileSync(truncated, 'xxx');
    const check = await new BubblewrapDriver({ seccompFilter: truncated }).check();
    expect(check.available).toBe(false);
    expect(check.reason).toContain('is not a BPF program (3 bytes');
  });

  it('allows new namespaces only with seccompFilter null', async () => {
    const driver = new BubblewrapDriver({ seccompFilter: null });
    const id = 'sbx_seccomp_off';
    const template = resolveTemplate({ name: 'seccomp' });
    const sandbox = await driver.create({ id, template, stateDir: join(dir, id) });
    try {
      const result = await sandbox.exec({ command: 'unshare -U true' });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
    } finally {
      await sandbox.destroy();
    }
  }, 60_000);
});
