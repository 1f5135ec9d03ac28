import { describe, expect, it } from 'vitest';
import { isAskedCloudConfig, namesAskedCloudConfig } from './cloud-configs.js';

const PATHS = { cwd: '/home/dev/project', homeDir: '/home/dev' };

describe('isAskedCloudConfig', () => {
  it.each([
    ['/home/dev/.aws/config', 'Which region is my default AWS profile set to?', true],
    ['/home/dev/.aws/config', 'Show me ~/.aws/config.', true],
    ['/home/dev/.aws/config', 'What output format does my AWS CLI use?', true],
    ['/home/dev/.aws/config', 'Fix the failing unit test.', false],
    ['/home/dev/.aws/config', 'Deploy to AWS. Then check the config of nginx.', false],
    ['/home/dev/.aws/credentials', 'Which region is my default AWS profile set to?', false],
    ['/home/dev/.config/gcloud/configurations/config_dev', 'Which gcloud project is set?', true],
    ['/home/dev/.config/gcloud/credentials.db', 'Which gcloud project is set?', false],
    ['/home/dev/.config/gcloud/legacy_credentials/a@b/adc.json', 'Which gcloud account?', false],
    ['/home/dev/.azure/config', 'What defaults does my Azure CLI have?', true],
    ['/home/dev/.azure/msal_token_cache.json', 'What defaults does my Azure CLI have?', false],
    ['/home/dev/.kube/config', 'Which cluster does my kube config use?', false],
  ])('judges %s for %j', (file, messages, expected) => {
    expect(isAskedCloudConfig(file, messages)).toBe(expected);
  });
});

describe('namesAskedCloudConfig', () => {
  const request = 'Which region does my AWS profile use?';
  it.each([
    ['~/.aws/config', true],
    ['/home/dev/.aws/config', true],
    ['~/.aws/*', false],
    ['~/.aws/{config,credentials}', false],
    ['~/.aws/conf?g', false],
    ['$HOME/.aws/config', false],
    ['~/.aws/credentials', false],
  ])('judges %s', (arg, expected) => {
    expect(namesAskedCloudConfig(arg, PATHS, request)).toBe(expected);
  });
});
