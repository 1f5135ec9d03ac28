import { describe, expect, it } from 'vitest';
import { isSandstackError } from '../../core/errors.js';
import { MAX_MANIFEST_OBJECTS, parseManifests } from './parse.js';

/** A document whose nine levels of aliases expand to 10^9 strings. */
const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
  ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
    (name, index) =>
      `${name}: &${name} [${Array(10)
        .fill(`*${String.fromCharCode(97 + index)}`)
        .join(',')}]`,
  ),
].join('\n');

describe('parseManifests', () => {
  it('rejects an alias bomb as invalid YAML', () => {
    let error: unknown;
    try {
      parseManifests(ALIAS_BOMB, 'bomb.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain('bomb.yaml');
    expect((error as Error).message).toContain('invalid YAML: Excessive alias count');
  });

  const template = (name: string): string =>
    `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata:
  name: ${name}
spec:
  podTemplate:
    spec:
      containers:
        - name: runtime
          image: debian:12
`;

  const errorOf = (text: string): Error => {
    try {
      parseManifests(text, 'many.yaml');
    } catch (caught) {
      return caught as Error;
    }
    throw new Error('expected parseManifests to throw');
  };

  it('rejects too many documents', () => {
    const names = Array.from({ length: MAX_MANIFEST_OBJECTS + 1 }, (_, index) => `t${index}`);
    const error = errorOf(names.map(template).join('---\n'));
    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    expect(error.message).toContain(
      `many.yaml holds more than the ${MAX_MANIFEST_OBJECTS} documents or objects one apply takes`,
    );
  });

  it('rejects a List of too many objects', () => {
    const items = Array.from({ length: MAX_MANIFEST_OBJECTS + 1 }, (_, index) =>
      JSON.stringify({
        apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
        kind: 'SandboxTemplate',
        metadata: { name: `t${index}` },
        spec: { podTemplate: { spec: { containers: [{ name: 'runtime', image: 'debian:12' }] } } },
      }),
    );
    const error = errorOf(`{"apiVersion": "v1", "kind": "List", "items": [${items.join(',')}]}`);
    expect(error.message).toContain('split it into several files');
  });

  it('takes the largest allowed manifest', () => {
    const names = Array.from({ length: MAX_MANIFEST_OBJECTS }, (_, index) => `t${index}`);
    expect(parseManifests(names.map(template).join('---\n'), 'many.yaml')).toHaveLength(
      MAX_MANIFEST_OBJECTS,
    );
  });
});
