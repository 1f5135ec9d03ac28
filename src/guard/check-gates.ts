/**
 * Gates of the stage-1 checks. A check that can only find something on a line that runs one
 * of a few programs declares those programs as its gate, and `runChecks` skips it on a line
 * that runs none of them. What the line runs is indexed once per parsed line, so a check for
 * `mount` or `ssh` costs a set lookup on the many lines without them.
 *
 * A gate that is too narrow lets a danger through, so a gate must follow from the check's own
 * code: the check returns nothing unless the line has one of the gate's programs. The audit
 * in test/integration/guard-check-gates.test.ts runs every gated check on the lines its gate
 * skips, over every labelled set and the benchmark's commands, and fails if one of them finds
 * something.
 */
import type { Finding } from './findings.js';
import type { ParsedShell } from './shell.js';

/** Index of the programs one parsed command line runs, built once per line by {@link indexLine}. */
export interface LineIndex {
  /**
   * Program names of every simple command, after wrappers: `SimpleCommand.name`, `argv[0]` as
   * written, and the first word of an `argv[0]` that contains spaces, so a check that tests
   * `argv[0]` or matches `^git ` on the joined words is covered too.
   */
  programs: ReadonlySet<string>;
  /** Wrappers removed in front of any command (`sudo`, `timeout`, find's `-exec`). */
  wrappers: ReadonlySet<string>;
  /** Interpreters of the line's inline code (`python3` of `python3 -c …`). */
  interpreters: ReadonlySet<string>;
  /** True when some command reads a heredoc or here-string (`SimpleCommand.stdin`). */
  stdin: boolean;
}

/**
 * Condition a line must meet for a check to find anything. The check runs when the line has any
 * one of the listed things, so an empty gate skips the check on every line.
 */
export interface CheckGate {
  /** Program names, compared with the names in {@link LineIndex.programs}. */
  programs?: ReadonlySet<string>;
  /** Wrapper names, compared with the entries of `SimpleCommand.wrappers`. */
  wrappers?: ReadonlySet<string>;
  /** True when the check reads inline code, so any inline code opens the gate. */
  inlineCode?: boolean;
  /** True when a heredoc or here-string opens the gate. */
  stdin?: boolean;
}

/** A stage-1 check that reads `Input` and, when it has a gate, runs only on lines that open it. */
export interface GatedCheck<Input> {
  /** Name in audit reports, such as `checkMounts`. */
  name: string;
  /** Condition for running the check. A check without a gate runs on every line. */
  gate?: CheckGate;
  run: (input: Input) => Finding | undefined;
}

/** Builds the index of what `parsed` runs. */
export function indexLine(parsed: ParsedShell): LineIndex {
  const programs = new Set<string>();
  const wrappers = new Set<string>();
  let stdin = false;
  for (const command of parsed.commands) {
    stdin ||= command.stdin !== undefined;
    const program = command.argv[0] ?? '';
    programs.add(command.name);
    programs.add(program);
    if (/\s/.test(program)) {
      programs.add(program.trimStart().split(/\s/, 1)[0] ?? '');
    }
    for (const wrapper of command.wrappers) {
      wrappers.add(wrapper);
    }
  }
  const interpreters = new Set(parsed.inlineCode.map((inline) => inline.interpreter));
  return { programs, wrappers, interpreters, stdin };
}

/** Checks whether the line indexed by `index` has anything that `gate` lists. */
export function gateOpens(gate: CheckGate, index: LineIndex): boolean {
  if (gate.inlineCode === true && index.interpreters.size > 0) {
    return true;
  }
  if (gate.stdin === true && index.stdin) {
    return true;
  }
  return sharesName(index.programs, gate.programs) || sharesName(index.wrappers, gate.wrappers);
}

/** Checks whether some name of `present`, the line's usually small set, is in `gateNames`. */
function sharesName(
  present: ReadonlySet<string>,
  gateNames: ReadonlySet<string> | undefined,
): boolean {
  if (gateNames === undefined) {
    return false;
  }
  for (const name of present) {
    if (gateNames.has(name)) {
      return true;
    }
  }
  return false;
}

/** Receives each gated check that its gate skipped, with what the check returns when run. */
export type GateAudit = (name: string, finding: Finding | undefined) => void;

let audit: GateAudit | undefined;

/**
 * Sets the function that receives every skipped check's own result, or clears it with
 * `undefined`. While it is set, `runChecks` also runs each check its gate skips and reports
 * the result, which doubles the work, so only tests set it. Verdicts do not change.
 * @internal
 */
export function setGateAudit(receiver: GateAudit | undefined): void {
  audit = receiver;
}

/** Returns the audit receiver that {@link setGateAudit} set, if any. */
export function gateAudit(): GateAudit | undefined {
  return audit;
}
