/**
 * Reads a `find` expression as a tree of `-o` and `-a` so a delete can be judged by what it
 * selects: `find . -type d \( -name __pycache__ -o -name .pytest_cache \) -prune -exec rm -rf
 * {} +` removes only folders named `__pycache__` or `.pytest_cache`, while `find . -name
 * '*.log' -o -type f -delete` removes every file.
 */
import { requestsVerb } from './consent.js';
import { findRoots } from './cleanup.js';
import type { SimpleCommand } from './shell.js';

type FindNode =
  | { kind: 'or' | 'and'; children: FindNode[] }
  | { kind: 'name'; pattern: string }
  | { kind: 'filter' }
  | { kind: 'delete' };

/** Tests that only narrow the selection and take one value. */
const VALUE_FILTERS = new Set([
  '-type',
  '-maxdepth',
  '-mindepth',
  '-mtime',
  '-mmin',
  '-size',
  '-path',
  '-ipath',
  '-newer',
]);
/** Tests and actions that take no value and never widen a selection. */
const PLAIN_FILTERS = new Set(['-prune', '-depth', '-xdev', '-empty', '-print', '-print0']);

/** Parses `find` arguments after the roots, or returns undefined for anything not covered. */
function parseExpression(args: readonly string[]): FindNode | undefined {
  let at = 0;
  const parseOr = (): FindNode | undefined => {
    const children: FindNode[] = [];
    for (;;) {
      const child = parseAnd();
      if (child === undefined) {
        return undefined;
      }
      children.push(child);
      if (args[at] !== '-o' && args[at] !== '-or') {
        return { kind: 'or', children };
      }
      at += 1;
    }
  };
  const parseAnd = (): FindNode | undefined => {
    const children: FindNode[] = [];
    while (at < args.length && ![')', '-o', '-or'].includes(args[at] ?? '')) {
      if (args[at] === '-a' || args[at] === '-and') {
        at += 1;
        continue;
      }
      const child = parsePrimary();
      if (child === undefined) {
        return undefined;
      }
      children.push(child);
    }
    return children.length === 0 ? undefined : { kind: 'and', children };
  };
  const parsePrimary = (): FindNode | undefined => {
    const arg = args[at] ?? '';
    at += 1;
    if (arg === '(') {
      const inner = parseOr();
      if (inner === undefined || args[at] !== ')') {
        return undefined;
      }
      at += 1;
      return inner;
    }
    if (arg === '-name' || arg === '-iname') {
      const pattern = args[at];
      at += 1;
      return pattern === undefined ? undefined : { kind: 'name', pattern };
    }
    if (VALUE_FILTERS.has(arg)) {
      at += 1;
      return at <= args.length ? { kind: 'filter' } : undefined;
    }
    if (PLAIN_FILTERS.has(arg)) {
      return { kind: 'filter' };
    }
    if (arg === '-delete') {
      return { kind: 'delete' };
    }
    if (arg === '-exec' || arg === '-execdir') {
      const end = args.findIndex((word, index) => index > at && (word === ';' || word === '+'));
      const program = args.slice(at, end < 0 ? undefined : end);
      at = end < 0 ? args.length : end + 1;
      // Only `rm` of the matched path itself; another program or argument could reach more.
      const removes =
        program[0] === 'rm' &&
        program.includes('{}') &&
        program.slice(1).every((word) => word === '{}' || /^-[rRfdv]+$|^--$/.test(word));
      return removes ? { kind: 'delete' } : undefined;
    }
    // `!`, `-not`, `-regex` and the rest are not covered.
    return undefined;
  };
  const tree = parseOr();
  return tree !== undefined && at === args.length ? tree : undefined;
}

function containsDelete(node: FindNode): boolean {
  return node.kind === 'delete' || ('children' in node && node.children.some(containsDelete));
}

/**
 * Returns the name patterns that bound every file the delete actions of `node` reach, or
 * undefined when some reached file is bound by no name. An `and` is bound by any of its name
 * tests before the delete, and an `or` branch that deletes must be bound on its own.
 */
function deletedNames(node: FindNode, bound: readonly string[] = []): string[] | undefined {
  if (node.kind === 'delete') {
    return bound.length > 0 ? [...bound] : undefined;
  }
  if (node.kind === 'or') {
    const names: string[] = [];
    for (const child of node.children.filter(containsDelete)) {
      const found = deletedNames(child, bound);
      if (found === undefined) {
        return undefined;
      }
      names.push(...found);
    }
    return names;
  }
  if (node.kind === 'and') {
    const names: string[] = [];
    let current = [...bound];
    for (const child of node.children) {
      if (containsDelete(child)) {
        const found = deletedNames(child, current);
        if (found === undefined) {
          return undefined;
        }
        names.push(...found);
      } else {
        current = [...current, ...boundNames(child)];
      }
    }
    return names;
  }
  return [];
}

/**
 * Returns the patterns of which a file passing `node` must match one, or an empty list when
 * `node` does not bound files by name.
 */
function boundNames(node: FindNode): string[] {
  if (node.kind === 'name') {
    return [node.pattern];
  }
  if (node.kind === 'or') {
    const branches = node.children.map(boundNames);
    return branches.every((branch) => branch.length > 0) ? branches.flat() : [];
  }
  if (node.kind === 'and') {
    // Any name test of a conjunction bounds it. Using one keeps the list exact.
    return node.children.map(boundNames).find((names) => names.length > 0) ?? [];
  }
  return [];
}

/**
 * Returns the name patterns a `find -delete` or `find -exec rm` removes, or undefined when
 * some file it removes is selected by no name test or the expression is not covered.
 */
export function findDeletedNames(command: SimpleCommand): string[] | undefined {
  if (command.name !== 'find' || command.dynamic || command.wrappers.length > 0) {
    return undefined;
  }
  const tree = parseExpression(command.argv.slice(1 + findRoots(command).length));
  if (tree === undefined || !containsDelete(tree)) {
    return undefined;
  }
  const names = deletedNames(tree);
  return names === undefined || names.length === 0 ? undefined : names;
}

/** Verbs that ask to remove files or folders. */
const REMOVE_VERBS = String.raw`delet\w*|remov\w*|clean\w*|clear\w*|purg\w*|wip\w*|nuke\w*|get rid of|throw\w* away|drop\w*|prun\w*`;

/** Returns the letters and digits of a name pattern, so `'__pycache__'` and "pycache" compare equal. */
function literal(text: string): string {
  return text.replace(/[^a-z0-9]/gi, '').toLowerCase();
}

/**
 * Checks that every `find` delete in `commands` removes only files and folders whose names the
 * user named in one request to remove them, inside the project. "Clear the __pycache__ and
 * .pytest_cache folders" names both patterns of the tree above. A bare extension pattern such
 * as `*.log` is named by its extension ("the .log files").
 */
export function deletesRequestedNames(
  commands: readonly SimpleCommand[],
  messages: string,
  isProjectPath: (root: string) => boolean,
): boolean {
  const requests = requestsVerb(REMOVE_VERBS, messages).map((request) => literal(request));
  return (
    commands.length > 0 &&
    requests.length > 0 &&
    commands.every((command) => {
      const names = findDeletedNames(command);
      return (
        names !== undefined &&
        findRoots(command).every((root) => !root.includes('..') && isProjectPath(root)) &&
        names.every((name) => {
          const letters = literal(name);
          return letters.length >= 3 && requests.some((request) => request.includes(letters));
        })
      );
    })
  );
}
