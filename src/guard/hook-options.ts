/**
 * Turns the hook's command-line options into {@link HookSettings} and the daemon socket.
 * Both `sandstack guard hook` and the standalone hook entry point use it, so this module
 * loads no guard code.
 */
import path from 'node:path';
import { SandstackError } from '../core/errors.js';
import type { HookSettings } from './hook.js';

/** Command-line options of the hook, as given. */
export interface HookCommandOptions {
  /** SQLite state file. @default guard.db in the state dir */
  state?: string;
  /** State dir, relative to `$CLAUDE_PROJECT_DIR` when that is set. @default '.sandstack' */
  stateDir?: string;
  policy?: string;
  projectDir?: string;
  home?: string;
  stage2Provider?: string;
  stage2Url?: string;
  stage2Model?: string;
  /** SQLite file of the approval queue; without it, `ask` goes to Claude Code's prompt. */
  approvals?: string;
  /** Seconds to wait for a human before denying, as text. @default '45' */
  approvalTimeout?: string;
  /** The hook's timeout in Claude Code's settings, in seconds, as text. @default '60' */
  hookTimeout?: string;
  /** Daemon socket. @default guard.sock in the state dir */
  socket?: string;
  /** False to decide in process even when a daemon listens. @default true */
  daemon?: boolean;
}

/** Settings of one hook call and where to find the daemon. */
export interface ResolvedHookOptions {
  settings: HookSettings;
  /** Undefined when the daemon is switched off. */
  socketPath: string | undefined;
  /** The hook's timeout in Claude Code's settings, in milliseconds. */
  hookTimeoutMs: number;
}

/**
 * Resolves `options` against the environment that Claude Code gives hooks
 * (`CLAUDE_PROJECT_DIR`, `HOME`).
 *
 * @throws SandstackError `INVALID_ARGUMENT` when the stage-2 options are incomplete or name an
 * unknown provider, or the approval timeout is not a positive number.
 */
export function resolveHookOptions(
  options: HookCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedHookOptions {
  const stateDir = resolveStateDir(options.stateDir, env);
  const settings: HookSettings = {
    statePath: path.resolve(options.state ?? path.join(stateDir, 'guard.db')),
  };
  const projectDir = options.projectDir ?? nonEmpty(env['CLAUDE_PROJECT_DIR']);
  if (projectDir !== undefined) {
    settings.projectDir = path.resolve(projectDir);
  }
  // The daemon runs with its own environment, so the hook sends its own home directory.
  const homeDir = options.home ?? nonEmpty(env['HOME']);
  if (homeDir !== undefined) {
    settings.homeDir = homeDir;
  }
  if (options.policy !== undefined) {
    settings.policyPath = path.resolve(options.policy);
  }
  const stage2 = resolveStage2(options);
  if (stage2 !== undefined) {
    settings.stage2 = stage2;
  }
  if (options.approvals !== undefined) {
    settings.approvals = {
      path: path.resolve(options.approvals),
      timeoutMs: parseApprovalTimeout(options.approvalTimeout ?? '45'),
    };
  }
  const socketPath =
    options.daemon === false
      ? undefined
      : path.resolve(options.socket ?? path.join(stateDir, 'guard.sock'));
  const hookTimeoutMs = parseSeconds(
    '--hook-timeout',
    options.hookTimeout ?? '60',
    'the hook\'s "timeout" in settings.json',
  );
  return { settings, socketPath, hookTimeoutMs };
}

/** Resolves the state dir: relative dirs sit in `$CLAUDE_PROJECT_DIR` when it is set. */
export function resolveStateDir(
  stateDir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const dir = stateDir ?? '.sandstack';
  const projectDir = nonEmpty(env['CLAUDE_PROJECT_DIR']);
  if (projectDir !== undefined && !path.isAbsolute(dir)) {
    return path.resolve(projectDir, dir);
  }
  return path.resolve(dir);
}

function parseApprovalTimeout(text: string): number {
  return parseSeconds('--approval-timeout', text, "below the hook's timeout in settings.json");
}

function parseSeconds(option: string, text: string, hint: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid ${option} ${JSON.stringify(text)}; give a positive number of seconds, ${hint}`,
    );
  }
  return Math.round(seconds * 1000);
}

function resolveStage2(options: HookCommandOptions): HookSettings['stage2'] {
  const { stage2Provider: provider, stage2Url: baseUrl, stage2Model: model } = options;
  if (provider === undefined && baseUrl === undefined && model === undefined) {
    return undefined;
  }
  if (provider !== 'openai' && provider !== 'anthropic') {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid --stage2-provider ${JSON.stringify(provider ?? '')}; pass openai or anthropic`,
    );
  }
  if (baseUrl === undefined || model === undefined) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'Stage 2 needs --stage2-provider, --stage2-url and --stage2-model together',
    );
  }
  return { provider, baseUrl, model };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
