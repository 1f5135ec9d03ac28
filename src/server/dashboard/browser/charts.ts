/**
 * A horizontal bar chart drawn as SVG: one row per item, bars scaled to the largest value.
 */
import { html } from 'htm/preact';
import { Empty } from './ui.js';

/** One bar of a {@link BarChart}. */
export interface BarItem {
  label: string;
  value: number;
  /** Link of the label, such as a run page. */
  href?: string;
}

/** Renders a horizontal bar chart with the formatted value beside each bar. */
export function BarChart(props: {
  title: string;
  items: readonly BarItem[];
  format: (value: number) => string;
  tone?: string;
}) {
  if (props.items.length === 0) {
    return html`<${Empty} title="Nothing to chart yet" />`;
  }
  const max = Math.max(...props.items.map((item) => item.value), Number.MIN_VALUE);
  return html`<figure class="chart" data-chart=${props.title}>
    <figcaption>${props.title}</figcaption>
    ${props.items.map(
      (item) =>
        html`<div class="chart-row" key=${item.label}>
          <div class="chart-label" title=${item.label}>
            ${item.href === undefined ? item.label : html`<a href=${item.href}>${item.label}</a>`}
          </div>
          <svg
            class="chart-track"
            viewBox="0 0 1000 10"
            preserveAspectRatio="none"
            aria-hidden="true"
          >
            <rect
              class=${`chart-bar chart-bar-${props.tone ?? 'primary'}`}
              x="0"
              y="0"
              height="10"
              width=${Math.max(item.value > 0 ? 4 : 0, (item.value / max) * 1000)}
              rx="2"
            />
          </svg>
          <div class="chart-value">${props.format(item.value)}</div>
        </div>`,
    )}
  </figure>`;
}
