import { describe, expect, it } from 'vitest';
import { checkPlainSecretValues } from './plain-secret-values.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string): Promise<string | undefined> {
  return checkPlainSecretValues(await parseShell(command))?.rule;
}

const GITHUB_TOKEN = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

describe('checkPlainSecretValues', () => {
  it.each([
    `helm upgrade --install web charts/web --set env.GH_TOKEN=${GITHUB_TOKEN}`,
    `helm install web charts/web --set-string secrets.token=${GITHUB_TOKEN},replicas=2`,
    `kubectl set env deployment/web GH_TOKEN=${GITHUB_TOKEN}`,
    `gcloud run deploy web --image gcr.io/p/web --set-env-vars=GH_TOKEN=${GITHUB_TOKEN}`,
  ])('flags %s', async (command) => {
    expect(await ruleOf(command)).toBe('stage1:plain-secret-value');
  });

  it.each([
    'helm upgrade --install web charts/web --set image.tag=v1.4.2 --set env.DEBUG=true',
    'helm upgrade --install web charts/web --set env.GH_TOKEN=$GH_TOKEN',
    'kubectl set env deployment/web LOG_LEVEL=debug',
    `kubectl create secret generic web --from-literal=GH_TOKEN=${GITHUB_TOKEN}`,
  ])('passes %s', async (command) => {
    expect(await ruleOf(command)).toBeUndefined();
  });
});
