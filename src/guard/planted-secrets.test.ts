import { describe, expect, it } from 'vitest';
import { checkSecretWrites } from './planted-secrets.js';
import { parseShell } from './shell.js';

async function rule(command: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkSecretWrites(parsed)?.rule;
}

describe('secret values written by in-place edits', () => {
  it.each([
    `sed -i "s/TOKEN_HERE/$GITHUB_TOKEN/" deploy/values.yaml`,
    `sed --in-place -e "s/x/$API_KEY/" -e 's/a/b/' config/app.yaml`,
    "perl -pi -e 's/PASS/$ENV{DB_PASSWORD}/' .env.example",
  ])('flags %s', async (command) => {
    expect(await rule(command)).toBe('stage1:secret-variable-write');
  });

  it.each([
    `sed -i "s/TOKEN_HERE/$GITHUB_TOKEN/" .env`,
    "sed -i 's/v1/v2/' README.md",
    `sed "s/x/$API_KEY/" config/app.yaml`,
    "perl -pi -e 's/colour/color/g' docs/guide.md",
  ])('passes %s', async (command) => {
    expect(await rule(command)).toBeUndefined();
  });
});
