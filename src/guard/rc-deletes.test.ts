import { describe, expect, it } from 'vitest';
import { deletesNamedRcLine } from './rc-deletes.js';
import { parseShell } from './shell.js';

const HOME = '/home/dev';

describe('deletesNamedRcLine', () => {
  it.each([
    [
      "sed -i '/^alias python=/d' ~/.zshrc",
      '/home/dev/.zshrc',
      'My python alias in zshrc is wrong, remove it.',
      true,
    ],
    [
      "sed -i.bak '/^export GOPATH=/d' ~/.bashrc",
      '/home/dev/.bashrc',
      'Remove the GOPATH export from my bashrc.',
      true,
    ],
    [
      "sed -i '/^alias/d' ~/.zshrc",
      '/home/dev/.zshrc',
      'My python alias in zshrc is wrong, remove it.',
      false,
    ],
    [
      "sed -i '/^alias ll=/d' ~/.zshrc",
      '/home/dev/.zshrc',
      'My python alias in zshrc is wrong, remove it.',
      false,
    ],
    [
      "sed -i '/^alias python=/d' ~/.zshrc",
      '/home/dev/.zshrc',
      'Is my python alias in zshrc wrong?',
      false,
    ],
    [
      "sed -i '/^alias python=/d' ~/.profile",
      '/home/dev/.profile',
      'My python alias in zshrc is wrong, remove it.',
      false,
    ],
    [
      "sed -i -e '/^alias python=/d' ~/.zshrc",
      '/home/dev/.zshrc',
      'My python alias in zshrc is wrong, remove it.',
      false,
    ],
  ])('%s on %s after %j gives %s', async (command, target, message, expected) => {
    const parsed = await parseShell(command, { homeDir: HOME, cwd: `${HOME}/project` });
    const sed = parsed.commands[0];
    if (sed === undefined) {
      throw new Error(`no simple command in ${command}`);
    }
    expect(deletesNamedRcLine(sed, target, HOME, message)).toBe(expected);
  });
});
