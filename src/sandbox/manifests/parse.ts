import { Composer, LineCounter, Parser, isMap, isSeq, type Document } from 'yaml';
import { SandstackError } from '../../core/errors.js';
import { isValidName } from '../../core/ids.js';
import {
  MANIFEST_KINDS,
  MANIFEST_VERSION,
  validateObject,
  type FieldProblem,
  type ManifestKind,
} from './schemas.js';

/** One validated object from a manifest file. */
export interface ManifestObject {
  /** Position of the document in the file, from 1. */
  index: number;
  kind: ManifestKind;
  name: string;
  namespace: string;
  /** The object with the schema's defaults applied. */
  object: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  /** Returns the 1-based line of a field path in the file, or of its nearest parent. */
  lineOf(path: readonly string[]): number | undefined;
}

/** One problem of one document, with where it is. */
export interface ManifestProblem {
  source: string;
  index: number;
  line: number | undefined;
  /** `SandboxWarmPool "python"`, or empty when the kind and name are not known. */
  object: string;
  path: readonly string[];
  message: string;
}

/** Largest number of documents, or of objects in `List`s, that one manifest may hold. */
export const MAX_MANIFEST_OBJECTS = 500;

/** `count` is left out when reading stopped at the first document past the limit. */
function tooManyObjects(source: string, count?: number): SandstackError {
  const held =
    count === undefined
      ? `more than the ${MAX_MANIFEST_OBJECTS} documents or objects one apply takes`
      : `${count} documents or objects, more than the ${MAX_MANIFEST_OBJECTS} one apply takes`;
  return new SandstackError(
    'INVALID_CONFIG',
    `${source} holds ${held}; split it into several files`,
  );
}

/**
 * Reads the YAML documents of `text` one at a time and stops past
 * {@link MAX_MANIFEST_OBJECTS}. Parsing runs on the caller's event loop, which a server
 * shares with every tenant, so a body of 40,000 small documents must not be read whole
 * before it is counted.
 */
function readDocuments(text: string, source: string, lineCounter: LineCounter): Document[] {
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer();
  const docs: Document[] = [];
  for (const document of composer.compose(parser.parse(text))) {
    docs.push(document);
    if (docs.length > MAX_MANIFEST_OBJECTS) {
      throw tooManyObjects(source);
    }
  }
  return docs;
}

/**
 * Parses a YAML stream of agent-sandbox objects (documents separated by `---`, or a `List`)
 * and validates each against the vendored CRD schemas. Every problem of every document is
 * collected before anything is applied.
 * @throws SandstackError `INVALID_CONFIG` listing each problem with its document, line,
 *   field path and fix
 */
export function parseManifests(text: string, source: string): ManifestObject[] {
  const lineCounter = new LineCounter();
  const docs = readDocuments(text, source, lineCounter);
  const objects: ManifestObject[] = [];
  const problems: ManifestProblem[] = [];
  let counted = 0;

  docs.forEach((document, position) => {
    const index = position + 1;
    const lineAt = (offset: number | undefined): number | undefined =>
      offset === undefined ? undefined : lineCounter.linePos(offset).line;
    const lineOf = (path: readonly string[]): number | undefined =>
      lineAt(nodeOffset(document, path));
    const syntax = document.errors[0];
    if (syntax !== undefined) {
      const line = lineAt(syntax.pos[0]);
      problems.push({
        source,
        index,
        line,
        object: '',
        path: [],
        message: `invalid YAML: ${syntax.message.split('\n')[0] ?? ''}`,
      });
      return;
    }
    let value: unknown;
    try {
      value = document.toJS();
    } catch (error) {
      // The yaml package stops on an alias bomb (a small document that expands to a huge
      // one) with "Excessive alias count indicates a resource exhaustion attack".
      problems.push({
        source,
        index,
        line: undefined,
        object: '',
        path: [],
        message: `invalid YAML: ${(error as Error).message}; write the values out instead of nesting aliases`,
      });
      return;
    }
    if (value === null || value === undefined) {
      return;
    }
    const items = listItems(value);
    counted += items.length;
    if (counted > MAX_MANIFEST_OBJECTS) {
      throw tooManyObjects(source, counted);
    }
    for (const item of items) {
      const result = checkObject(item.value, item.path);
      problems.push(
        ...result.problems.map((problem) => ({
          source,
          index,
          line: lineOf(problem.path),
          object: result.label ?? '',
          path: problem.path,
          message: problem.message,
        })),
      );
      if (result.object !== undefined) {
        objects.push({
          ...result.object,
          index,
          lineOf: (path) => lineOf([...item.path, ...path]),
        });
      }
    }
  });

  if (problems.length > 0) {
    throw manifestError(problems);
  }
  if (objects.length === 0) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `${source} holds no objects; give SandboxTemplate, SandboxWarmPool or SandboxClaim documents`,
    );
  }
  return objects;
}

/** Builds one error that lists problems found while checking or applying manifests. */
export function manifestError(problems: ManifestProblem[]): SandstackError {
  const lines = problems.map((problem) => {
    const where = `${problem.source}${problem.line === undefined ? '' : `:${problem.line}`}`;
    const field = problem.path.length === 0 ? '' : `${formatPath(problem.path)}: `;
    const object = problem.object === '' ? '' : `, ${problem.object}`;
    return `  ${where} (document ${problem.index}${object}) ${field}${problem.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new SandstackError(
    'INVALID_CONFIG',
    `Manifest has ${count}; nothing was applied:\n${lines.join('\n')}`,
    {
      details: { problems },
    },
  );
}

/** Formats a field path the way kubectl does: `spec.containers[0].image`. */
export function formatPath(path: readonly string[]): string {
  let text = '';
  for (const part of path) {
    if (/^\d+$/.test(part)) {
      text += `[${part}]`;
    } else {
      text += text === '' ? part : `.${part}`;
    }
  }
  return text;
}

/** Items of a `kind: List` with their paths, or the value itself. */
function listItems(value: unknown): { value: unknown; path: string[] }[] {
  const list = value as { kind?: unknown; items?: unknown };
  if (list.kind === 'List' && Array.isArray(list.items)) {
    return list.items.map((item, position) => ({ value: item, path: ['items', String(position)] }));
  }
  return [{ value, path: [] }];
}

interface CheckResult {
  label?: string;
  object?: Omit<ManifestObject, 'index' | 'lineOf'>;
  problems: FieldProblem[];
}

function checkObject(value: unknown, base: string[]): CheckResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      problems: [
        { path: base, message: 'must be a mapping with apiVersion, kind, metadata and spec' },
      ],
    };
  }
  const item = value as Record<string, unknown>;
  const kindProblem = checkKind(item);
  if (kindProblem !== undefined) {
    return { problems: [{ path: [...base, ...kindProblem.path], message: kindProblem.message }] };
  }
  const kind = item.kind as ManifestKind;
  const metadata = (item.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const label = `${kind} "${name}"`;
  const problems = validateObject(kind, item).map((problem) => ({
    ...problem,
    path: [...base, ...problem.path],
  }));
  if (!isValidName(name)) {
    problems.unshift({
      path: [...base, 'metadata', 'name'],
      message:
        name === ''
          ? 'required field is missing'
          : `invalid name "${name}"; use 1-63 letters, digits, ".", "_" or "-"`,
    });
  }
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  if (problems.length > 0) {
    return { label, problems };
  }
  const object = item as ManifestObject['object'];
  return { label, object: { kind, name, namespace, object }, problems };
}

function checkKind(item: Record<string, unknown>): FieldProblem | undefined {
  const kinds = Object.keys(MANIFEST_KINDS).join(', ');
  if (typeof item.kind !== 'string') {
    return { path: ['kind'], message: `required field is missing; use one of ${kinds}` };
  }
  const known = MANIFEST_KINDS[item.kind as ManifestKind] as { group: string } | undefined;
  if (known === undefined) {
    return { path: ['kind'], message: `unsupported kind "${item.kind}"; use one of ${kinds}` };
  }
  const expected = `${known.group}/${MANIFEST_VERSION}`;
  if (item.apiVersion !== expected) {
    const fix =
      item.apiVersion === `${known.group}/v1alpha1`
        ? ' (v1alpha1 is deprecated upstream; convert the object to v1beta1)'
        : '';
    return {
      path: ['apiVersion'],
      message: `unsupported apiVersion ${JSON.stringify(item.apiVersion)} for ${item.kind}; use ${expected}${fix}`,
    };
  }
  return undefined;
}

/** Offset of the node at `path`, or of its nearest existing parent. */
function nodeOffset(document: Document, path: readonly string[]): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const keys = path.slice(0, length).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    const node = keys.length === 0 ? document.contents : document.getIn(keys, true);
    if (
      isMap(node) ||
      isSeq(node) ||
      (typeof node === 'object' && node !== null && 'range' in node)
    ) {
      const range = (node as { range?: [number, number, number] | null }).range;
      if (range !== undefined && range !== null) {
        return range[0];
      }
    }
  }
  return undefined;
}
