import type { Attributes, Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { SandstackError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { noopLogger } from '../../core/logger.js';
import type { SandboxInstance } from '../../sandbox/types.js';
import type { Decision, GuardContext, ToolCall } from '../../guard/types.js';
import type { BindingCallContext, HostBinding, JsonValue } from '../types.js';
import type { ActionLog, ActionRecord } from './action-log.js';

/**
 * Start of the name of a tool call's span. OpenTelemetry's GenAI semantic conventions
 * (execute_tool span, status Development) name it `execute_tool {gen_ai.tool.name}`.
 */
export const TOOL_SPAN_PREFIX = 'execute_tool ';

/** Extra bytes redacted past the output cap, longer than any secret the guard redacts. */
const REDACTION_MARGIN_BYTES = 4096;

/** What the binding needs from the sandbox layer. */
export interface SandboxAccess {
  /** Claims a sandbox of a template for a tenant's run. */
  claim(options: {
    template: string;
    tenant: string;
    runId: string;
  }): Promise<{ id: string; warm: boolean }>;
  /** Returns the sandbox if it belongs to `tenant`, re-attaching after a restart; else undefined. */
  open(id: string, tenant: string): Promise<SandboxInstance | undefined>;
  release(id: string): Promise<void>;
  /** Runs one Claude Code tool call in the sandbox. */
  runTool(sandbox: SandboxInstance, call: ToolCall): Promise<ToolOutcome>;
}

/** Result of running one tool call in a sandbox. */
export interface ToolOutcome {
  ok: boolean;
  output: string;
  exitCode?: number;
  error?: string;
}

/**
 * Returns the `gen_ai.tool.call.id` of a binding call: the id the caller gave (such as a
 * model's tool-use id), else one made of the instance, step and call index, which stays the
 * same when a step runs again.
 */
export function toolCallId(context: BindingCallContext, given?: string): string {
  return (
    given ?? `${context.instanceId}/${context.stepKey ?? '(outside steps)'}/${context.callIndex}`
  );
}

/** What the binding needs from the guard layer, per run. */
export interface GuardAccess {
  decide(call: ToolCall, context: GuardContext): Promise<Decision & { halted?: boolean }>;
  redact(text: string): string;
}

/** Run inputs supplied by the operator (files, folder archives), by name. */
export interface RunInputs {
  /** Returns a file input's text. */
  text(name: string): Promise<string>;
  /** Returns a tar archive of a folder input, or a file input's bytes with its file name. */
  archive(
    name: string,
  ): Promise<{ kind: 'tar'; data: Buffer } | { kind: 'file'; data: Buffer; fileName: string }>;
}

/** Options for {@link createSandboxBinding}. */
export interface SandboxBindingOptions {
  sandboxes: SandboxAccess;
  guard: GuardAccess;
  actions: ActionLog;
  inputs: RunInputs;
  logger?: Logger;
  /** Starts a span that is a child of the step's span. @default no spans */
  startSpan?: (name: string, stepKey: string | undefined, attributes: Attributes) => Span;
  /** Called after each action is recorded, for live progress. */
  onAction?: (action: ActionRecord) => void;
  /** Cap on tool output returned to tenant code. @default 65536 */
  maxOutputBytes?: number;
}

/** Outcome of a guarded call as tenant code sees it. */
interface CallOutcome {
  allowed: boolean;
  verdict: string;
  reason: string;
  category?: string;
  ok?: boolean;
  exitCode?: number;
  output?: string;
  halted?: boolean;
}

const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * Creates the `env.SANDBOX` binding for one tenant's run: claim, guarded exec and tool
 * calls, run-input upload, release. Every exec and tool call passes the guard first, is
 * recorded in the action log with its decision, and runs in the sandbox only when allowed.
 * A tenant can only reach sandboxes claimed for its own runs.
 */
export function createSandboxBinding(options: SandboxBindingOptions): HostBinding {
  const logger = options.logger ?? noopLogger;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const span = (
    name: string,
    context: BindingCallContext,
    attributes: Attributes,
  ): Span | undefined =>
    options.startSpan?.(name, context.stepKey, {
      'sandstack.tenant': context.tenant,
      ...attributes,
    });

  const openOwned = async (
    context: BindingCallContext,
    id: JsonValue | undefined,
  ): Promise<SandboxInstance> => {
    if (typeof id !== 'string') {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        'Sandbox id must be a string returned by SANDBOX.claim()',
      );
    }
    const sandbox = await options.sandboxes.open(id, context.tenant);
    if (sandbox === undefined) {
      throw new SandstackError(
        'SANDBOX_NOT_FOUND',
        `Sandbox "${id}" not found; claim one with SANDBOX.claim()`,
      );
    }
    return sandbox;
  };

  const record = (
    context: BindingCallContext,
    action: Omit<ActionRecord, 'tenant' | 'instanceId' | 'stepKey' | 'callIndex' | 'timeMs'>,
  ): void => {
    const full: ActionRecord = {
      tenant: context.tenant,
      instanceId: context.instanceId,
      stepKey: context.stepKey ?? '(outside steps)',
      callIndex: context.callIndex,
      timeMs: Date.now(),
      ...action,
    };
    options.actions.record(full);
    options.onAction?.(full);
  };

  const guardedCall = async (
    context: BindingCallContext,
    sandboxId: string,
    call: ToolCall,
    guardContext: GuardContext,
    callId?: string,
  ): Promise<CallOutcome> => {
    const sandbox = await openOwned(context, sandboxId);
    const redactedInput = JSON.parse(options.guard.redact(JSON.stringify(call.input))) as Record<
      string,
      unknown
    >;

    const guardSpan = span('guard.decide', context, { 'sandstack.tool': call.tool });
    const decision = await options.guard.decide(call, guardContext);
    guardSpan?.setAttributes(decisionAttributes(decision));
    guardSpan?.end();

    const base = {
      kind: 'tool' as const,
      tool: call.tool,
      input: redactedInput,
      sandboxId,
      ...decisionFields(decision),
    };
    if (decision.verdict !== 'allow') {
      logger.info('Tool call blocked', {
        instanceId: context.instanceId,
        tool: call.tool,
        category: decision.category,
      });
      record(context, base);
      return {
        allowed: false,
        verdict: decision.verdict,
        reason: decision.reason,
        ...(decision.category === undefined ? {} : { category: decision.category }),
        ...(decision.halted === true ? { halted: true } : {}),
      };
    }

    // The span name and gen_ai.* attributes follow OpenTelemetry's GenAI semantic conventions
    // for tool execution, so tracing backends that know them show the call as a tool call.
    // `sandstack.operation` keeps the name the span had before, `sandbox.exec`.
    const execSpan = span(`${TOOL_SPAN_PREFIX}${call.tool}`, context, {
      'sandstack.tool': call.tool,
      'sandstack.operation': 'sandbox.exec',
      'sandstack.sandbox.id': sandboxId,
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': call.tool,
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': toolCallId(context, callId),
    });
    const started = performance.now();
    let outcome: ToolOutcome;
    try {
      outcome = await options.sandboxes.runTool(sandbox, call);
    } catch (error) {
      execSpan?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      execSpan?.end();
      throw error;
    }
    const durationMs = performance.now() - started;
    if (outcome.exitCode !== undefined) {
      execSpan?.setAttribute('sandstack.exec.exit_code', outcome.exitCode);
    }
    execSpan?.end();

    // A failed command's own output explains the failure, so it is kept with the error.
    const text =
      outcome.error === undefined || outcome.output.includes(outcome.error)
        ? outcome.output
        : `${outcome.output}${outcome.output === '' || outcome.output.endsWith('\n') ? '' : '\n'}${outcome.error}`;
    const cut = Buffer.byteLength(text) > maxOutputBytes;
    record(context, {
      ...base,
      exitCode: outcome.exitCode,
      durationMs,
      ...(cut ? { outputTruncatedAt: maxOutputBytes } : {}),
    });
    // Redaction runs on a little more than what is returned, so its cost stays bounded and a
    // secret cut at the first boundary falls beyond the final one.
    const output = truncate(
      options.guard.redact(truncate(text, maxOutputBytes + REDACTION_MARGIN_BYTES)),
      maxOutputBytes,
    );
    return {
      allowed: true,
      verdict: 'allow',
      reason: decision.reason,
      ok: outcome.ok,
      output,
      ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
    };
  };

  return {
    claim: async (context, rawOptions) => {
      const template = readTemplate(rawOptions);
      // A step that runs again after a crash reuses the sandbox it claimed the first time.
      const earlier = options.actions.find(
        context.instanceId,
        context.stepKey ?? '(outside steps)',
        context.callIndex,
      );
      if (earlier?.kind === 'claim' && earlier.sandboxId !== undefined) {
        const existing = await options.sandboxes.open(earlier.sandboxId, context.tenant);
        if (existing !== undefined) {
          return { id: earlier.sandboxId };
        }
      }
      const claimSpan = span('sandbox.claim', context, { 'sandstack.template': template });
      const claimed = await options.sandboxes.claim({
        template,
        tenant: context.tenant,
        runId: context.instanceId,
      });
      claimSpan?.setAttributes({
        'sandstack.sandbox.id': claimed.id,
        'sandstack.sandbox.claim': claimed.warm ? 'warm' : 'cold',
      });
      claimSpan?.end();
      record(context, {
        kind: 'claim',
        tool: 'claim',
        input: { template },
        verdict: 'allow',
        reason: `Claimed a ${claimed.warm ? 'warm' : 'cold'} sandbox of template "${template}"`,
        sandboxId: claimed.id,
      });
      return { id: claimed.id };
    },

    upload: async (context, sandboxId, inputName, destination) => {
      const sandbox = await openOwned(context, sandboxId);
      if (typeof inputName !== 'string' || typeof destination !== 'string') {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          'SANDBOX.upload(sandboxId, inputName, destination) takes three strings',
        );
      }
      const archive = await options.inputs.archive(inputName);
      const command =
        archive.kind === 'tar'
          ? `mkdir -p ${shellQuote(destination)} && tar -x -f - -C ${shellQuote(destination)}`
          : `mkdir -p ${shellQuote(destination)} && cat > ${shellQuote(`${destination}/${archive.fileName}`)}`;
      const result = await sandbox.exec({ command, stdin: archive.data });
      if (result.exitCode !== 0) {
        const detail = result.stderr.trim();
        if (result.timedOut) {
          throw new SandstackError(
            'SANDBOX_FAILED',
            `Copying input "${inputName}" into the sandbox timed out: ${detail}`,
          );
        }
        // The input snapshot is the same on every attempt, so tar fails the same way, such as
        // on a member that would land outside the destination. INVALID_ARGUMENT is not retried.
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Copying input "${inputName}" into the sandbox failed and is not retried, because the input is the same on every attempt; check the input's files and that the sandbox can write "${destination}": ${detail}`,
        );
      }
      record(context, {
        kind: 'upload',
        tool: 'upload',
        input: { input: inputName, destination },
        verdict: 'allow',
        reason: 'Run input supplied by the operator',
        sandboxId: typeof sandboxId === 'string' ? sandboxId : undefined,
      });
      return null;
    },

    exec: async (context, sandboxId, command, rawOptions) => {
      if (typeof command !== 'string') {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          'SANDBOX.exec(sandboxId, command) takes the command as a string',
        );
      }
      const userMessages = readUserMessages(rawOptions);
      return (await guardedCall(
        context,
        String(sandboxId),
        { tool: 'Bash', input: { command } },
        {
          cwd: '/workspace',
          projectDir: '/workspace',
          userMessages,
          homeDir: '/root',
        },
      )) as unknown as JsonValue;
    },

    tool: async (context, sandboxId, rawCall, rawContext) => {
      const call = readToolCall(rawCall);
      const guardContext = readGuardContext(rawContext);
      const callId = isObject(rawCall) && typeof rawCall.id === 'string' ? rawCall.id : undefined;
      return (await guardedCall(
        context,
        String(sandboxId),
        call,
        guardContext,
        callId,
      )) as unknown as JsonValue;
    },

    release: async (context, sandboxId) => {
      await openOwned(context, sandboxId);
      await options.sandboxes.release(String(sandboxId));
      record(context, {
        kind: 'release',
        tool: 'release',
        input: {},
        verdict: 'allow',
        reason: 'Sandbox released',
        sandboxId: String(sandboxId),
      });
      return null;
    },
  };
}

function decisionFields(
  decision: Decision,
): Pick<ActionRecord, 'verdict' | 'reason' | 'category' | 'rule' | 'stage' | 'tier'> {
  return {
    verdict: decision.verdict,
    reason: decision.reason,
    category: decision.category,
    rule: decision.rule,
    stage: decision.stage,
    tier: decision.tier,
  };
}

function decisionAttributes(decision: Decision): Attributes {
  const attributes: Attributes = {
    'sandstack.guard.verdict': decision.verdict,
    'sandstack.guard.stage': decision.stage,
    'sandstack.guard.tier': decision.tier,
  };
  if (decision.category !== undefined) {
    attributes['sandstack.guard.category'] = decision.category;
  }
  if (decision.rule !== undefined) {
    attributes['sandstack.guard.rule'] = decision.rule;
  }
  return attributes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readTemplate(raw: JsonValue | undefined): string {
  if (raw === undefined || raw === null) {
    return 'default';
  }
  if (!isObject(raw) || (raw.template !== undefined && typeof raw.template !== 'string')) {
    throw new SandstackError('INVALID_ARGUMENT', 'SANDBOX.claim() takes { template?: string }');
  }
  return typeof raw.template === 'string' ? raw.template : 'default';
}

function readUserMessages(raw: JsonValue | undefined): string[] {
  if (!isObject(raw) || !Array.isArray(raw.userMessages)) {
    return [];
  }
  return raw.userMessages.filter((message): message is string => typeof message === 'string');
}

function readToolCall(raw: JsonValue | undefined): ToolCall {
  if (!isObject(raw) || typeof raw.tool !== 'string' || !isObject(raw.input)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'SANDBOX.tool() takes a call { tool: string, input: object, id?: string }',
    );
  }
  return { tool: raw.tool, input: raw.input };
}

function readGuardContext(raw: JsonValue | undefined): GuardContext {
  const context = isObject(raw) ? raw : {};
  const projectDir = typeof context.projectDir === 'string' ? context.projectDir : '/workspace';
  return {
    projectDir,
    cwd: typeof context.cwd === 'string' ? context.cwd : projectDir,
    userMessages: readUserMessages(raw),
    homeDir: '/root',
  };
}

function truncate(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) {
    return text;
  }
  return `${Buffer.from(text).subarray(0, maxBytes).toString()}\n[output truncated at ${maxBytes} bytes]`;
}

/** Quotes a string for POSIX sh. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
