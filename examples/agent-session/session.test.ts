import { describe, expect, it } from 'vitest';
import { mapPaths, parseSession } from './session.js';

const TARGET = { workspace: '/workspace', home: '/root' };

function sessionOf(header: Record<string, unknown>) {
  return parseSession(
    [header, { type: 'tool_use', name: 'Bash', input: { command: 'true' } }]
      .map((line) => JSON.stringify(line))
      .join('\n'),
  );
}

describe('mapPaths', () => {
  const session = sessionOf({ type: 'session', cwd: '/home/dev/p', home: '/home/dev' });

  it.each([
    ['cat /home/dev/p/notes.txt', 'cat /workspace/notes.txt'],
    ['cd /home/dev/p && ls', 'cd /workspace && ls'],
    ['cat /home/dev/p2/notes.txt', 'cat /root/p2/notes.txt'],
    ['cat /home/dev/.ssh/id_rsa', 'cat /root/.ssh/id_rsa'],
    ['echo "/home/dev/p"', 'echo "/workspace"'],
    ['cat /srv/home/dev/p/x', 'cat /srv/home/dev/p/x'],
    ['cat /home/devel/x', 'cat /home/devel/x'],
  ])('maps %s', (command, expected) => {
    expect(mapPaths({ command }, session, TARGET).command).toBe(expected);
  });

  it('drops a trailing slash of the recorded folder', () => {
    const slashed = sessionOf({ type: 'session', cwd: '/home/dev/p/' });
    expect(mapPaths({ file_path: '/home/dev/p/a.ts' }, slashed, TARGET).file_path).toBe(
      '/workspace/a.ts',
    );
  });

  it.each([[''], ['/'], ['relative/dir']])('rejects cwd %j', (cwd) => {
    expect(() => sessionOf({ type: 'session', cwd })).toThrow(/absolute folder other than "\/"/);
  });

  it('rejects a home of /', () => {
    expect(() => sessionOf({ type: 'session', cwd: '/p', home: '/' })).toThrow(/"home"/);
  });
});
