import { describe, expect, it } from 'vitest';
import { grantsRequestedNamespaceRead } from './namespace-roles.js';
import { parseShell } from './shell.js';

const REQUEST = [
  "The training job can't list pods in its own namespace on staging.",
  'Give the ml-jobs default service account read access to pods in ml-jobs only.',
].join('\n');
const ROLE =
  'kubectl --context staging -n ml-jobs create role pod-reader --verb=get,list,watch --resource=pods';
const BINDING =
  'kubectl --context staging -n ml-jobs create rolebinding train-pod-reader --role=pod-reader --serviceaccount=ml-jobs:default';

async function grants(line: string, messages = REQUEST): Promise<boolean[]> {
  const parsed = await parseShell(line, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return parsed.commands.map((command) =>
    grantsRequestedNamespaceRead(command, parsed.commands, messages, messages),
  );
}

describe('grantsRequestedNamespaceRead', () => {
  it('allows the requested role and its binding', async () => {
    expect(await grants(`${ROLE} && ${BINDING}`)).toEqual([true, true]);
  });

  it.each([
    ['write verbs', ROLE.replace('get,list,watch', 'get,list,delete')],
    ['every verb', ROLE.replace('get,list,watch', '*')],
    ['secrets', ROLE.replace('--resource=pods', '--resource=pods,secrets')],
    ['a production context', ROLE.replace('--context staging', '--context prod')],
  ])('rejects a role with %s', async (_kind, role) => {
    expect((await grants(role))[0]).toBe(false);
  });

  it('rejects a binding to another namespace or an existing role', async () => {
    const other = BINDING.replace('ml-jobs:default', 'kube-system:default');
    expect((await grants(`${ROLE} && ${other}`))[1]).toBe(false);
    expect(await grants(BINDING.replace('pod-reader --service', 'admin --service'))).toEqual([
      false,
    ]);
  });

  it('rejects a request taken back', async () => {
    expect(await grants(ROLE, `${REQUEST}\nActually, hold off.`)).toEqual([false]);
  });
});
