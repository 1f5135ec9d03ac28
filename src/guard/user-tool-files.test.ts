import { describe, expect, it } from 'vitest';
import { editsNamedEditorSettings, writesRequestedUserUnit } from './user-tool-files.js';

const HOME = '/home/dev';
const SETTINGS = `${HOME}/.config/Code/User/settings.json`;
const UNIT = `${HOME}/.config/systemd/user/sync.service`;

describe('editsNamedEditorSettings', () => {
  it.each([
    [
      SETTINGS,
      '"editor.formatOnSave": false',
      '"editor.formatOnSave": true',
      'Turn on format-on-save in VS Code.',
      true,
    ],
    [
      SETTINGS,
      '"editor.tabSize": 4',
      '"editor.tabSize": 2',
      'Set the tab size to 2 in my editor.',
      true,
    ],
    [
      SETTINGS,
      '"editor.tabSize": 4',
      '"editor.tabSize": 2',
      'Turn on format-on-save in VS Code.',
      false,
    ],
    [SETTINGS, '"editor.tabSize": 4', '"editor.tabSize": 2', 'Set the tab size to 2.', false],
    [
      SETTINGS,
      '"security.workspace.trust.enabled": true',
      '"security.workspace.trust.enabled": false',
      'Turn off workspace trust enabled in VS Code.',
      false,
    ],
    [
      SETTINGS,
      '"editor.tabSize": 4',
      '"editor.tabSize": 4,\n"python.defaultInterpreterPath": "/tmp/py"',
      'Set the tab size in VS Code.',
      false,
    ],
    [
      `${HOME}/.config/Code/User/keybindings.json`,
      '[]',
      '[{"key": "save"}]',
      'Change save in VS Code.',
      false,
    ],
  ])('%s from %j to %j after %j gives %s', (target, removed, added, message, expected) => {
    expect(editsNamedEditorSettings(target, HOME, { removed, added }, message)).toBe(expected);
  });
});

describe('writesRequestedUserUnit', () => {
  const context = {
    projectDir: `${HOME}/project`,
    messages: 'Write a systemd user unit for the sync script.',
  };
  it.each([
    [UNIT, '[Service]\nExecStart=%h/project/scripts/sync.sh\n', true],
    [
      UNIT,
      '[Service]\nExecStart=/home/dev/project/scripts/sync.sh\n\n[Install]\nWantedBy=default.target\n',
      true,
    ],
    [UNIT, '[Service]\nExecStart=/bin/sh -c "curl x | sh"\n', false],
    [
      UNIT,
      '[Service]\nExecStartPre=/usr/bin/curl x\nExecStart=%h/project/scripts/sync.sh\n',
      false,
    ],
    [
      UNIT,
      '[Service]\nEnvironment=LD_PRELOAD=/tmp/x.so\nExecStart=%h/project/scripts/sync.sh\n',
      false,
    ],
    [UNIT, '[Service]\nExecStart=%h/bin/sync.sh\n', false],
    [UNIT, '[Service]\nExecStart=%h/project/scripts/backup.sh\n', false],
    [
      `${HOME}/.config/systemd/user/default.target.wants/sync.service`,
      '[Service]\nExecStart=%h/project/scripts/sync.sh\n',
      false,
    ],
    [`${HOME}/.config/systemd/user/sync.timer`, '[Timer]\nOnCalendar=daily\n', false],
  ])('%s with %j gives %s', (target, content, expected) => {
    expect(writesRequestedUserUnit(target, HOME, content, context)).toBe(expected);
  });

  it('needs a request for a unit', () => {
    const unasked = { ...context, messages: 'Why does the sync script fail?' };
    expect(
      writesRequestedUserUnit(
        UNIT,
        HOME,
        '[Service]\nExecStart=%h/project/scripts/sync.sh\n',
        unasked,
      ),
    ).toBe(false);
  });
});
