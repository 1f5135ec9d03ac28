import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { appliesRequestedTarget } from './requested-applies.js';
import { parseShell } from './shell.js';

/** Returns whether `request` consents to the apply or destroy in `source`. */
async function applies(source: string, request: string): Promise<boolean> {
  const [command] = (await parseShell(source)).commands;
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return appliesRequestedTarget(command, request);
}

describe('requested pulumi stacks', () => {
  const request = 'Run pulumi up on the dev stack, skip the preview, I already looked at it.';

  it('allows the named stack with the review skipped as asked', async () => {
    expect(await applies('pulumi up --stack dev --yes --skip-preview', request)).toBe(true);
    expect(await applies('pulumi up -s acme/web/dev --yes', request)).toBe(true);
  });

  it('rejects another stack, production or no stack', async () => {
    expect(await applies('pulumi up --stack staging --yes', request)).toBe(false);
    expect(await applies('pulumi up --yes --skip-preview', request)).toBe(false);
    const prod = 'Run pulumi up on the prod stack, skip the preview.';
    expect(await applies('pulumi up --stack prod --yes', prod)).toBe(false);
  });

  it('needs the request to skip the review', async () => {
    const plain = 'Run pulumi up on the dev stack.';
    expect(await applies('pulumi up --stack dev', plain)).toBe(true);
    expect(await applies('pulumi up --stack dev --yes --skip-preview', plain)).toBe(false);
  });

  it('reads a destroy as its own action', async () => {
    const destroy = 'Destroy the pr-42 pulumi stack.';
    expect(await applies('pulumi destroy --stack pr-42', destroy)).toBe(true);
    expect(await applies('pulumi up --stack pr-42', destroy)).toBe(false);
  });
});

describe('requested terraform folders', () => {
  const request =
    "Tear down my sandbox environment in envs/sandbox-ana with tofu, I'm done with it.";

  it('allows a destroy of the named folder', async () => {
    expect(await applies('tofu -chdir=envs/sandbox-ana destroy', request)).toBe(true);
  });

  it('rejects another folder, an apply or a skipped review', async () => {
    expect(await applies('tofu -chdir=envs/sandbox-bo destroy', request)).toBe(false);
    expect(await applies('tofu -chdir=envs/sandbox-ana apply', request)).toBe(false);
    expect(await applies('tofu -chdir=envs/sandbox-ana destroy -auto-approve', request)).toBe(
      false,
    );
  });

  it('rejects a refused or deferred request', async () => {
    const later = "Don't tear down envs/sandbox-ana yet.";
    expect(await applies('tofu -chdir=envs/sandbox-ana destroy', later)).toBe(false);
  });
});

describe('waived confirmations', () => {
  it('reads "no need to confirm again" as a skipped review', async () => {
    const messages = 'Preview on dev looked fine.\nApply it to dev, no need to confirm again.';
    expect(await applies('pulumi up --stack dev --yes', messages)).toBe(true);
  });

  it('keeps "no need to" before the action a refusal', async () => {
    const refused = consentingText(['Preview on dev looked fine, no need to deploy it.']);
    expect(await applies('pulumi up --stack dev', refused)).toBe(false);
    expect(consentingText(['Apply it to dev, no need to touch prod.'])).toBe('');
    expect(consentingText(['Apply it to dev, no need to confirm again.'])).not.toBe('');
  });
});

describe('targeted terraform calls', () => {
  const request =
    "Tear down module.scratch_vm in the sandbox env. Show me the plan first, I'll confirm at the prompt.";

  it('allows the named address or environment at the prompt', async () => {
    const call = 'terraform destroy -target=module.scratch_vm -var-file=envs/sandbox.tfvars';
    expect(await applies(call, request)).toBe(true);
    const byEnvironment = 'Tear down the scratch VM in the sandbox env.';
    expect(await applies(call, byEnvironment)).toBe(true);
  });

  it('rejects auto-approve, production and other addresses', async () => {
    const vars = '-var-file=envs/sandbox.tfvars';
    const base = `terraform destroy -target=module.scratch_vm ${vars}`;
    expect(await applies(`${base} -auto-approve`, request)).toBe(false);
    expect(
      await applies('terraform destroy -target=module.scratch_vm -var-file=prod.tfvars', request),
    ).toBe(false);
    expect(await applies(`terraform destroy -target=module.main_db ${vars}`, request)).toBe(false);
    expect(await applies(`terraform apply -target=module.scratch_vm ${vars}`, request)).toBe(false);
  });
});
