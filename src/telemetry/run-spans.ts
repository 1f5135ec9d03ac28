import {
  SpanStatusCode,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';
import type { EngineEvent } from '../workflows/types.js';
import type { RunTraceContext, Tracing } from './tracing.js';

/**
 * Turns one run's engine events into spans: a `workflow.step` span per executed step,
 * children of the run's root span. Steps replayed from history get no new span, because
 * the process that ran them already exported theirs.
 */
export class RunSpans {
  readonly #tracing: Tracing;
  readonly #run: RunTraceContext;
  readonly #attributes: Attributes;
  readonly #openSteps = new Map<string, { span: Span; context: Context }>();

  constructor(tracing: Tracing, run: RunTraceContext, attributes: Attributes) {
    this.#tracing = tracing;
    this.#run = run;
    this.#attributes = attributes;
  }

  /** Trace id of the run. */
  get traceId(): string {
    return this.#run.traceId;
  }

  /** Context to parent spans made inside a step (guard decisions, sandbox calls) on. */
  parentFor(stepKey: string | undefined): Context {
    const open = stepKey === undefined ? undefined : this.#openSteps.get(stepKey);
    return open?.context ?? this.#tracing.runParent(this.#run);
  }

  /** Starts a child span of the step (or of the run when outside a step). */
  startSpan(
    name: string,
    stepKey: string | undefined,
    attributes: Attributes = {},
    kind?: SpanKind,
  ): Span {
    return this.#tracing.startSpan(
      name,
      this.parentFor(stepKey),
      { ...this.#attributes, ...attributes },
      kind,
    );
  }

  /** Consumes one engine event. */
  onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'step.start':
        this.#startStep(event.stepKey, event.attempt);
        return;
      case 'step.complete':
        this.#endStep(event.stepKey, undefined);
        return;
      case 'step.retry':
        this.#endStep(event.stepKey, event.error.message);
        return;
      case 'step.failed':
        this.#endStep(event.stepKey, event.error.message);
        return;
      default:
        return;
    }
  }

  /** Ends open step spans and the run's root span. */
  finish(status: string, failed: boolean): void {
    for (const key of [...this.#openSteps.keys()]) {
      this.#endStep(key, `Run ended with status ${status} while the step was open`);
    }
    this.#tracing.endRun(
      this.#run,
      'workflow.run',
      { ...this.#attributes, 'sandstack.run.status': status },
      failed,
    );
  }

  #startStep(stepKey: string, attempt: number): void {
    const parent = this.#tracing.runParent(this.#run);
    const span = this.#tracing.startSpan('workflow.step', parent, {
      ...this.#attributes,
      'sandstack.step.key': stepKey,
      'sandstack.step.attempt': attempt,
    });
    const context = this.#tracing.stepContext(span, parent);
    this.#openSteps.set(stepKey, { span, context });
  }

  #endStep(stepKey: string, errorMessage: string | undefined): void {
    const open = this.#openSteps.get(stepKey);
    if (open === undefined) {
      return;
    }
    this.#openSteps.delete(stepKey);
    if (errorMessage !== undefined) {
      open.span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage });
    }
    open.span.end();
  }
}
