/**
 * Replays a recorded agent session against a copy of a git repository in a fresh sandbox.
 * Every call goes through the guard; allowed calls run in the sandbox and blocked calls are
 * reported with their reason. Each call is one durable step, so a run that is killed and
 * started again continues after the last finished call.
 */
import { NonRetryableError, WorkflowEntrypoint } from 'sandstack/workflows';
import type { WorkflowEvent, WorkflowStep } from 'sandstack/workflows';
import { mapPaths, parseSession } from './session.js';

/** Where the repository is copied to inside the sandbox. */
const WORKSPACE = '/workspace';
/** The sandbox's home directory; the recording's home maps here. */
const HOME = '/root';

interface Params {
  /** Sandbox template to claim. @default 'default' */
  template?: string;
}

/** Outcome of one tool call, as the guard binding returns it. */
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

interface SandboxBinding {
  claim(options: { template: string }): Promise<{ id: string }>;
  upload(sandboxId: string, input: string, destination: string): Promise<void>;
  exec(
    sandboxId: string,
    command: string,
    options?: { userMessages?: string[] },
  ): Promise<CallOutcome>;
  tool(
    sandboxId: string,
    call: { tool: string; input: Record<string, unknown> },
    context: { userMessages: string[]; projectDir: string; cwd: string },
  ): Promise<CallOutcome>;
  release(sandboxId: string): Promise<void>;
}

interface Env {
  SANDBOX: SandboxBinding;
  INPUTS: { text(name: string): Promise<string> };
}

/** Replays the session given by the `session` input against the `repo` input. */
export class AgentSession extends WorkflowEntrypoint<Env, Params> {
  async run(event: WorkflowEvent<Params>, step: WorkflowStep) {
    const text = await this.env.INPUTS.text('session');
    let session;
    try {
      session = parseSession(text);
    } catch (error) {
      throw new NonRetryableError((error as Error).message);
    }
    const template = event.payload.template ?? 'default';

    const sandbox = await step.do('claim sandbox', async () =>
      this.env.SANDBOX.claim({ template }),
    );

    await step.do('copy repository', async () => {
      await this.env.SANDBOX.upload(sandbox.id, 'repo', WORKSPACE);
      // A folder that is not yet a repository gets one, so the session can use git.
      const setup = await this.env.SANDBOX.exec(
        sandbox.id,
        'test -d .git || { git init -q && git add -A && git -c user.name=sandstack -c user.email=sandstack@localhost commit -q -m "Initial state"; }; git config user.name "sandstack agent" && git config user.email agent@localhost',
      );
      if (!setup.allowed || setup.exitCode !== 0) {
        throw new NonRetryableError(
          `Could not prepare the repository: ${setup.reason} ${setup.output ?? ''}`,
        );
      }
      return null;
    });

    let allowed = 0;
    let blocked = 0;
    let halted = false;
    for (const [index, call] of session.calls.entries()) {
      const outcome = await step.do(`${index + 1} ${call.tool}`, async () =>
        this.env.SANDBOX.tool(
          sandbox.id,
          {
            tool: call.tool,
            input: mapPaths(call.input, session, { workspace: WORKSPACE, home: HOME }),
          },
          { userMessages: call.userMessages, projectDir: WORKSPACE, cwd: WORKSPACE },
        ),
      );
      if (outcome.allowed) {
        allowed += 1;
      } else {
        blocked += 1;
      }
      if (outcome.halted === true) {
        halted = true;
        break;
      }
    }

    await step.do('release sandbox', async () => {
      await this.env.SANDBOX.release(sandbox.id);
      return null;
    });

    return { calls: session.calls.length, allowed, blocked, halted };
  }
}
