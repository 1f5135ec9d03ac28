/**
 * Every file-editing tool as the single Edit calls it amounts to. MultiEdit applies a list of
 * replacements to one file, and NotebookEdit puts a cell's source into a notebook, so each
 * replacement and each cell source is judged with the same checks as an Edit of that file.
 */
import type { ToolCall } from './types.js';

/**
 * Returns the Edit calls that `call` amounts to: one per replacement of a MultiEdit, one with
 * the cell source of a NotebookEdit, and none for other tools.
 */
export function singleEdits(call: ToolCall): ToolCall[] {
  if (call.tool === 'MultiEdit') {
    const edits = Array.isArray(call.input['edits']) ? (call.input['edits'] as unknown[]) : [];
    return edits.map((edit) => ({
      tool: 'Edit',
      input: {
        file_path: call.input['file_path'],
        old_string: stringField(edit, 'old_string'),
        new_string: stringField(edit, 'new_string'),
      },
    }));
  }
  if (call.tool === 'NotebookEdit') {
    const source = call.input['new_source'];
    return typeof source === 'string'
      ? [
          {
            tool: 'Edit',
            input: { file_path: call.input['notebook_path'], old_string: '', new_string: source },
          },
        ]
      : [];
  }
  return [];
}

function stringField(value: unknown, key: string): string {
  const field =
    typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)[key]
      : undefined;
  return typeof field === 'string' ? field : '';
}
