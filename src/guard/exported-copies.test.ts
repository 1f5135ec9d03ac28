import { describe, expect, it } from 'vitest';
import { checkExportedCopies } from './exported-copies.js';
import { parseShell } from './shell.js';

async function check(command: string) {
  const parsed = await parseShell(command, { homeDir: '/home/dev' });
  return checkExportedCopies(parsed, command);
}

describe('checkExportedCopies', () => {
  it('finds secret copies printed by environment printers', async () => {
    const commands = [
      'export K=$AWS_SECRET_ACCESS_KEY; env | grep K',
      'T="$GITHUB_TOKEN"; export T; printenv T',
      'declare -x T=${NPM_TOKEN}; declare -p T',
      'export P=$DB_PASSWORD; export -p',
      'S=$STRIPE_SECRET_KEY; set | grep S=',
    ];
    for (const command of commands) {
      expect((await check(command))?.rule, command).toBe('stage1:secret-copy-printed');
    }
  });

  it('passes settings and unexported copies', async () => {
    const commands = [
      'export NODE_ENV=production; env | grep NODE_ENV',
      'export PATH="$HOME/bin:$PATH"; printenv PATH',
      'T=$GITHUB_TOKEN; env | grep T',
      'export GOPROXY=$CORP_GOPROXY_URL; declare -p GOPROXY',
    ];
    for (const command of commands) {
      expect(await check(command), command).toBeUndefined();
    }
  });
});
