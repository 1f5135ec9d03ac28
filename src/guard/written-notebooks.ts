/**
 * Code cells written into a Jupyter notebook, as a command line the Bash checks can judge.
 * A cell runs when the user runs the notebook, with the user's files and network, so a cell
 * that reads credentials or sends data out is as dangerous as the same code run now.
 * IPython runs a line that starts with `!` (and `%sx`, `%system`) in a shell, and a cell that
 * starts with `%%bash`, `%%sh` or `%%script bash` as a shell script. `%%writefile PATH` writes
 * the rest of the cell to PATH. Other code is Python.
 */
import path from 'node:path';
import type { ToolCall } from './types.js';

/** Cell magics whose body is a shell script. */
const SHELL_CELL = /^%%(?:bash|sh|script\s+(?:ba|z|da|k)?sh)\b/;
/** Cell magics whose body runs elsewhere (the browser) or is not code. */
const NON_CODE_CELL = /^%%(?:html|markdown|latex|svg|javascript|js|capture\b\s*$)/;
/** Line magics that run the rest of the line in a shell. */
const SHELL_LINE = /^\s*(?:!|%sx\s|%system\s|%%?bash\s)/;
/** Line magics that call pip or conda, as `%pip install pandas`. */
const INSTALL_LINE = /^\s*%(pip|conda|mamba|uv)\s/;
/** Kernel languages whose code cells are Python. */
const PYTHON_KERNELS = /^(?:python\d?|ipython\d?)$/i;

/** A notebook cell's source and kind. */
interface Cell {
  type: string;
  source: string;
}

/**
 * Returns the command line that the code cells written by `call` amount to: a NotebookEdit's
 * code cell, or every code cell of a `.ipynb` file written with Write. Returns undefined for
 * other calls, for markdown cells and for notebooks the guard cannot read as JSON.
 */
export function notebookCommand(call: ToolCall): string | undefined {
  const cells = writtenCells(call);
  if (cells === undefined) {
    return undefined;
  }
  const commands = cells.cells
    .filter((cell) => cell.type === 'code' && cell.source.trim() !== '')
    .map((cell) => cellCommand(cell.source, cells.python))
    .filter((command) => command !== '');
  return commands.length === 0 ? undefined : commands.join('\n');
}

function writtenCells(call: ToolCall): { cells: Cell[]; python: boolean } | undefined {
  if (call.tool === 'NotebookEdit') {
    const source = call.input['new_source'];
    const type = call.input['cell_type'];
    if (typeof source !== 'string' || call.input['edit_mode'] === 'delete') {
      return undefined;
    }
    // A replaced cell keeps its type when none is given, which is code in most notebooks.
    return { cells: [{ type: typeof type === 'string' ? type : 'code', source }], python: true };
  }
  const file = call.input['file_path'];
  const content = call.input['content'];
  if (
    call.tool !== 'Write' ||
    typeof file !== 'string' ||
    typeof content !== 'string' ||
    path.posix.extname(file).toLowerCase() !== '.ipynb'
  ) {
    return undefined;
  }
  let notebook: unknown;
  try {
    notebook = JSON.parse(content);
  } catch {
    return undefined;
  }
  const record = asRecord(notebook);
  const cells = Array.isArray(record['cells']) ? (record['cells'] as unknown[]) : [];
  const metadata = asRecord(record['metadata']);
  const language =
    asRecord(metadata['kernelspec'])['language'] ?? asRecord(metadata['language_info'])['name'];
  return {
    cells: cells.map((cell) => {
      const fields = asRecord(cell);
      const source = fields['source'];
      return {
        type: typeof fields['cell_type'] === 'string' ? fields['cell_type'] : '',
        // nbformat stores a source as a string or as a list of lines that keep their `\n`.
        source: Array.isArray(source)
          ? source.filter((line) => typeof line === 'string').join('')
          : typeof source === 'string'
            ? source
            : '',
      };
    }),
    python: typeof language !== 'string' || PYTHON_KERNELS.test(language),
  };
}

/** Returns the command line that one code cell amounts to, or '' for a cell that runs nothing here. */
function cellCommand(source: string, python: boolean): string {
  const [first = '', ...rest] = source.split('\n');
  const body = rest.join('\n');
  if (SHELL_CELL.test(first.trim())) {
    return body;
  }
  if (NON_CODE_CELL.test(first.trim())) {
    return '';
  }
  const writeFile = /^%%writefile(?:\s+-a)?\s+(\S+)\s*$/.exec(first.trim());
  if (writeFile !== null) {
    const append = /\s-a\s/.test(first);
    return `cat ${append ? '>>' : '>'} ${shellQuote(writeFile[1] ?? '')} <<'CELL_END'\n${body}\nCELL_END`;
  }
  const shellLines: string[] = [];
  const codeLines: string[] = [];
  for (const line of source.split('\n')) {
    if (SHELL_LINE.test(line)) {
      shellLines.push(line.replace(SHELL_LINE, ''));
    } else if (INSTALL_LINE.test(line)) {
      shellLines.push(line.trim().slice(1));
    } else if (/^\s*%/.test(line)) {
      // Other line magics (`%matplotlib inline`, `%load_ext`) configure the kernel.
      codeLines.push('');
    } else {
      codeLines.push(line);
    }
  }
  const code = codeLines.join('\n');
  if (python && code.trim() !== '') {
    shellLines.push(`python3 -c ${shellQuote(code)}`);
  }
  return shellLines.join('\n');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
