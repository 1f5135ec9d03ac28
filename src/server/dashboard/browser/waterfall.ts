/**
 * A run's trace as a waterfall: one row per span, indented under its parent, with an SVG
 * bar placed on the run's time axis.
 */
import { html } from 'htm/preact';
import { formatDuration } from './format.js';
import type { Span } from './types.js';
import { Empty } from './ui.js';

/** A span with its depth in the tree, in the order the waterfall draws it. */
export interface WaterfallRow {
  span: Span;
  depth: number;
}

/** Orders spans depth first, children by start time; spans whose parent is missing are roots. */
export function waterfallRows(spans: readonly Span[]): WaterfallRow[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | null, Span[]>();
  for (const span of spans) {
    const parent =
      span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: WaterfallRow[] = [];
  const visit = (parent: string | null, depth: number): void => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.startMs - b.startMs);
    for (const span of list) {
      rows.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

/** The label of a span: its name and the attribute that sets it apart from its siblings. */
function spanLabel(span: Span): { name: string; detail: string | undefined } {
  const attributes = span.attributes;
  const detail =
    attributes['sandstack.step.key'] ??
    attributes['sandstack.tool'] ??
    attributes['sandstack.template'] ??
    attributes['sandstack.workflow'];
  return { name: span.name, detail: detail === undefined ? undefined : String(detail) };
}

function spanKind(span: Span): string {
  if (span.statusCode === 2) {
    return 'error';
  }
  if (span.name === 'guard.decide') {
    const verdict = span.attributes['sandstack.guard.verdict'];
    return verdict === 'allow' || verdict === undefined ? 'guard' : 'guard-block';
  }
  // Tool call spans are named after their tool (`execute_tool Bash`), so their colour comes
  // from the operation they stand for (`sandbox.exec`, `fetch.request`).
  const operation = span.attributes['sandstack.operation'];
  return String(operation ?? span.name).replace(/[^a-z]+/g, '-');
}

const MAX_DEPTH_CLASS = 6;

/** Renders the trace waterfall of one run. */
export function Waterfall(props: { spans: readonly Span[] }) {
  if (props.spans.length === 0) {
    return html`<${Empty}
      title="No spans yet"
      hint="Spans are stored as each step, guard decision and sandbox command ends."
    />`;
  }
  const rows = waterfallRows(props.spans);
  const startMs = Math.min(...props.spans.map((span) => span.startMs));
  const endMs = Math.max(...props.spans.map((span) => span.endMs));
  const totalMs = Math.max(1, endMs - startMs);
  const ticks = [0, 0.25, 0.5, 0.75, 1];

  return html`<div class="waterfall" data-testid="waterfall">
    <div class="wf-row wf-axis">
      <div class="wf-label">Span</div>
      <div class="wf-track wf-ticks">
        ${ticks.map(
          (tick) =>
            html`<span class=${`wf-tick wf-tick-${tick * 100}`}
              >${formatDuration(tick * totalMs)}</span
            >`,
        )}
      </div>
      <div class="wf-duration">Duration</div>
    </div>
    ${rows.map(({ span, depth }) => {
      const label = spanLabel(span);
      const x = ((span.startMs - startMs) / totalMs) * 1000;
      const width = Math.max(2, ((span.endMs - span.startMs) / totalMs) * 1000);
      const verdict = span.attributes['sandstack.guard.verdict'];
      return html`<div class="wf-row" key=${span.spanId} data-span=${span.name}>
        <div
          class=${`wf-label wf-depth-${Math.min(depth, MAX_DEPTH_CLASS)}`}
          title=${span.statusMessage ?? ''}
        >
          <span class="wf-name">${label.name}</span>
          ${label.detail === undefined ? null : html`<span class="wf-detail">${label.detail}</span>`}
          ${verdict === undefined ? null : html`<span class="wf-detail">${String(verdict)}</span>`}
        </div>
        <svg class="wf-track" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
          ${ticks.map(
            (tick) =>
              html`<line
                class="wf-grid"
                vector-effect="non-scaling-stroke"
                x1=${tick * 1000}
                x2=${tick * 1000}
                y1="0"
                y2="10"
              />`,
          )}
          <rect
            class=${`wf-bar wf-bar-${spanKind(span)}`}
            x=${Math.min(x, 998)}
            y="1"
            width=${width}
            height="8"
            rx="1"
          />
        </svg>
        <div class="wf-duration">${formatDuration(span.endMs - span.startMs)}</div>
      </div>`;
    })}
  </div>`;
}
