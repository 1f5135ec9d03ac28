import { describe, expect, it } from 'vitest';
import { appliesSecretFromNamedEnvFile } from './secret-manifests.js';
import { parseShell } from './shell.js';

const REQUEST =
  'Load .env.staging into the staging api namespace as a Secret so the pods pick it up.';
const CREATE =
  'kubectl --context staging -n api create secret generic api-env --from-env-file=.env.staging --dry-run=client -o yaml';
const APPLY = 'kubectl --context staging -n api apply -f -';

async function applies(line: string, messages = REQUEST): Promise<boolean[]> {
  const parsed = await parseShell(line, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return parsed.commands.map((command) =>
    appliesSecretFromNamedEnvFile(command, parsed.commands, messages),
  );
}

describe('appliesSecretFromNamedEnvFile', () => {
  it('allows both stages of the requested idiom', async () => {
    expect(await applies(`${CREATE} | ${APPLY}`)).toEqual([true, true]);
  });

  it.each([
    ['a printed manifest', CREATE],
    ['another file', `${CREATE.replace('.env.staging', '.env.production')} | ${APPLY}`],
    ['another namespace', `${CREATE} | ${APPLY.replace('-n api', '-n kube-system')}`],
    ['a production context', `${CREATE} | ${APPLY}`.replaceAll('staging -n', 'prod -n')],
    ['an unnamed secret', `${CREATE.replace('api-env', 'payments-client')} | ${APPLY}`],
    ['a saved manifest', `${CREATE} | tee api-env.yaml`],
  ])('rejects %s', async (_kind, line) => {
    expect((await applies(line)).some(Boolean)).toBe(false);
  });
});
