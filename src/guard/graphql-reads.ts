/**
 * Read-only GraphQL calls through `gh api graphql`. GraphQL sends every operation as a POST,
 * so the HTTP method says nothing about whether a call changes state. The operation type does:
 * a `query` (or the anonymous `{ … }` shorthand) reads, and a `mutation` writes.
 */
import type { SimpleCommand } from './shell.js';

const FIELD_OPTIONS = /^(?:-f|-F|--field|--raw-field)$/;
const VALUED_OPTIONS =
  /^(?:-f|-F|--field|--raw-field|-X|--method|-H|--header|-q|--jq|-t|--template|--hostname|-p|--preview|--cache|--input)$/;

/**
 * Checks whether a `gh api graphql` call sends only query documents: every `query=` field is
 * given inline, is a `query` operation or the shorthand, and names no mutation or
 * subscription. A document read from a file (`query=@file`, `--input`) is unknown, so it is
 * not a read.
 */
export function isGraphqlRead(command: SimpleCommand): boolean {
  const args = command.argv;
  if (command.name !== 'gh' || args[1] !== 'api' || command.dynamic) {
    return false;
  }
  const endpoint = args.find(
    (arg, index) => index >= 2 && arg === 'graphql' && !VALUED_OPTIONS.test(args[index - 1] ?? ''),
  );
  if (endpoint !== 'graphql' || args.includes('--input')) {
    return false;
  }
  const documents = args
    .filter((_arg, index) => FIELD_OPTIONS.test(args[index - 1] ?? ''))
    .filter((field) => field.startsWith('query='))
    .map((field) => field.slice('query='.length).trim());
  return (
    documents.length > 0 &&
    documents.every(
      (document) =>
        /^(?:\{|query\b)/.test(document) && !/\b(?:mutation|subscription)\b/.test(document),
    )
  );
}
