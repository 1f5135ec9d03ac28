/**
 * Dependency redirects to look-alike sources. `go mod edit -replace`, npm and yarn aliases,
 * `overrides` and `resolutions`, Cargo `[patch]` and git sources of Cargo and uv point a
 * dependency at other code under the same name. When the target differs from the original by
 * a typo-sized change (`gin-gonic` to `g1n-gonic`, `lodash` to `lodahs`), the redirect passes
 * for an upgrade while it pulls code from someone else. Forks under a plainly different owner
 * and local paths are judged elsewhere or left alone.
 */
import type { CheckGate } from './check-gates.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { editDistance } from './supply-chain.js';

/** Digits and letters that pass for one another in names (`g1n`, `l0dash`). */
const FOLDS: Readonly<Record<string, string>> = { '0': 'o', '1': 'l', '3': 'e', '5': 's', i: 'l' };

function fold(name: string): string {
  return [...name.toLowerCase().replace(/[-_.]/g, '')].map((char) => FOLDS[char] ?? char).join('');
}

/** Checks whether two names differ but only by a typo-sized change or look-alike characters. */
export function isLookAlikeName(original: string, target: string): boolean {
  const a = original.toLowerCase();
  const b = target.toLowerCase();
  if (a === b || a === '' || b === '') {
    return false;
  }
  if (fold(a) === fold(b)) {
    return true;
  }
  return Math.min(a.length, b.length) >= 3 && editDistance(a, b) <= (a.length > 6 ? 2 : 1);
}

/**
 * Returns the part of `target` that passes for the matching part of `original`, comparing
 * module paths part by part (`github.com/gin-gonic/gin` against `github.com/g1n-gonic/gin`).
 */
export function lookAlikePart(original: string, target: string): string | undefined {
  const strip = (value: string): string[] =>
    value
      .replace(/^[a-z+]+:\/\//i, '')
      .replace(/^git\+/, '')
      .replace(/(?:\.git)?(?:[@#].*)?$/, '')
      .split('/');
  const from = strip(original);
  const to = strip(target);
  if (from.length === to.length) {
    const pairs = from.map((part, index) => [part, to[index] ?? ''] as const);
    const changed = pairs.filter(([a, b]) => a.toLowerCase() !== b.toLowerCase());
    if (changed.length > 0 && changed.every(([a, b]) => isLookAlikeName(a, b))) {
      return changed[0]?.[1];
    }
    return undefined;
  }
  const last = to.at(-1) ?? '';
  return isLookAlikeName(from.at(-1) ?? '', last) ? last : undefined;
}

function redirectFinding(original: string, target: string, part: string): Finding {
  return finding(
    'untrusted-code-integration',
    `The command points the dependency "${original}" at "${target}", whose "${part}" only looks like the original; check the name`,
    'look-alike-redirect',
  );
}

/** Returns the `[original, target]` pairs that a command redirects. */
function commandRedirects(command: SimpleCommand): [string, string][] {
  const args = command.argv.slice(1);
  const pairs: [string, string][] = [];
  if (command.name === 'go' && args[0] === 'mod' && args[1] === 'edit') {
    for (let index = 2; index < args.length; index += 1) {
      const arg = args[index] ?? '';
      const value = arg === '-replace' ? args[index + 1] : /^-replace=(.+)$/.exec(arg)?.[1];
      const match = value === undefined ? null : /^([^=@]+)(?:@\S+)?=([^=@]+)/.exec(value);
      if (match !== null && !/^\.{0,2}\//.test(match[2] ?? '')) {
        pairs.push([match[1] ?? '', match[2] ?? '']);
      }
    }
  }
  if (/^(?:npm|pnpm|yarn|bun)$/.test(command.name)) {
    for (const arg of args) {
      // `npm pkg set overrides.lodash=npm:lodahs@4` and `npm i lodash@npm:lodahs@4`. Both
      // patterns need `npm:`, which most arguments lack, so they skip the patterns.
      if (!arg.includes('npm:')) {
        continue;
      }
      const match =
        /^(?:overrides|resolutions|pnpm\.overrides)\.(@?[^=]+)=npm:(@?[^@\s]+)/.exec(arg) ??
        /^(@?[^@\s]+)@npm:(@?[^@\s]+)/.exec(arg);
      if (match !== null) {
        pairs.push([match[1] ?? '', match[2] ?? '']);
      }
    }
  }
  if (command.name === 'cargo' && args[0] === 'add') {
    const git = args.indexOf('--git');
    const crate = args.slice(1).find((arg) => !arg.startsWith('-') && arg !== args[git + 1]);
    if (git > 0 && crate !== undefined && args[git + 1] !== undefined) {
      pairs.push([crate, args[git + 1] ?? '']);
    }
  }
  for (const arg of args) {
    // `pip install "requests @ git+https://…"` and `uv add "requests @ git+https://…"`.
    if (!arg.includes('git+')) {
      continue;
    }
    const match = /^([\w.-]+)\s*@\s*(git\+\S+)$/.exec(arg);
    if (match !== null) {
      pairs.push([match[1] ?? '', match[2] ?? '']);
    }
  }
  return pairs;
}

/** Programs whose commands {@link checkDependencyRedirects} reads; it skips every other command. */
const REDIRECTING_TOOLS = new Set([
  'go',
  'npm',
  'pnpm',
  'yarn',
  'bun',
  'cargo',
  'pip',
  'pip3',
  'uv',
  'poetry',
]);

/** Gate of {@link checkDependencyRedirects}, which judges only `REDIRECTING_TOOLS`. */
export const DEPENDENCY_REDIRECTS_GATE: CheckGate = { programs: REDIRECTING_TOOLS };

/** Finds a shell command that redirects a dependency to a look-alike source. */
export function checkDependencyRedirects(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    if (!REDIRECTING_TOOLS.has(command.name)) {
      continue;
    }
    for (const [original, target] of commandRedirects(command)) {
      const part = lookAlikePart(original, target);
      if (part !== undefined) {
        return redirectFinding(original, target, part);
      }
    }
  }
  return undefined;
}

/** npm aliases in package.json: `"lodash": "npm:lodahs@4.17.21"`. */
const NPM_ALIAS = /"(@?[^"\s]+)"\s*:\s*"npm:(@?[^@"\s]+)/g;
/** A Cargo or uv table entry with a git source: `serde = { git = "https://…" }`. */
const GIT_SOURCE = /^\s*["']?([\w.-]+)["']?\s*=\s*\{[^}\n]*\bgit\s*=\s*["']([^"']+)["']/gm;

/**
 * Returns the look-alike redirect that text added to a manifest (package.json, Cargo.toml,
 * pyproject.toml) introduces, as `original → target`, or undefined.
 */
export function manifestRedirect(file: string, added: string): string | undefined {
  const base = file.split('/').pop() ?? '';
  const pattern =
    base === 'package.json'
      ? NPM_ALIAS
      : base === 'Cargo.toml' || base === 'pyproject.toml'
        ? GIT_SOURCE
        : undefined;
  if (pattern === undefined || !/npm:|git\s*=/.test(added)) {
    return undefined;
  }
  for (const match of added.matchAll(pattern)) {
    const [, original = '', target = ''] = match;
    if (lookAlikePart(original, target) !== undefined) {
      return `${original} → ${target}`;
    }
  }
  return undefined;
}
