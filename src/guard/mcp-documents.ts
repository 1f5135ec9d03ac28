/**
 * Consent to an MCP write whose argument is a document the server applies whole: a Kubernetes
 * manifest ("apply a network policy in staging that lets app=worker pods reach redis") or a
 * Vault ACL policy ("fix the policy so it can read exactly secret/app/staging/db"). The request
 * must name the kind of document, where it goes, and everything the document opens up: the
 * pods a network policy lets in, the paths and capabilities a Vault policy grants. Documents
 * that run code or grant more than the request names (workloads, RBAC, Secrets, open ingress,
 * glob paths, write capabilities) are not covered and stay with the other checks.
 */
import { parseAllDocuments } from 'yaml';
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { namesResource } from './resource-consent.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Request verbs that ask to apply or create a manifest. */
const APPLY_VERBS = String.raw`appl\w*|creat\w*|add\w*|deploy\w*|set\w* up|put\w* in`;
/** Arguments that carry a Kubernetes manifest. */
const MANIFEST_KEY = /^(?:manifest|yaml|resource|content|body)$/i;

/**
 * ConfigMaps that Kubernetes or its add-ons own: CoreDNS's resolver settings, the cluster CA
 * bundles (`kube-root-ca.crt`), `aws-auth`, `cluster-info`. Changing one changes how the whole
 * cluster resolves names or whom it trusts, so a request to create a ConfigMap never covers it.
 */
const SYSTEM_CONFIG_MAP =
  /^(?:kube-.*|coredns.*|.*\.crt|.*-ca|aws-auth|cluster-info|extension-apiserver-authentication)$/;
/** Namespaces of the control plane and its add-ons. */
const SYSTEM_NAMESPACE = /^(?:kube-system|kube-public|kube-node-lease)$/;

/** Returns the words of a kind, as `network policy` for `NetworkPolicy`. */
function kindWords(kind: string): string {
  return kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Reads a value at `path` of a parsed YAML object. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Returns the `matchLabels` values of a selector, or undefined when it selects otherwise. */
function labelValues(selector: unknown): string[] | undefined {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) {
    return undefined;
  }
  const keys = Object.keys(selector);
  const labels = at(selector, 'matchLabels');
  if (keys.some((key) => key !== 'matchLabels') || typeof labels !== 'object' || labels === null) {
    return undefined;
  }
  const values = Object.values(labels);
  return values.length > 0 && values.every((value) => typeof value === 'string')
    ? (values as string[])
    : undefined;
}

/**
 * Returns the label values a NetworkPolicy selects, or undefined when it lets in more than
 * pods chosen by labels: an ipBlock, a namespaceSelector, an empty peer or rule, or egress.
 */
function networkPolicyLabels(spec: unknown): string[] | undefined {
  const selected = labelValues(at(spec, 'podSelector'));
  const ingress = at(spec, 'ingress');
  const types = at(spec, 'policyTypes');
  if (
    selected === undefined ||
    !Array.isArray(ingress) ||
    at(spec, 'egress') !== undefined ||
    (types !== undefined && JSON.stringify(types) !== '["Ingress"]')
  ) {
    return undefined;
  }
  const labels = [...selected];
  for (const rule of ingress) {
    const peers = at(rule, 'from');
    if (!Array.isArray(peers) || peers.length === 0) {
      return undefined;
    }
    for (const peer of peers) {
      const keys = typeof peer === 'object' && peer !== null ? Object.keys(peer) : [];
      const values = labelValues(at(peer, 'podSelector'));
      if (keys.length !== 1 || values === undefined) {
        return undefined;
      }
      labels.push(...values);
    }
  }
  return labels;
}

/**
 * Returns the values a request must name for one manifest document to be what it asks for,
 * or undefined for a kind this module does not cover. A ConfigMap's keys and values, and the
 * pods a NetworkPolicy selects and lets in, are what the document changes.
 */
function describedValues(document: unknown): string[] | undefined {
  const kind = at(document, 'kind');
  if (kind === 'NetworkPolicy') {
    return networkPolicyLabels(at(document, 'spec'));
  }
  if (kind === 'ConfigMap') {
    const data = at(document, 'data');
    if (typeof data !== 'object' || data === null || at(document, 'binaryData') !== undefined) {
      return undefined;
    }
    const entries = Object.entries(data);
    return entries.every(([, value]) => typeof value === 'string' && !value.includes('\n'))
      ? entries.flat().map(String)
      : undefined;
  }
  return undefined;
}

/**
 * Checks that an MCP apply of a Kubernetes manifest is what a request asks for: each document
 * is a NetworkPolicy or ConfigMap in a namespace the request names, the request names its kind,
 * and the user's messages name every value the document selects or sets (see
 * {@link describedValues}). A ConfigMap must also be the one the request names, and neither it
 * nor its namespace may belong to the cluster itself. A namespace argument of the call must be the manifest's namespace.
 */
export function appliesRequestedManifest(call: ToolCall, messages: string): boolean {
  const words = toolWords(call.tool);
  if (!words.some((word) => word === 'apply' || word === 'create')) {
    return false;
  }
  const entries = Object.entries(call.input);
  const manifest = entries.find(
    ([key, value]) => MANIFEST_KEY.test(key) && typeof value === 'string',
  )?.[1];
  if (typeof manifest !== 'string' || !/^\s*apiVersion:|\nkind:/m.test(manifest)) {
    return false;
  }
  let documents: unknown[];
  try {
    const parsed = parseAllDocuments(manifest);
    if (!Array.isArray(parsed) || parsed.some((document) => document.errors.length > 0)) {
      return false;
    }
    documents = parsed.map((document) => document.toJS() as unknown);
  } catch {
    return false;
  }
  const requests = requestsVerb(APPLY_VERBS, messages);
  return (
    documents.length > 0 &&
    documents.every((document) => {
      const namespace = at(document, 'metadata', 'namespace');
      const kind = at(document, 'kind');
      const name = at(document, 'metadata', 'name');
      const values = describedValues(document);
      return (
        typeof namespace === 'string' &&
        typeof kind === 'string' &&
        values !== undefined &&
        !SYSTEM_NAMESPACE.test(namespace) &&
        // A ConfigMap is whole-replaced by name, so the request must name the one it writes.
        (kind !== 'ConfigMap' ||
          (typeof name === 'string' &&
            !SYSTEM_CONFIG_MAP.test(name) &&
            requests.some((request) => namesResource(request, name)))) &&
        entries.every(
          ([key, value]) => MANIFEST_KEY.test(key) || (key === 'namespace' && value === namespace),
        ) &&
        values.every((value) => containsWord(messages, value)) &&
        requests.some(
          (request) =>
            containsWord(request, namespace) &&
            (containsWord(request, kindWords(kind)) || containsWord(request, kind)),
        )
      );
    })
  );
}

/** Vault's API paths of ACL policies: `sys/policy/NAME` and `sys/policies/acl/NAME`. */
const POLICY_PATH = /^\/?(?:v1\/)?sys\/(?:policy|policies\/acl)\/([\w.-]+)$/;
/** One `path "…" { capabilities = [...] }` stanza of a policy in HCL. */
const PATH_STANZA = /path\s+"([^"*+]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g;
/** Capabilities a request grants by its own words; anything wider is left to a human. */
const READ_CAPABILITIES = new Map([
  ['read', /\bread\w*\b/i],
  ['list', /\blist\w*\b/i],
]);
/** Words by which a request limits a policy to what it names, so the policy may replace the old one. */
const ONLY = /\b(?:exactly|only|nothing else|just)\b/i;
/** Request verbs that ask to write a policy. */
const POLICY_VERBS = String.raw`fix\w*|updat\w*|writ\w*|creat\w*|set\w*|chang\w*|grant\w*|give\w*|add\w*|let\w*|allow\w*|restrict\w*|limit\w*`;

/** Checks that `text` names a Vault path, or the path without the `data/` a KV v2 engine adds. */
function namesVaultPath(text: string, path: string): boolean {
  const logical = path.replace(/^([\w-]+)\/(?:data|metadata)\//, '$1/');
  return namesResource(text, path) || namesResource(text, logical);
}

/**
 * Checks that an MCP write of a Vault ACL policy is what a request asks for: the policy's name
 * is described by the messages, every path it grants is one the messages name (without globs),
 * every capability is `read` or `list` and asked for, and a request to change the policy says it
 * grants only that ("exactly that path, nothing else"), since a write replaces the whole policy.
 */
export function writesRequestedVaultPolicy(call: ToolCall, messages: string): boolean {
  const path = call.input['path'];
  const name = typeof path === 'string' ? POLICY_PATH.exec(path)?.[1] : undefined;
  const data = call.input['data'];
  const policy = at(data, 'policy') ?? call.input['policy'];
  if (
    name === undefined ||
    typeof policy !== 'string' ||
    !Object.keys(call.input).every((key) => key === 'path' || key === 'data' || key === 'policy') ||
    (typeof data === 'object' && data !== null && Object.keys(data).some((key) => key !== 'policy'))
  ) {
    return false;
  }
  const stanzas = [...policy.matchAll(PATH_STANZA)];
  const rest = policy.replace(PATH_STANZA, '').replace(/#[^\n]*/g, '');
  if (stanzas.length === 0 || rest.trim() !== '') {
    return false;
  }
  const requests = requestsVerb(POLICY_VERBS, messages).filter(
    (request) => /\bpolic(?:y|ies)\b/i.test(request) && ONLY.test(request),
  );
  const words = new Set(messages.toLowerCase().match(/[a-z0-9]+/g));
  return (
    name
      .toLowerCase()
      .split(/[-_.]+/)
      .every((part) => words.has(part)) &&
    requests.some((request) =>
      stanzas.every(([, granted = '', list = '']) => {
        const capabilities = list.split(',').map((each) => each.trim().replace(/^"|"$/g, ''));
        return (
          namesVaultPath(messages, granted) &&
          capabilities.every(
            (capability) => READ_CAPABILITIES.get(capability)?.test(request) === true,
          )
        );
      }),
    )
  );
}
