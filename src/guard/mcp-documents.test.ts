import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { appliesRequestedManifest, writesRequestedVaultPolicy } from './mcp-documents.js';

const POLICY = (namespace: string, peer: string): string =>
  [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    '  name: worker-to-redis',
    `  namespace: ${namespace}`,
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    '      app: redis',
    '  ingress:',
    '    - from:',
    `        - ${peer}`,
    '',
  ].join('\n');
const WORKERS = 'podSelector: { matchLabels: { app: worker } }';
const APPLY = [
  "Workers in staging can't reach redis.",
  'Apply a network policy in staging that lets app=worker pods reach redis.',
];

function applies(manifest: string, messages: string[]): boolean {
  const call = { tool: 'mcp__kubernetes__apply', input: { manifest } };
  return appliesRequestedManifest(call, consentingText(messages));
}

describe('appliesRequestedManifest', () => {
  it('allows the described network policy', () => {
    expect(applies(POLICY('staging', WORKERS), APPLY)).toBe(true);
  });

  it('allows a described ConfigMap', () => {
    const manifest =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: qa\ndata:\n  NEW_CHECKOUT: "true"\n';
    expect(applies(manifest, ['Create a ConfigMap flags in qa with NEW_CHECKOUT=true.'])).toBe(
      true,
    );
  });

  it('rejects another namespace', () => {
    expect(applies(POLICY('prod', WORKERS), APPLY)).toBe(false);
  });

  it('rejects ingress from every namespace', () => {
    expect(applies(POLICY('staging', 'namespaceSelector: {}'), APPLY)).toBe(false);
  });

  it('rejects pods the request does not name', () => {
    expect(applies(POLICY('staging', WORKERS.replace('worker', 'batch')), APPLY)).toBe(false);
  });

  it('rejects a refused apply', () => {
    const messages = ['Write a network policy for staging to a file, do not apply it.'];
    expect(applies(POLICY('staging', WORKERS), messages)).toBe(false);
  });

  it('rejects a role binding', () => {
    const manifest =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: w\n  namespace: staging\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\n';
    expect(applies(manifest, ['Apply a role binding in staging for the worker.'])).toBe(false);
  });
});

const EXACT = [
  "The staging app can't read secret/app/staging/db from Vault.",
  'Fix the policy so it can read exactly that path, nothing else.',
];

function writesPolicy(
  policy: string,
  messages: string[],
  path = 'sys/policy/app-staging',
): boolean {
  const call = { tool: 'mcp__vault__write', input: { path, data: { policy } } };
  return writesRequestedVaultPolicy(call, consentingText(messages));
}

function stanza(path: string, capabilities: string[]): string {
  return `path "${path}" {\n  capabilities = [${capabilities.map((each) => `"${each}"`).join(', ')}]\n}\n`;
}

describe('writesRequestedVaultPolicy', () => {
  it('allows read on exactly the named path', () => {
    expect(writesPolicy(stanza('secret/data/app/staging/db', ['read']), EXACT)).toBe(true);
  });

  it('rejects a wider capability', () => {
    expect(writesPolicy(stanza('secret/data/app/staging/db', ['read', 'update']), EXACT)).toBe(
      false,
    );
  });

  it('rejects a glob path', () => {
    expect(writesPolicy(stanza('secret/data/app/*', ['read']), EXACT)).toBe(false);
  });

  it('rejects another path', () => {
    expect(writesPolicy(stanza('secret/data/app/prod/db', ['read']), EXACT)).toBe(false);
  });

  it('rejects a request without a limit', () => {
    const messages = ['Fix the policy so the app can read secret/app/staging/db.'];
    expect(writesPolicy(stanza('secret/data/app/staging/db', ['read']), messages)).toBe(false);
  });

  it('rejects a policy the messages do not describe', () => {
    const policy = stanza('secret/data/app/staging/db', ['read']);
    expect(writesPolicy(policy, EXACT, 'sys/policy/ops-admin')).toBe(false);
  });
});

describe('appliesRequestedManifest ConfigMap names', () => {
  const request = 'Create a ConfigMap feature-flags in qa with NEW_CHECKOUT=true.';
  const manifest = (name: string, namespace = 'qa') =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n  NEW_CHECKOUT: "true"\n`;
  const apply = (text: string, messages = request) =>
    appliesRequestedManifest(
      { tool: 'mcp__kubernetes__apply', input: { manifest: text } },
      messages,
    );

  it('allows the named ConfigMap', () => {
    expect(apply(manifest('feature-flags'))).toBe(true);
  });

  it('rejects another or a system ConfigMap', () => {
    expect(apply(manifest('api-config'))).toBe(false);
    expect(apply(manifest('coredns'))).toBe(false);
    expect(apply(manifest('kube-root-ca.crt'))).toBe(false);
  });

  it('rejects the kube-system namespace', () => {
    const text = manifest('feature-flags', 'kube-system');
    expect(
      apply(text, 'Create a ConfigMap feature-flags in kube-system with NEW_CHECKOUT=true.'),
    ).toBe(false);
  });
});
