/**
 * Types of the guard layer: a proposed tool call, the context the guard may see, and the
 * decision it returns.
 */
import type { FileReader } from './file-reader.js';

/** One proposed tool call in Claude Code's shapes (`Bash` with `command`, `Read` with `file_path`, …). */
export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
}

/**
 * What the guard may see besides the call itself. Assistant text and tool outputs are
 * never part of it, so a hijacked agent cannot argue its case.
 */
export interface GuardContext {
  /** Working directory of the call; relative paths resolve against it. */
  cwd: string;
  /** Root of the project the agent works on. */
  projectDir: string;
  /** The user's messages in this session, oldest first. */
  userMessages: readonly string[];
  /** Home directory that `~` and `$HOME` expand to. @default '/root' */
  homeDir?: string;
  /**
   * True when the guard runs on the host that holds the files (the hook, `guard check`), so
   * it resolves the paths of a call through existing symbolic links. @default false
   */
  resolveSymlinks?: boolean;
  /**
   * Reads a file that the call runs or feeds to a program: a shell or interpreter script, a
   * SQL file, a curl or wget config, an sftp or lftp batch file. Set it when the guard runs on
   * the host that holds the files (the hook and `guard check` use `createFileReader`); the
   * content is then judged with the checks for its kind. Undefined means the file does not
   * exist or is unknown, and the call is judged by its own text. An `UnreadFile` means it
   * exists but was not read (too large, binary, a link out of the project). A shell or
   * interpreter that runs such a file then asks. @default none
   */
  readFile?: FileReader;
  /**
   * Absolute paths of the files the guard runs from or with: its policy file, state and
   * approval databases, and its installed package. Writing one is denied, and deleting a
   * folder that holds one asks. The guard adds its policy files, its installed package and
   * the project's `.sandstack` folder to this list on every call. @default none
   */
  guardFiles?: readonly string[];
}

/** `ask` means a human must approve before the call runs. */
export type Verdict = 'allow' | 'deny' | 'ask';

/** Which part of the pipeline made the decision. */
export type GuardStage = 'policy' | 'tier' | 'stage1' | 'stage2' | 'backstop';

/** 1: read-only; 2: edits inside the project; 3: everything else. */
export type Tier = 1 | 2 | 3;

/** A guard decision: a value, never an exception. */
export interface Decision {
  verdict: Verdict;
  /** One sentence a person or the agent can act on. */
  reason: string;
  stage: GuardStage;
  tier: Tier;
  /** Danger category when the call was not allowed, such as `data-exfiltration`. */
  category?: string;
  /** The policy rule or stage-1 check that matched, such as `deny Bash(git push --force *)`. */
  rule?: string;
}

/** The library entry point. */
export interface Guard {
  decide(call: ToolCall, context: GuardContext): Promise<Decision>;
}
