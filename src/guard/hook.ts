/**
 * The Claude Code `PreToolUse` command hook: reads the hook JSON, decides the tool call and
 * builds the reply Claude Code expects. Every decision goes out as `hookSpecificOutput` on
 * stdout with exit code 0. When the input is malformed or the guard itself fails, the hook
 * exits with code 2 and a message on stderr, which blocks the call, so it never fails open.
 */
import path from 'node:path';
import { z } from 'zod';
import type { SqliteDatabase } from '../core/store.js';
import { ApprovalQueue, waitForApproval } from './approvals.js';
import { guardFilesOf } from './guard-files.js';
import type { Backstop } from './backstop.js';
import { createGuard, DEFAULT_POLICY_INPUT } from './guard.js';
import { createFileReader } from './file-reader.js';
import { createPendingAsks, createSqliteBackstop, deferAsk, openGuardState } from './hook-state.js';
import { readUserMessages } from './hook-transcript.js';
import { createPolicy, loadPolicyFile, type Policy } from './policy.js';
import { createStage2, type Stage2Options } from './stage2.js';
import type { Decision } from './types.js';

/** Exit code with which Claude Code blocks the tool call and shows stderr to the agent. */
export const HOOK_BLOCKING_EXIT_CODE = 2;

/**
 * Hook settings as plain data, so that a hook process can hand them to the guard daemon.
 * Paths are absolute or relative to the hook process's working directory.
 */
export interface HookSettings {
  /** SQLite file that keeps each session's denial counts between calls. */
  statePath: string;
  /** Policy file added to the default rules (YAML, JSON or a Claude Code settings.json). */
  policyPath?: string;
  /** Project root. @default the hook input's `cwd` */
  projectDir?: string;
  /** Home directory that `~` expands to. @default $HOME of the deciding process, else '/root' */
  homeDir?: string;
  /** Stage-2 classifier; its API key comes from `SANDSTACK_STAGE2_API_KEY` of the deciding process. */
  stage2?: Pick<Stage2Options, 'provider' | 'baseUrl' | 'model' | 'timeoutMs'>;
  /** Approval queue for `ask`: the hook waits for a human and denies when `timeoutMs` passes. */
  approvals?: { path: string; timeoutMs: number };
}

/** Output and exit code of one hook process. */
export interface HookResult {
  exitCode: 0 | typeof HOOK_BLOCKING_EXIT_CODE;
  stdout: string;
  stderr: string;
  /** The guard's decision, when the input could be decided. */
  decision?: Decision;
}

/** The fields of Claude Code's `PreToolUse` hook input that the guard reads. */
export type HookInput = z.infer<typeof HOOK_INPUT_SCHEMA>;

const HOOK_INPUT_SCHEMA = z.object({
  session_id: z.string().min(1),
  transcript_path: z.string().optional(),
  cwd: z.string().min(1),
  hook_event_name: z.enum(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()),
  tool_use_id: z.string().optional(),
  permission_mode: z.string().optional(),
});

/**
 * Parses the hook JSON that Claude Code writes to stdin.
 *
 * @throws HookInputError when the text is not JSON or lacks a required field.
 */
export function parseHookInput(text: string): HookInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const start = JSON.stringify(text.slice(0, 60));
    throw new HookInputError(
      `Invalid hook input: stdin is not JSON (starts with ${start}); run this command as a Claude Code PreToolUse hook, which writes the hook JSON to stdin`,
    );
  }
  const parsed = HOOK_INPUT_SCHEMA.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new HookInputError(
      `Invalid hook input: ${problems}; expected the PreToolUse or PostToolUse JSON with session_id, cwd, hook_event_name "PreToolUse", "PostToolUse" or "PostToolUseFailure", tool_name and tool_input`,
    );
  }
  return parsed.data;
}

/** Hook input that cannot be decided; the hook blocks the call with this message. */
export class HookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookInputError';
  }
}

/**
 * Decides one hook call: parses `stdin`, runs the guard with the session's stored backstop
 * and returns what the hook process must print and its exit code. It never throws, because
 * every failure must block the call.
 *
 * @example
 * const result = await runHook(stdinText, { statePath: '.sandstack/guard.db' });
 * process.stdout.write(result.stdout);
 * process.exitCode = result.exitCode;
 */
export async function runHook(stdin: string, settings: HookSettings): Promise<HookResult> {
  let input: HookInput;
  try {
    input = parseHookInput(stdin);
  } catch (error) {
    return blocked(error instanceof Error ? error.message : String(error));
  }
  try {
    if (input.hook_event_name !== 'PreToolUse') {
      recordRanCall(input, settings.statePath);
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    const backstop = hookBackstop(settings.statePath);
    let decision = await decideInput(input, settings, backstop);
    if (decision.verdict === 'ask' && settings.approvals === undefined) {
      rememberAsk(input, settings.statePath);
    }
    if (decision.verdict === 'ask' && settings.approvals !== undefined) {
      decision = await waitForApproval(openQueue(settings.approvals.path), {
        call: { tool: input.tool_name, input: input.tool_input },
        decision,
        sessionId: input.session_id,
        timeoutMs: settings.approvals.timeoutMs,
      });
      backstop.record(input.session_id, decision);
    }
    return reply(decision, backstop.state(input.session_id).halted);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return blocked(`The guard failed, so the call is blocked: ${message}`);
  }
}

async function decideInput(
  input: HookInput,
  settings: HookSettings,
  backstop: Backstop,
): Promise<Decision> {
  const projectDir = path.resolve(settings.projectDir ?? input.cwd);
  const guard = createGuard({
    policy: resolvePolicy(settings.policyPath),
    backstop,
    sessionId: input.session_id,
    ...(settings.stage2 === undefined
      ? {}
      : {
          stage2: createStage2({
            ...settings.stage2,
            apiKey: process.env['SANDSTACK_STAGE2_API_KEY'],
          }),
        }),
  });
  return guard.decide(
    { tool: input.tool_name, input: input.tool_input },
    {
      projectDir,
      cwd: path.resolve(projectDir, input.cwd),
      homeDir: settings.homeDir ?? process.env['HOME'] ?? '/root',
      userMessages: readUserMessages(input.transcript_path),
      resolveSymlinks: true,
      readFile: createFileReader([projectDir]),
      guardFiles: guardFilesOf([settings.policyPath, settings.statePath, settings.approvals?.path]),
    },
  );
}

/**
 * Builds the reply for `decision`. A halted session also gets `continue: false`, which stops
 * the agent until a human has looked at it.
 */
function reply(decision: Decision, halted: boolean): HookResult {
  const output: Record<string, unknown> = {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: decision.verdict,
      permissionDecisionReason: describe(decision),
    },
  };
  if (halted) {
    output['continue'] = false;
    output['stopReason'] = decision.stage === 'backstop' ? decision.reason : describe(decision);
  }
  return { exitCode: 0, stdout: `${JSON.stringify(output)}\n`, stderr: '', decision };
}

function describe(decision: Decision): string {
  const details = [decision.category, decision.rule].filter((part) => part !== undefined);
  const suffix = details.length === 0 ? '' : ` [${details.join('; ')}]`;
  return `sandstack guard: ${decision.reason}${suffix}`;
}

function blocked(message: string): HookResult {
  return { exitCode: HOOK_BLOCKING_EXIT_CODE, stdout: '', stderr: `sandstack guard: ${message}\n` };
}

/**
 * Returns the default rules plus those of `file`, so a user policy cannot drop the built-in
 * denials.
 *
 * @throws SandstackError `POLICY_INVALID` or `FILE_NOT_FOUND` when the file cannot be used.
 */
export function resolvePolicy(file: string | undefined): Policy {
  const defaults = createPolicy(DEFAULT_POLICY_INPUT);
  if (file === undefined) {
    return defaults;
  }
  const loaded = loadPolicyFile(file);
  return { rules: [...defaults.rules, ...loaded.rules], files: loaded.files ?? [] };
}

// A daemon serves many calls, so it keeps each state file and queue open.
const openStates = new Map<string, SqliteDatabase>();
const openQueues = new Map<string, ApprovalQueue>();

function openQueue(queuePath: string): ApprovalQueue {
  const resolved = path.resolve(queuePath);
  let queue = openQueues.get(resolved);
  if (queue === undefined) {
    queue = ApprovalQueue.open(resolved);
    openQueues.set(resolved, queue);
  }
  return queue;
}

function openState(statePath: string): SqliteDatabase {
  const resolved = path.resolve(statePath);
  let db = openStates.get(resolved);
  if (db === undefined) {
    db = openGuardState(resolved);
    openStates.set(resolved, db);
  }
  return db;
}

/** Returns the session's stored backstop, which counts an `ask` only once a human decided it. */
function hookBackstop(statePath: string): Backstop {
  return deferAsk(createSqliteBackstop(openState(statePath)));
}

/** Stores an `ask` sent to Claude Code's own prompt until a post-call event shows it ran. */
function rememberAsk(input: HookInput, statePath: string): void {
  if (input.tool_use_id !== undefined) {
    createPendingAsks(openState(statePath)).add(input.session_id, input.tool_use_id);
  }
}

/**
 * Records an approval for a call the guard had sent to Claude Code's prompt: Claude Code
 * sends `PostToolUse` or `PostToolUseFailure` only for calls that ran, so the user approved
 * it, and the run of denials starts again.
 *
 * NOTE: a call the user declines sends no hook event, so it stays pending and is not counted
 * as a denial.
 */
function recordRanCall(input: HookInput, statePath: string): void {
  if (input.tool_use_id === undefined) {
    return;
  }
  if (!createPendingAsks(openState(statePath)).take(input.session_id, input.tool_use_id)) {
    return;
  }
  hookBackstop(statePath).record(input.session_id, {
    verdict: 'allow',
    stage: 'backstop',
    tier: 3,
    reason: "A human approved the call in Claude Code's permission prompt",
  });
}
