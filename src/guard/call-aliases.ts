/**
 * Spellings of inline code that reach a command-running call under another name, rewritten
 * to the call's usual name so that the readers of `inline-commands.ts` see it:
 *
 * - Python: `from os import system as s; s(X)`, `import os as o; o.system(X)`,
 *   `getattr(os, "system")(X)`, `__import__("os").system(X)`,
 *   `importlib.import_module("subprocess").run(…)`.
 * - JavaScript: `import { execSync as x } from "node:child_process"`,
 *   `const { execSync: x } = require("child_process")`.
 * - Ruby: `Kernel.system(X)`, `Kernel.exec`, `Kernel.spawn`.
 *
 * Names are rewritten wherever they are followed by `(` or `.`, string literals included,
 * which can only add calls to read.
 */

/** Modules whose functions run commands. */
const COMMAND_MODULES = /^(?:os|subprocess|pty|posix|commands|asyncio|child_process)$/;

/** Words one of which every spelling above contains; tested before any pattern. */
const ALIAS_HINTS = [' as ', 'getattr', '__import__', 'import_module', 'Kernel.', 'require'];

/** Rewrites the aliased and looked-up calls of `code` to their usual names. */
export function resolveCallAliases(code: string): string {
  if (!ALIAS_HINTS.some((hint) => code.includes(hint))) {
    return code;
  }
  let resolved = code
    // `getattr(os, "system")` and `getattr(__import__("os"), "system")`.
    .replace(
      /\bgetattr\s*\(\s*(?:__import__\s*\(\s*(['"])(\w+)\1\s*\)|(\w+))\s*,\s*(['"])(\w+)\4\s*\)/g,
      (
        _whole,
        _quote,
        imported: string | undefined,
        name: string | undefined,
        _q,
        attribute: string,
      ) => `${imported ?? name ?? ''}.${attribute}`,
    )
    // `__import__("os")` and `importlib.import_module("os")` return the module itself.
    .replace(/\b(?:__import__|(?:importlib\.)?import_module)\s*\(\s*(['"])([\w.]+)\1\s*\)/g, '$2')
    .replace(/\bKernel\s*\.\s*(system|exec|spawn)\b/g, '$1');
  const renames: [string, string][] = [];
  // Python `import os as o`.
  for (const match of resolved.matchAll(/\bimport\s+(\w+)\s+as\s+(\w+)/g)) {
    if (COMMAND_MODULES.test(match[1] ?? '')) {
      renames.push([match[2] ?? '', match[1] ?? '']);
    }
  }
  // Python `from os import system as s, popen`.
  for (const match of resolved.matchAll(/\bfrom\s+(\w+)\s+import\s+\(?([\w\s,]+)/g)) {
    if (!COMMAND_MODULES.test(match[1] ?? '')) {
      continue;
    }
    for (const item of (match[2] ?? '').split(',')) {
      const [name, alias] = item.trim().split(/\s+as\s+/);
      if (name !== undefined && /^\w+$/.test(name)) {
        renames.push([(alias ?? name).trim().split(/\s/)[0] ?? '', `${match[1] ?? ''}.${name}`]);
      }
    }
  }
  // JavaScript `import { execSync as x } from "child_process"` and
  // `const { execSync: x } = require("node:child_process")`.
  for (const match of resolved.matchAll(
    /\{([^{}]*)\}\s*(?:from\s*|=\s*require\s*\(\s*)(['"])(?:node:)?child_process\2/g,
  )) {
    for (const item of (match[1] ?? '').split(',')) {
      const [name, alias] = item.trim().split(/\s+as\s+|\s*:\s*/);
      if (name !== undefined && alias !== undefined && /^\w+$/.test(name)) {
        // `child_process.exec` names the call that bare `exec` (Ruby, Perl, PHP) does not.
        renames.push([alias.trim(), name === 'exec' ? 'child_process.exec' : name]);
      }
    }
  }
  for (const [alias, name] of renames) {
    if (/^\w+$/.test(alias) && alias !== name) {
      resolved = resolved.replace(new RegExp(`(?<![.\\w$])${alias}(?=\\s*[(.])`, 'g'), name);
    }
  }
  return resolved;
}
