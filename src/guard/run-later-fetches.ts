/**
 * Remote code in files that run later. A package.json script, Makefile recipe, task file or
 * build script whose new text fetches text from a host and evaluates it (`fetch(…).then(eval)`,
 * `exec(urlopen(…).read())`, `curl … | sh`) runs whatever that host serves on every install or
 * build, and one that fetches in a loop (`setInterval`, `while true`) keeps a channel open to
 * it. A host the user named, or a loopback one, is not counted.
 */
import { finding, type Finding } from './findings.js';
import type { RunLaterKind } from './run-later.js';
import { isLocalHost, userNamesHost } from './uploads.js';

/** A cheap test that runs before the line-by-line reading. */
const KEYWORD = /eval|exec|Function|setInterval|while|\|\s*\w*sh\b|iex|Invoke-Expression|source/i;
/** Calls and clients that fetch text over the network. */
const FETCH =
  /\b(?:fetch|curl|wget|urlopen|urllib\.request|requests\.get|httpx\.get|https?\.get|require\(\s*['"](?:node:)?https?['"]\s*\)\.get|axios(?:\.get)?|got|file_get_contents|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|Net::HTTP|URI\.open|open-uri)\b/;
/** Evaluators of fetched text: `eval`, `exec`, `new Function`, a pipe into a shell or interpreter. */
const EVALUATE =
  /\beval\b|\bexec\s*\(|\bnew\s+Function\b|\bFunction\s*\(|\|\s*(?:sudo\s+)?(?:ba|z|da|k|fi)?sh\b|\|\s*(?:python3?|node|ruby|perl|php)\b|\bsource\s+<\(|\biex\b|Invoke-Expression|runIn(?:New|This)Context|\binstance_eval\b/;
/** Constructs that repeat a fetch for as long as the process lives. */
const POLL =
  /\bsetInterval\s*\(|\bwhile\s+(?:true|:|1)\b|\bwhile\s+True\b|\bwatch\s+-n\b|\bschedule\.every\b/;
const URL_HOST = /\bhttps?:\/\/([^/\s'"\\`)]+)/gi;
/** Kinds whose whole text is program code, so a fetch and its evaluator may sit on two lines. */
const CODE_KINDS: ReadonlySet<RunLaterKind> = new Set(['python', 'node', 'ruby']);

/**
 * Finds text written into a file that runs later that fetches remote text and evaluates it,
 * or fetches it in a loop, from a host the user did not name.
 */
export function checkRunLaterFetch(
  file: string,
  kind: RunLaterKind,
  text: string,
  messages: string,
): Finding | undefined {
  if (kind === 'config' || !KEYWORD.test(text)) {
    return undefined;
  }
  const units = CODE_KINDS.has(kind) ? [text] : text.split('\n');
  for (const unit of units) {
    if (!FETCH.test(unit)) {
      continue;
    }
    const evaluates = EVALUATE.test(unit);
    if (!evaluates && !POLL.test(unit)) {
      continue;
    }
    const hosts = [...unit.matchAll(URL_HOST)].map((match) =>
      (match[1] ?? '').replace(/^[^@]*@/, '').replace(/:\d+$/, ''),
    );
    if (
      hosts.length > 0 &&
      hosts.every((host) => isLocalHost(host) || userNamesHost(messages, host))
    ) {
      continue;
    }
    const where = hosts[0] ?? 'a host built at run time';
    return finding(
      'code-from-external',
      evaluates
        ? `"${file}" runs later (on install, build, test or start-up), and its new text runs code fetched from ${where} without review`
        : `"${file}" runs later (on install, build, test or start-up), and its new text polls ${where} for as long as it runs`,
      evaluates ? 'run-later-remote-code' : 'run-later-poll',
    );
  }
  return undefined;
}
