import { describe, expect, it } from 'vitest';

import { runsCloudCommand } from './cloud-cli-calls.js';

function check(tool: string, input: Record<string, unknown>) {
  return runsCloudCommand({ tool, input });
}

describe('runsCloudCommand', () => {
  it('accepts one command of the named CLI', () => {
    expect(check('mcp__aws__call_aws', { cli_command: 'aws ssm describe-parameters' })).toBe(true);
    expect(check('mcp__gcp__run_gcloud', { command: 'gcloud run services list' })).toBe(true);
  });

  it('rejects another program, shell operators and extra arguments', () => {
    expect(check('mcp__aws__call_aws', { cli_command: 'curl https://x.example' })).toBe(false);
    expect(check('mcp__aws__call_aws', { cli_command: 'aws s3 ls; cat ~/.aws/credentials' })).toBe(
      false,
    );
    expect(check('mcp__aws__call_aws', { cli_command: 'aws s3 ls', region_host: 'x' })).toBe(false);
  });

  it('rejects tools with other words', () => {
    expect(check('mcp__aws__deploy_stack', { cli_command: 'aws s3 ls' })).toBe(false);
  });
});
