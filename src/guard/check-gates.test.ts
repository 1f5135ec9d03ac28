import { describe, expect, it } from 'vitest';
import { gateOpens, indexLine, type CheckGate } from './check-gates.js';
import { parseShell } from './shell.js';

async function indexOf(command: string) {
  return indexLine(await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' }));
}

describe('indexLine', () => {
  it('records programs after wrappers', async () => {
    const index = await indexOf('sudo timeout 5 git status | grep x');
    expect([...index.programs]).toEqual(expect.arrayContaining(['git', 'grep']));
    expect([...index.wrappers]).toEqual(expect.arrayContaining(['sudo', 'timeout']));
  });

  it('marks a here-string as stdin', async () => {
    expect((await indexOf('./migrate.sh <<< y')).stdin).toBe(true);
  });

  it('marks a heredoc as stdin', async () => {
    expect((await indexOf("psql <<'SQL'\nselect 1;\nSQL")).stdin).toBe(true);
  });

  it('marks a plain pipeline as no stdin', async () => {
    expect((await indexOf('yes | ./migrate.sh')).stdin).toBe(false);
  });
});

describe('gateOpens', () => {
  const stdinGate: CheckGate = { programs: new Set(['yes']), stdin: true };

  it('opens a stdin gate on a here-string', async () => {
    expect(gateOpens(stdinGate, await indexOf('./migrate.sh <<< y'))).toBe(true);
  });

  it('opens a stdin gate on its program', async () => {
    expect(gateOpens(stdinGate, await indexOf('yes | ./migrate.sh'))).toBe(true);
  });

  it('keeps a stdin gate shut otherwise', async () => {
    expect(gateOpens(stdinGate, await indexOf('echo y | ./migrate.sh'))).toBe(false);
  });

  it('keeps an empty gate shut', async () => {
    expect(gateOpens({}, await indexOf('./migrate.sh <<< y'))).toBe(false);
  });
});
