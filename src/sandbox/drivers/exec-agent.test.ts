/**
 * The command agent (native/exec-agent.c) run as a host process behind its real FIFOs, with
 * the host's client. The agent starts commands as uid 65534, so these tests need root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedExec } from './shared.js';
import { AGENT_PROTOCOL, ExecAgentClient } from './exec-agent.js';

const AGENT = fileURLToPath(new URL('../../../native/build/exec-agent', import.meta.url));
const USER = { uid: 65534, gid: 65534 };
const canRun = existsSync(AGENT) && process.getuid?.() === 0;

/** Builds a command with the defaults a sandbox gives it, and a fresh tag group. */
function command(text: string, overrides: Partial<ResolvedExec> = {}): ResolvedExec {
  return {
    command: text,
    cwd: '/',
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    stdin: undefined,
    timeoutMs: 10_000,
    limits: { stdout: 1 << 20, stderr: 1 << 20 },
    onOutput: undefined,
    signal: undefined,
    tagGroup: 0x1000_0000 + Math.floor(Math.random() * 0x6000_0000),
    ...overrides,
  };
}

/** Host processes whose command line contains `text`, zombies excluded. */
function liveProcessesNaming(text: string): number[] {
  const output = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, stat = '', ...args]) => !stat.startsWith('Z') && args.join(' ').includes(text))
    .map(([pid]) => Number(pid));
}

describe.skipIf(!canRun)('exec agent', () => {
  let dir = '';
  let agent: ChildProcess;
  let client: ExecAgentClient;
  let paths: { requests: string; replies: string };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-exec-agent-'));
    // Commands run as uid 65534 and look for files here.
    chmodSync(dir, 0o755);
    paths = { requests: join(dir, 'requests.fifo'), replies: join(dir, 'replies.fifo') };
    execFileSync('mkfifo', ['-m', '600', paths.requests, paths.replies]);
    // Opened read-write, as the gVisor driver does, so neither end waits for a peer.
    const requests = openSync(paths.requests, 'r+');
    const replies = openSync(paths.replies, 'r+');
    agent = spawn(AGENT, [`--protocol=${AGENT_PROTOCOL}`], {
      stdio: [requests, replies, 'inherit'],
    });
    closeSync(requests);
    closeSync(replies);
    client = new ExecAgentClient(paths);
  });

  afterEach(() => {
    client.close();
    agent.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a ping with its protocol', async () => {
    expect(await client.ping(5000)).toBe(AGENT_PROTOCOL);
  });

  it('returns output, exit code and user', async () => {
    const exec = command('echo out; echo err >&2; id -u; id -G; exit 3');
    const result = await client.exec(exec, { deadlineMs: 10_000, user: USER });
    expect(result?.exitCode).toBe(3);
    expect(result?.signal).toBeNull();
    expect(result?.stderr.toString()).toBe('err\n');
    const [out, uid, groups] = result?.stdout.toString().split('\n') ?? [];
    expect(out).toBe('out');
    expect(uid).toBe('65534');
    expect(groups?.split(' ').sort()).toEqual(['65534', String(exec.tagGroup)].sort());
  });

  it('passes cwd, env and stdin', async () => {
    const stdin = Buffer.alloc(300_000, 'x');
    const exec = command('pwd; echo "$GREETING"; wc -c', {
      cwd: '/tmp',
      env: { PATH: '/usr/bin:/bin', GREETING: 'tab\there' },
      stdin,
    });
    const result = await client.exec(exec, { deadlineMs: 10_000, user: USER });
    expect(result?.stdout.toString()).toBe('/tmp\ntab\there\n300000\n');
    expect(result?.exitCode).toBe(0);
  });

  it('reports a signal as 128 plus its number', async () => {
    const result = await client.exec(command('kill -TERM $$'), { deadlineMs: 10_000, user: USER });
    expect(result?.exitCode).toBe(128 + 15);
    expect(result?.killed).toBe(false);
  });

  it('streams output before the command ends', async () => {
    // The command prints its last line only after the host has seen its first one.
    const seen = join(dir, 'seen');
    const exec = command(
      `echo first; i=0; while [ ! -e ${seen} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; [ -e ${seen} ] && echo last`,
      { onOutput: () => writeFileSync(seen, '') },
    );
    const result = await client.exec(exec, { deadlineMs: 30_000, user: USER });
    expect(result?.stdout.toString()).toBe('first\nlast\n');
    expect(result?.exitCode).toBe(0);
  });

  it('cuts output at the cap and says so', async () => {
    const exec = command('head -c 100000 /dev/zero; echo warning >&2', {
      limits: { stdout: 1000, stderr: 1 << 20 },
    });
    const result = await client.exec(exec, { deadlineMs: 10_000, user: USER });
    expect(result?.stdout).toHaveLength(1000);
    expect(result?.stdoutTruncated).toBe(true);
    expect(result?.stderrTruncated).toBe(false);
    expect(result?.stderr.toString()).toBe('warning\n');
  });

  it('kills a new-session orphan at the deadline', async () => {
    const exec = command('(setsid sleep 7601 &); sleep 7602', { timeoutMs: 500 });
    const result = await client.exec(exec, { deadlineMs: 10_000, user: USER });
    expect(result?.killed).toBe(true);
    expect(result?.exitCode).toBe(137);
    expect(liveProcessesNaming('sleep 7601')).toEqual([]);
    expect(liveProcessesNaming('sleep 7602')).toEqual([]);
  });

  it('kills every process on cancel', async () => {
    const controller = new AbortController();
    const exec = command('env -i setsid sleep 7701 & echo started; sleep 7702', {
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    const result = await client.exec(exec, { deadlineMs: 10_000, user: USER });
    expect(result?.aborted).toBe(true);
    expect(result?.killed).toBe(false);
    expect(liveProcessesNaming('sleep 7701')).toEqual([]);
    expect(liveProcessesNaming('sleep 7702')).toEqual([]);
  });

  it('runs a short command beside a long one', async () => {
    const long = client.exec(command('sleep 2; echo long'), { deadlineMs: 10_000, user: USER });
    const short = await client.exec(command('echo short'), { deadlineMs: 10_000, user: USER });
    expect(short?.stdout.toString()).toBe('short\n');
    expect((await long)?.stdout.toString()).toBe('long\n');
  });

  it('keeps background writers alive after replying', async () => {
    // The background process writes to the command's stdout after the reply was sent, and
    // dies of SIGPIPE unless the agent still drains the pipe.
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o777);
    const exec = command(`(sleep 0.5; echo later; touch ${shared}/alive) & echo now`);
    const result = await client.exec(exec, { deadlineMs: 10_000, user: USER });
    expect(result?.stdout.toString()).toContain('now');
    for (let attempt = 0; attempt < 100 && !existsSync(join(shared, 'alive')); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(existsSync(join(shared, 'alive'))).toBe(true);
  });

  it('reports a missing cwd with exit 127', async () => {
    const exec = command('true', { cwd: '/no-such-folder' });
    const result = await client.exec(exec, { deadlineMs: 10_000, user: USER });
    expect(result?.exitCode).toBe(127);
    expect(result?.stderr.toString()).toContain('/no-such-folder: No such file or directory');
  });

  /** Runs a command and returns the parent pid of the process that read /proc/self/stat. */
  async function parentOf(text: string, overrides: Partial<ResolvedExec> = {}): Promise<number> {
    const result = await client.exec(command(text, overrides), { deadlineMs: 10_000, user: USER });
    expect(result?.exitCode).toBe(0);
    // Field 4 of /proc/<pid>/stat is the parent pid, and the name before it has no spaces here.
    return Number(result?.stdout.toString().split(' ')[3]);
  }

  it('execs a plain command without a shell', async () => {
    expect(await parentOf('cat /proc/self/stat')).toBe(agent.pid);
    expect(await parentOf('/bin/cat /proc/self/stat')).toBe(agent.pid);
  });

  it('leaves shell syntax to the shell', async () => {
    const cases: [string, Partial<ResolvedExec>][] = [
      ['cat /proc/self/sta?', {}],
      ['cat "/proc/self/stat"', {}],
      ['FOO=1 cat /proc/self/stat', {}],
      ['cat /proc/self/stat # comment', {}],
      ['cat /proc/self/stat', { env: { PATH: '/usr/bin:/bin', ENV: '/dev/null' } }],
      ['cat /proc/self/stat', { env: { PATH: 'bin:/usr/bin:/bin' } }],
    ];
    for (const [text, overrides] of cases) {
      expect(await parentOf(text, overrides), text).not.toBe(agent.pid);
    }
  });

  it('gives a plain command the shell environment', async () => {
    const real = join(dir, 'real');
    mkdirSync(real);
    execFileSync('ln', ['-s', real, join(dir, 'link')]);
    const cases: Partial<ResolvedExec>[] = [
      { cwd: '/tmp' },
      { cwd: join(dir, 'link') },
      { cwd: join(dir, 'link'), env: { PATH: '/usr/bin:/bin', PWD: join(dir, 'link') } },
      { cwd: '/tmp', env: { PATH: '/usr/bin:/bin', PWD: '/' } },
    ];
    for (const overrides of cases) {
      const run = async (text: string): Promise<string[]> => {
        const result = await client.exec(command(text, overrides), {
          deadlineMs: 10_000,
          user: USER,
        });
        return (result?.stdout.toString() ?? '').split('\n').sort();
      };
      // `exec` is a builtin, so the second command runs through the shell.
      expect(await run('env'), JSON.stringify(overrides)).toEqual(await run('exec env'));
    }
  });

  it('reports a missing program as the shell does', async () => {
    const result = await client.exec(command('no-such-program --flag'), {
      deadlineMs: 10_000,
      user: USER,
    });
    expect(result?.exitCode).toBe(127);
    expect(result?.stderr.toString()).toMatch(/no-such-program: .*not found/);
  });

  it('skips a request cut short', async () => {
    const marker = join(dir, 'ran');
    // A `run` request without its end marker, as a host that died while writing leaves it.
    const fields = ['run', 'dead:1', '0', '0', '268435457', '1000', '100', '100'];
    const text = ['/', `touch ${marker}`].map((part) => Buffer.from(part).toString('base64'));
    writeFileSync(paths.requests, `${[...fields, ...text, '-'].join('\t')}\n`);
    const result = await client.exec(command('echo next'), { deadlineMs: 10_000, user: USER });
    expect(result?.stdout.toString()).toBe('next\n');
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps its descriptors from commands', async () => {
    const result = await client.exec(command('ls /proc/$$/fd'), { deadlineMs: 10_000, user: USER });
    expect(result?.stdout.toString()).toBe('0\n1\n2\n');
  });
});
