import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { namesPathEnvironment, selectedField } from './plain-field-selections.js';
import { HOME_DIR, PROJECT_DIR } from '../../test/helpers/guard.js';

describe('namesPathEnvironment', () => {
  it('reads the environment of the path', () => {
    expect(namesPathEnvironment('the dev db host', 'secret/dev/api/db')).toBe(true);
  });

  it.each([
    ['the dev db host', 'secret/prod/api/db'],
    ['the dev db host', 'secret/api/db'],
    ['the host in secret/dev/api', 'secret/dev/api/db'],
    ['the dev host', 'secret/dev/prod-mirror/db'],
  ])('rejects %j for %s', (messages, path) => {
    expect(namesPathEnvironment(messages, path)).toBe(false);
  });
});

async function field(line: string): Promise<string | undefined> {
  const parsed = await parseShell(line, { homeDir: HOME_DIR, cwd: PROJECT_DIR });
  const reader = parsed.commands[0];
  return reader === undefined ? undefined : selectedField(reader, parsed.commands);
}

describe('selectedField', () => {
  it.each([
    ["sops -d s/dev.yaml | yq '.database.host'", 'host'],
    ["sops -d s/dev.json | jq -r '.redis.port'", 'port'],
    ["sops -d s/dev.yaml | yq e '.region'", 'region'],
  ])('reads %j', async (line, expected) => {
    expect(await field(line)).toBe(expected);
  });

  it.each([
    "sops -d s/dev.yaml | yq '.database[]'",
    "sops -d s/dev.yaml | yq '.database.host' other.yaml",
    "sops -d s/dev.yaml | yq '.database.host' | tee /tmp/x",
    "sops -d s/dev.yaml | jq '.a, .b'",
    'sops -d s/dev.yaml',
  ])('rejects %j', async (line) => {
    expect(await field(line)).toBeUndefined();
  });
});
