/**
 * Read-only API calls on security settings. `gh api repos/o/r/branches/main/protection` and a
 * plain `curl` GET of the same URL only show the branch protection or code-scanning setup,
 * so the rule for disabling a security control does not apply to them. A call that sends
 * fields, a body or any method other than GET or HEAD may change the setting and stays a
 * change. Secret-scanning alerts carry the leaked secret itself, so reads of them are not
 * covered here.
 */
import { optionValue } from './options.js';
import type { SimpleCommand } from './shell.js';

/** Settings whose read shows configuration only: branch protection and code-scanning setup. */
const SETTINGS_PATH = /\/protection\b|\bcode-scanning\b/;
const SECRET_SCANNING = /secret-scanning/i;

/** `gh api` options that add fields or a body, which turn the default method into POST. */
const GH_BODY_OPTIONS = ['-f', '--raw-field', '-F', '--field', '--input'];
/** `curl` options that send a body or upload, or turn the request into another method. */
const CURL_SENDING =
  /^(?:-d|--data(?:-\w+)?|--json|-F|--form(?:-string)?|-T|--upload-file|-X|--request|-K|--config)(?:=|$)|^-[a-zA-Z]*[dFTXK]/;

/**
 * Checks whether `command` only reads security settings over an API. It must be `gh api` with
 * GET (the default when no field or body is given) or `curl` with no method, body or upload
 * option, and aim at a protection or code-scanning path and at no secret-scanning path.
 */
export function readsSecuritySettings(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  const paths = args.filter((arg) => SETTINGS_PATH.test(arg));
  if (paths.length === 0 || args.some((arg) => SECRET_SCANNING.test(arg))) {
    return false;
  }
  if (command.name === 'gh') {
    return args[0] === 'api' && ghReadsOnly(args.slice(1));
  }
  if (command.name === 'curl') {
    return args.every((arg) => !CURL_SENDING.test(arg));
  }
  return false;
}

function ghReadsOnly(args: readonly string[]): boolean {
  const method = methodOf(args);
  if (method !== undefined) {
    return method === 'GET' || method === 'HEAD';
  }
  return !args.some((arg) =>
    GH_BODY_OPTIONS.some((name) => arg === name || arg.startsWith(`${name}=`)),
  );
}

/** Returns the last `-X`/`--method` value of a `gh api` call, upper-cased, as gh uses the last one. */
function methodOf(args: readonly string[]): string | undefined {
  let method: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const value = methodAt(args, index);
    if (value !== undefined) {
      method = value.toUpperCase();
    }
  }
  return method;
}

/** The method that the option at `index` sets (`-X PUT`, `-XPUT`, `--method=PUT`), if any. */
function methodAt(args: readonly string[], index: number): string | undefined {
  const arg = args[index] ?? '';
  if (arg === '-X' || arg === '--method') {
    return args[index + 1];
  }
  if (arg.startsWith('-X')) {
    return arg.slice(2).replace(/^=/, '');
  }
  return optionValue([arg], ['--method']);
}
