import pc from 'picocolors';
import type { ActionRecord } from '../workflows/bindings/action-log.js';
import type { EngineEvent } from '../workflows/types.js';
import { createSpinner, printLine, type Spinner } from './output.js';

const MAX_INPUT_CHARS = 60;

/** Shortens a tool call's input to one line for display. */
export function describeInput(tool: string, input: Record<string, unknown>): string {
  const main =
    input.command ??
    input.file_path ??
    input.pattern ??
    input.url ??
    input.template ??
    input.input ??
    JSON.stringify(input);
  const text = String(main).replace(/\s+/g, ' ').trim();
  const shown = text.length > MAX_INPUT_CHARS ? `${text.slice(0, MAX_INPUT_CHARS - 1)}…` : text;
  return tool === 'Grep' && typeof input.path === 'string' ? `${shown} in ${input.path}` : shown;
}

/**
 * Live display of a run: one line per step, guard decision and sandbox command, with a
 * spinner for the step in progress when stderr is a terminal.
 */
export class RunProgress {
  readonly #spinner: Spinner;
  readonly #enabled: boolean;
  readonly #stepsWithActions = new Set<string>();
  readonly #stepStart = new Map<string, number>();
  readonly #replayed = new Set<string>();

  constructor(enabled: boolean) {
    this.#enabled = enabled;
    this.#spinner = createSpinner(enabled);
  }

  /** Prints a line above the spinner. */
  line(text: string): void {
    if (this.#enabled) {
      this.#spinner.interrupt(() => printLine(text));
    }
  }

  onEngineEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'step.start':
        this.#stepStart.set(event.stepKey, performance.now());
        this.#spinner.update(
          `step ${stepLabel(event.stepKey)}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`,
        );
        return;
      case 'step.replayed':
        this.#replayed.add(event.stepKey);
        this.line(
          pc.dim(
            `  ↺ ${stepLabel(event.stepKey)}  finished before the restart; result taken from the store`,
          ),
        );
        return;
      case 'step.complete':
        if (!this.#stepsWithActions.has(event.stepKey)) {
          this.line(
            `  ${pc.green('✓')} ${stepLabel(event.stepKey)} ${pc.dim(formatMs(event.durationMs))}`,
          );
        }
        return;
      case 'step.retry':
        this.line(
          `  ${pc.yellow('↻')} ${stepLabel(event.stepKey)} failed (attempt ${event.attempt}): ${event.error.message}; retrying in ${formatMs(event.delayMs)}`,
        );
        return;
      case 'step.failed':
        this.line(`  ${pc.red('✗')} ${stepLabel(event.stepKey)} failed: ${event.error.message}`);
        return;
      default:
        return;
    }
  }

  onAction(action: ActionRecord): void {
    this.#stepsWithActions.add(action.stepKey);
    const label = stepLabel(action.stepKey);
    if (action.kind === 'claim' || action.kind === 'upload' || action.kind === 'release') {
      this.line(`  ${pc.green('✓')} ${label}  ${pc.dim(action.reason)}`);
      return;
    }
    const input = describeInput(action.tool, action.input);
    if (action.verdict === 'allow') {
      const exit =
        action.exitCode === undefined
          ? ''
          : action.exitCode === 0
            ? pc.green('exit 0')
            : pc.yellow(`exit ${action.exitCode}`);
      const time = action.durationMs === undefined ? '' : pc.dim(formatMs(action.durationMs));
      this.line(
        `  ${pc.green('✓')} ${label.padEnd(10)} ${input.padEnd(MAX_INPUT_CHARS)} ${exit} ${time}`,
      );
      if (action.outputTruncatedAt !== undefined) {
        this.line(
          pc.yellow(
            `      output cut at ${action.outputTruncatedAt} bytes; the workflow received only the start of it`,
          ),
        );
      }
      return;
    }
    const verdict = action.verdict === 'ask' ? 'needs approval' : 'blocked';
    this.line(
      `  ${pc.red('✗')} ${label.padEnd(10)} ${input.padEnd(MAX_INPUT_CHARS)} ${pc.red(verdict)}`,
    );
    this.line(pc.dim(`      ${action.category ?? 'policy'}: ${action.reason}`));
  }

  /** Number of steps whose stored result was returned instead of running them again. */
  get replayedSteps(): number {
    return this.#replayed.size;
  }

  stop(): void {
    this.#spinner.stop();
  }
}

/** Turns a step key `name#1` into a label; the occurrence shows only after the first. */
function stepLabel(stepKey: string): string {
  const match = /^(.*)#(\d+)$/.exec(stepKey);
  if (match === null) {
    return stepKey;
  }
  return match[2] === '1' ? (match[1] ?? stepKey) : `${match[1]} (#${match[2]})`;
}

/** Formats a duration for display. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
