/**
 * Shell scripts the Write tool creates. The guard keeps no record of earlier calls and reads
 * no files, so `bash r3.sh` after a Write of `r3.sh` shows nothing of what the script does.
 * The Write is therefore judged as the command line the script contains. Python, Node, Ruby,
 * Perl and PHP scripts are judged in written-code.ts, for credential reads and sends only.
 */
import path from 'node:path';
import { isShell } from './interpreters.js';
import type { ToolCall } from './types.js';

/** Extensions of shell scripts. */
const SHELL_EXTENSIONS = new Set(['.sh', '.bash', '.zsh', '.ksh']);
/** A `#!` line and the interpreter it names, directly or through `env`. */
const SHEBANG = /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(\w+)/;

/** Returns the path and text of a Write call, or undefined for other calls and empty text. */
export function writtenFile(call: ToolCall): { file: string; content: string } | undefined {
  if (call.tool !== 'Write') {
    return undefined;
  }
  const file = call.input['file_path'];
  const content = call.input['content'];
  if (typeof file !== 'string' || typeof content !== 'string' || content.trim() === '') {
    return undefined;
  }
  return { file, content };
}

/**
 * Returns the command line of a shell script that a Write call creates, or undefined when
 * the call writes no shell script (by its `#!` line, or else its extension).
 */
export function writtenScriptCommand(call: ToolCall): string | undefined {
  const written = writtenFile(call);
  if (written === undefined) {
    return undefined;
  }
  const { file, content } = written;
  const shebang = SHEBANG.exec(content)?.[1];
  const shell =
    shebang === undefined
      ? SHELL_EXTENSIONS.has(path.posix.extname(file).toLowerCase())
      : isShell(shebang);
  return shell ? content : undefined;
}
