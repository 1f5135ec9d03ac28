import type { StoredSpan } from './span-store.js';

/** Attributes worth showing beside a span's name in a tree, in display order. */
const SHOWN_ATTRIBUTES = [
  'sandstack.step.key',
  'sandstack.tool',
  'sandstack.guard.verdict',
  'sandstack.guard.category',
  'sandstack.sandbox.claim',
  'sandstack.exec.exit_code',
  'sandstack.run.status',
];

/**
 * Renders a trace as an indented tree, one span per line with its duration and key
 * attributes. Spans whose parent is missing from the store are shown at the top level.
 */
export function renderTraceTree(spans: readonly StoredSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, StoredSpan[]>();
  for (const span of spans) {
    const parent =
      span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }

  const lines: string[] = [];
  const visit = (parent: string | undefined, depth: number): void => {
    for (const span of children.get(parent) ?? []) {
      lines.push(`${'  '.repeat(depth)}${describeSpan(span)}`);
      visit(span.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return lines;
}

function describeSpan(span: StoredSpan): string {
  const durationMs = Math.max(0, span.endMs - span.startMs);
  const details = SHOWN_ATTRIBUTES.filter((key) => span.attributes[key] !== undefined).map(
    (key) => `${key.replace('sandstack.', '')}=${String(span.attributes[key])}`,
  );
  const failed = span.statusCode === 2 ? ' [error]' : '';
  return `${span.name} ${formatDuration(durationMs)}${failed}${details.length > 0 ? `  ${details.join(' ')}` : ''}`;
}

function formatDuration(ms: number): string {
  if (ms >= 1000) {
    return `${(ms / 1000).toFixed(2)} s`;
  }
  return `${ms.toFixed(1)} ms`;
}
