/**
 * The place of each statement of a command line relative to the rest of the line: in the current
 * shell one after another (top level, `{ …; }` groups, `! X`, the first `if` condition, a
 * `case` arm that a constant word selects), on only some paths (after `||`, in branches
 * and loop bodies), or inside a function body. Variables set by a statement flow to the
 * statements after it only from these places. Statements in pipelines, subshells and
 * substitutions get no place, because their values stay in their own process.
 */
import type { Node } from 'web-tree-sitter';
import { patternSource } from './computed-values.js';
import { wordValue, type WordContext } from './shell-words.js';

/** The place of a statement, which decides whether its values reach the statements after it. */
export interface StatementPlace {
  /** True when the statement runs on only some paths, so a value it sets may be missing after it. */
  conditional: boolean;
  /**
   * For a conditional statement, the end offset of the region that runs only after it, as the
   * rest of its branch: uses there always see its value.
   */
  certainEnd?: number;
  /** End offset of the function body the statement is in: its values are visible only inside. */
  scopeEnd?: number;
  /** True for the arms of a `case` that its constant word does not select, which never run. */
  never?: boolean;
}

/** A statement and its place. */
export interface PlacedStatement {
  node: Node;
  place: StatementPlace;
}

const CERTAIN: StatementPlace = { conditional: false };

/** Returns every statement of `root` that has a place, in the order of the text. */
export function placedStatements(root: Node, state: WordContext): PlacedStatement[] {
  const placed: PlacedStatement[] = [];
  for (const child of root.namedChildren) {
    if (child !== null) {
      visitStatement(child, CERTAIN, state, placed);
    }
  }
  return placed;
}

/** Returns `place` for the statements of a branch that ends at `end`, which may not run. */
function conditionalPlace(place: StatementPlace, end: number): StatementPlace {
  return { ...place, conditional: true, certainEnd: end };
}

/** Returns the end of the statements `nodes` as a branch. */
function branchEnd(nodes: readonly (Node | null)[]): number {
  return nodes.reduce((end, node) => Math.max(end, node?.endIndex ?? 0), 0);
}

function visitChildren(
  nodes: (Node | null)[],
  place: StatementPlace,
  state: WordContext,
  placed: PlacedStatement[],
): void {
  for (const child of nodes) {
    if (child !== null && child.type !== 'comment') {
      visitStatement(child, place, state, placed);
    }
  }
}

/** Visits the statements of a branch or loop body, which may not run. */
function visitBranch(
  nodes: (Node | null)[],
  place: StatementPlace,
  state: WordContext,
  placed: PlacedStatement[],
): void {
  visitChildren(nodes, conditionalPlace(place, branchEnd(nodes)), state, placed);
}

function visitStatement(
  node: Node,
  place: StatementPlace,
  state: WordContext,
  placed: PlacedStatement[],
): void {
  switch (node.type) {
    case 'list': {
      // In `a || b` the right side runs only when the left one fails.
      // NOTE: the right side of `&&` is read as always running, as before values were judged
      // both ways: `cd x && v=w; use $v` sees w even though a failed `cd` leaves v unset.
      const [first, ...rest] = node.namedChildren;
      visitChildren([first ?? null], place, state, placed);
      const both = node.child(1)?.type === '&&' ? place : conditionalPlace(place, node.endIndex);
      visitChildren(rest, both, state, placed);
      return;
    }
    case 'compound_statement':
    case 'negated_command':
      visitChildren(node.namedChildren, place, state, placed);
      return;
    case 'redirected_statement': {
      placed.push({ node, place });
      const body = node.firstNamedChild;
      if (body !== null && body.type !== 'command') {
        visitStatement(body, place, state, placed);
      }
      return;
    }
    case 'if_statement':
      visitIf(node, place, state, placed);
      return;
    case 'while_statement':
    case 'until_statement':
      // The condition runs at least once; the body may not run at all.
      visitChildren(node.childrenForFieldName('condition'), place, state, placed);
      visitBranch(node.childForFieldName('body')?.namedChildren ?? [], place, state, placed);
      return;
    case 'for_statement':
    case 'c_style_for_statement':
      visitBranch(node.childForFieldName('body')?.namedChildren ?? [], place, state, placed);
      return;
    case 'case_statement':
      visitCase(node, place, state, placed);
      return;
    case 'function_definition': {
      const body = node.childForFieldName('body');
      if (body?.type === 'compound_statement') {
        const scope = { conditional: false, scopeEnd: body.endIndex };
        visitChildren(body.namedChildren, scope, state, placed);
      }
      return;
    }
    default:
      placed.push({ node, place });
  }
}

/** Only the first condition of an `if` always runs. */
function visitIf(
  node: Node,
  place: StatementPlace,
  state: WordContext,
  placed: PlacedStatement[],
): void {
  const conditions = new Set(node.childrenForFieldName('condition').map((child) => child?.id));
  const body: Node[] = [];
  for (const child of node.namedChildren) {
    if (child === null || child.type === 'comment') {
      continue;
    }
    if (conditions.has(child.id)) {
      visitStatement(child, place, state, placed);
    } else if (child.type === 'elif_clause' || child.type === 'else_clause') {
      visitBranch(child.namedChildren, place, state, placed);
    } else {
      body.push(child);
    }
  }
  visitBranch(body, place, state, placed);
}

/**
 * Visits the arms of a `case`. On a constant word bash runs the first arm whose pattern
 * matches it and no other, when that arm ends with `;;`. Otherwise every arm is conditional.
 */
function visitCase(
  node: Node,
  place: StatementPlace,
  state: WordContext,
  placed: PlacedStatement[],
): void {
  const items = node.namedChildren.filter((child) => child?.type === 'case_item');
  const selected = selectedArm(node, items, state);
  for (const item of items) {
    if (item === null) {
      continue;
    }
    const patterns = new Set(item.childrenForFieldName('value').map((child) => child?.id));
    const statements = item.namedChildren.filter(
      (child) => child !== null && !patterns.has(child.id),
    );
    const armPlace =
      selected === undefined
        ? conditionalPlace(place, branchEnd(statements))
        : item.id === selected?.id
          ? place
          : { ...place, never: true };
    visitChildren(statements, armPlace, state, placed);
  }
}

/**
 * Returns the arm a constant case word selects, null when no arm matches, or undefined when
 * that cannot be computed: a dynamic word or pattern, or an arm that falls through.
 */
function selectedArm(
  node: Node,
  items: (Node | null)[],
  state: WordContext,
): Node | null | undefined {
  const valueNode = node.childForFieldName('value');
  const value = valueNode === null ? undefined : wordValue(valueNode, state);
  if (value === undefined || value.dynamic) {
    return undefined;
  }
  for (const item of items) {
    if (item === null || item.childForFieldName('fallthrough') !== null) {
      return undefined;
    }
    for (const pattern of item.childrenForFieldName('value')) {
      const source = pattern === null ? undefined : patternSource(pattern.text);
      if (source === undefined) {
        return undefined;
      }
      if (new RegExp(`^(?:${source})$`).test(value.text)) {
        return item;
      }
    }
  }
  return null;
}
