/**
 * Shell functions a command line defines and calls. Bash runs a function's body at each call,
 * with the call's arguments as `$1…` and `$@` and the variables set before the call, so the
 * parser judges the body at each call it can see in the same way.
 */
import type { Node } from 'web-tree-sitter';
import type { ConstantVariable, WordValue } from './shell-words.js';

/** Function definitions of one tree, by name. */
export type FunctionDefinitions = Map<string, Node[]>;

/** The function call whose body is being judged, with its arguments. */
export interface FunctionCall {
  /** Id of the `function_definition` node that runs. */
  definition: number;
  /** The call's arguments, or undefined when one is dynamic or the body changes them. */
  args: string[] | undefined;
}

/** `f()`, `f ()` or `function f`: text that may define a function. */
const MAY_DEFINE = /\(\s*\)|\bfunction\b/;

/** Returns the functions `root` defines, or undefined when it defines none. */
export function functionDefinitions(root: Node, source: string): FunctionDefinitions | undefined {
  if (!MAY_DEFINE.test(source)) {
    return undefined;
  }
  let definitions: FunctionDefinitions | undefined;
  for (const node of root.descendantsOfType('function_definition')) {
    const name = node?.childForFieldName('name')?.text;
    if (node === null || name === undefined) {
      continue;
    }
    definitions ??= new Map();
    definitions.set(name, [...(definitions.get(name) ?? []), node]);
  }
  return definitions;
}

/**
 * The way the calls of one function appear in the line. `hidden`: the name also appears other
 * than where it is defined or called by name, as in `trap f EXIT`, `eval f` or `bash -c f`,
 * and such calls are not followed. `calls`: every call comes after the last definition and
 * outside any function body, so walking the body at each call covers every run of it.
 * `visible`: anything else, where the body is also walked where it is defined.
 */
export function functionCalls(
  name: string,
  root: Node,
  definitions: readonly Node[],
): 'hidden' | 'calls' | 'visible' {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mentions = root.text.match(new RegExp(`(?<![\\w.-])${escaped}(?![\\w.-])`, 'g'));
  const lastEnd = Math.max(...definitions.map((definition) => definition.endIndex));
  let calls = 0;
  let covered = true;
  for (const command of root.descendantsOfType('command_name')) {
    if (command?.text !== name) {
      continue;
    }
    calls += 1;
    covered &&= command.startIndex > lastEnd && !insideFunction(command);
  }
  if ((mentions?.length ?? 0) > definitions.length + calls) {
    return 'hidden';
  }
  return covered && calls > 0 ? 'calls' : 'visible';
}

function insideFunction(node: Node): boolean {
  for (let parent = node.parent; parent !== null; parent = parent.parent) {
    if (parent.type === 'function_definition') {
      return true;
    }
  }
  return false;
}

/**
 * `shift`, `set` with operands and `getopts`, after which `$1…` may not be the call's arguments,
 * and `${@:N}` slices, which are not computed: the body then gets unknown arguments.
 */
const CHANGES_ARGUMENTS = /\bshift\b|\bset\s+[^\s;&|]|\bgetopts\b|\$\{[@*]:/;

/** Returns the call of `definition` with `words[1…]` as its arguments. */
export function functionCall(definition: Node, words: readonly WordValue[]): FunctionCall {
  const args = words.slice(1);
  const known =
    args.every((word) => !word.dynamic) && !CHANGES_ARGUMENTS.test(definition.text)
      ? args.map((word) => word.text)
      : undefined;
  return { definition: definition.id, args: known };
}

/**
 * Returns the variables a function body sees when called at `offset`: each value set before
 * the call on the line, visible everywhere in the body, and the body's own values as they
 * are. Values set after the call are left out.
 */
export function callVariables(
  variables: ReadonlyMap<string, ConstantVariable> | undefined,
  offset: number,
): Map<string, ConstantVariable> {
  const visible = new Map<string, ConstantVariable>();
  for (const [name, known] of variables ?? []) {
    if (known.scopeEnd !== undefined) {
      visible.set(name, known);
    } else if (known.from <= offset && name !== '@') {
      // A conditional value is certain in the body when the call is in its certain region.
      const certain = known.conditional === true && offset < (known.certainEnd ?? 0);
      visible.set(name, {
        ...known,
        from: 0,
        conditional: certain ? undefined : known.conditional,
        certainEnd: undefined,
      });
    }
  }
  return visible;
}
