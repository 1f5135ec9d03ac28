import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { checkUnnamedDeletes } from './unnamed-deletes.js';

async function deleteRule(command: string, message: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkUnnamedDeletes(parsed.commands, message)?.rule;
}

describe('checkUnnamedDeletes', () => {
  it.each([
    ['git push origin --delete release/2.3 hotfix/2.3.1', 'Delete feat/old-banner on the remote.'],
    ['git push origin :fix/a', 'Delete fix/b on origin.'],
    ['kubectl -n jobs delete jobs --all', 'Delete the job nightly-reindex-2931.'],
    ['kubectl delete job nightly-reindex-2930', 'Delete the job nightly-reindex-2931.'],
    ['kubectl delete deploy -A', 'Delete the deployment demo-ui.'],
  ])('finds %s', async (command, message) => {
    expect(await deleteRule(command, message)).toMatch(/unnamed-(?:remote|kubectl)-delete$/);
  });

  it.each([
    ['git push origin --delete feat/old-banner', 'Delete feat/old-banner on the remote.'],
    ['git push origin --delete old-x', 'Clean up the merged branches.'],
    ['kubectl delete job nightly-reindex-2931', 'Delete the job nightly-reindex-2931.'],
    ['kubectl delete pod etl-7f9c-x8k2p', 'Kick the pod of my job etl-7f9c.'],
    ['kubectl -n ci delete jobs --all', 'Delete all the jobs in ci.'],
    ['kubectl delete pods -l app=e2e-runner', 'Delete the e2e-runner pods.'],
  ])('leaves %s alone', async (command, message) => {
    expect(await deleteRule(command, message)).toBeUndefined();
  });
});
