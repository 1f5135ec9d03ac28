/**
 * Wires one run's bindings over the embedded stack: `env.SANDBOX` (guarded sandbox calls),
 * `env.INPUTS` (the run's inputs), `env.STATE` (the tenant's key-value state) and
 * `env.FETCH` (guarded HTTP requests).
 */
import type { Attributes, Span, SpanKind } from '@opentelemetry/api';
import { waitForApproval, type ApprovalQueue } from '../guard/approvals.js';
import { createBackstop } from '../guard/backstop.js';
import { createGuard } from '../guard/guard.js';
import { redactSecrets } from '../guard/redact.js';
import { runTool } from '../sandbox/tools.js';
import type { ActionRecord } from '../workflows/bindings/action-log.js';
import {
  createSandboxBinding,
  type GuardAccess,
  type RunInputs,
  type SandboxAccess,
} from '../workflows/bindings/sandbox-binding.js';
import { createFetchBinding } from '../workflows/bindings/fetch-binding.js';
import { createStateBinding } from '../workflows/bindings/state-binding.js';
import { createInputsBinding } from '../workflows/inputs.js';
import type { HostBinding } from '../workflows/types.js';
import type { Stack } from './stack.js';

/**
 * Checks the server makes before a run's `env.SANDBOX` claims a sandbox or runs a command,
 * the same quotas a direct claim over HTTP passes.
 */
export interface SandboxAdmission {
  /**
   * Reserves one of the tenant's sandbox slots for a claim of the template, or throws when
   * the tenant may not claim it. The returned function ends the reservation once the claim
   * has finished or failed.
   */
  admitClaim(tenant: string, template: string): Promise<() => void>;
  /** Throws when the tenant may not run another command, such as past its CPU-seconds quota. */
  admitExec(tenant: string): Promise<void>;
}

/** Options for {@link createRunBindings}. */
export interface RunBindingsOptions {
  stack: Stack;
  tenant: string;
  instanceId: string;
  inputs: RunInputs;
  startSpan: (
    name: string,
    stepKey: string | undefined,
    attributes: Attributes,
    kind?: SpanKind,
  ) => Span;
  onAction: (action: ActionRecord) => void;
  /**
   * Queue where `ask` decisions wait for a human, with the session id `<tenant>/<instance id>`.
   * Without one, an `ask` blocks the call at once.
   */
  approvals?: { queue: ApprovalQueue; timeoutMs: number };
  /** Quota checks of sandbox claims and commands. @default none */
  admission?: SandboxAdmission;
}

/** Creates the bindings one run's workflow code receives as `env`. */
export function createRunBindings(options: RunBindingsOptions): Record<string, HostBinding> {
  // One guard for both bindings, so the denial backstop counts sandbox calls and fetches together.
  const guard = guardAccess(options);
  const logger = options.stack.logger.child({ instanceId: options.instanceId });
  return {
    SANDBOX: createSandboxBinding({
      sandboxes: sandboxAccess(options.stack, options.admission),
      guard,
      actions: options.stack.actions,
      inputs: options.inputs,
      logger,
      startSpan: options.startSpan,
      onAction: options.onAction,
    }),
    INPUTS: createInputsBinding(options.inputs),
    STATE: createStateBinding(options.stack.state),
    FETCH: createFetchBinding({
      guard,
      actions: options.stack.actions,
      logger,
      startSpan: options.startSpan,
      onAction: options.onAction,
    }),
  };
}

function sandboxAccess(stack: Stack, admission: SandboxAdmission | undefined): SandboxAccess {
  return {
    claim: async ({ template, tenant, runId }) => {
      const endReservation = (await admission?.admitClaim(tenant, template)) ?? (() => undefined);
      try {
        const { record } = await stack.controller.claim({ template, tenant, runId });
        return { id: record.id, warm: record.warm };
      } finally {
        endReservation();
      }
    },
    open: async (id, tenant) => {
      const found = await stack.controller.get(id);
      if (found === undefined || found.record.tenant !== tenant) {
        // A run that moved to this node cannot reach a sandbox its earlier steps claimed.
        await stack.sandboxDirectory?.rejectIfElsewhere(tenant, id);
        return undefined;
      }
      await admission?.admitExec(tenant);
      return found.sandbox;
    },
    release: async (id) => {
      await stack.controller.release(id);
    },
    runTool: async (sandbox, call) => runTool(sandbox, call, { workdir: '/workspace' }),
  };
}

/** Returns the guard session id of a run, which its approval requests carry. */
export function runSessionId(tenant: string, instanceId: string): string {
  return `${tenant}/${instanceId}`;
}

/**
 * Rebuilds a run's denial backstop from its recorded tool calls, so its counts survive a
 * restart and a summary can tell whether the guard halted the run.
 */
export function replayBackstop(
  stack: Stack,
  tenant: string,
  instanceId: string,
): { backstop: ReturnType<typeof createBackstop>; sessionId: string; halted: boolean } {
  const sessionId = runSessionId(tenant, instanceId);
  const backstop = backstopFromActions(stack.actions.list(tenant, instanceId), sessionId);
  return { backstop, sessionId, halted: backstop.state(sessionId).halted };
}

/** Builds a denial backstop that has counted the tool calls of a run's action log. */
export function backstopFromActions(
  actions: readonly Pick<ActionRecord, 'kind' | 'verdict' | 'reason'>[],
  sessionId: string,
): ReturnType<typeof createBackstop> {
  const backstop = createBackstop();
  for (const action of actions) {
    if (action.kind === 'tool') {
      backstop.record(sessionId, {
        verdict: action.verdict,
        reason: action.reason,
        stage: 'policy',
        tier: 3,
      });
    }
  }
  return backstop;
}

/**
 * The guard for one run. The run is the guard's session, so the denial backstop counts
 * across the whole run; its counts are rebuilt from the action log when a killed run is
 * resumed in a new process.
 */
function guardAccess(options: RunBindingsOptions): GuardAccess {
  const { backstop, sessionId } = replayBackstop(options.stack, options.tenant, options.instanceId);
  const policy = options.stack.policy;
  const guard = createGuard({ backstop, sessionId, ...(policy === undefined ? {} : { policy }) });
  const approvals = options.approvals;
  return {
    decide: async (call, context) => {
      let decision = await guard.decide(call, context);
      if (decision.verdict === 'ask' && approvals !== undefined) {
        decision = await waitForApproval(approvals.queue, {
          call,
          decision,
          sessionId,
          timeoutMs: approvals.timeoutMs,
        });
        // The guard counted the ask as a denial; an approval ends the run of denials.
        if (decision.verdict === 'allow') {
          backstop.record(sessionId, decision);
        }
      }
      return decision.stage === 'backstop' || backstop.state(sessionId).halted
        ? { ...decision, halted: true }
        : decision;
    },
    redact: (text) => redactSecrets(text),
  };
}
