/**
 * The usage and cost page: metered sandbox usage priced under each public list-price model,
 * per run for a tenant and per tenant for the admin.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { BarChart } from './charts.js';
import { formatBytes, formatDollars, formatNumber } from './format.js';
import type { CostLine, CostReport, Usage } from './types.js';
import { Empty, ErrorBanner, Loading, PageHeader, routeHref, usePoll, useSession } from './ui.js';

/** Renders the cost page. */
export function CostPage() {
  const { call, session } = useSession();
  const groupBy = session.role === 'admin' ? 'tenant' : 'run';
  const poll = usePoll(async () => {
    const report = await call<CostReport>('GET', `/v1/cost?by=${groupBy}`);
    const usage = session.role === 'tenant' ? await call<Usage>('GET', '/v1/usage') : undefined;
    return { report, usage };
  }, [groupBy]);
  const [chosenModel, setModel] = useState<string | undefined>(undefined);

  const report = poll.data?.report;
  const model = chosenModel ?? report?.models[0]?.name ?? '';
  const lines = report?.lines.filter((line) => line.key !== 'total') ?? [];
  const total = report?.lines.find((line) => line.key === 'total');
  const href = (line: CostLine): string | undefined =>
    groupBy === 'run' && !line.key.startsWith('(') ? routeHref('runs', line.key) : undefined;

  return html`<section>
    <${PageHeader} title="Usage and cost" updatedAtMs=${poll.updatedAtMs} />
    <${ErrorBanner} error=${poll.error} action="Could not load the cost report" />
    ${
      report === undefined
        ? poll.error === undefined
          ? html`<${Loading} />`
          : null
        : html`
            ${UsageCards(total, poll.data?.usage)}
            <div class="section-head">
              <h2>Cost by ${groupBy}</h2>
              <div class="segmented" role="group" aria-label="Price model">
                ${report.models.map(
                  (item) =>
                    html`<button
                      key=${item.name}
                      class=${item.name === model ? 'segment segment-on' : 'segment'}
                      title=${item.description}
                      onClick=${() => setModel(item.name)}
                    >
                      ${item.name}
                    </button>`,
                )}
              </div>
            </div>
            ${
              lines.length === 0
                ? html`<${Empty}
                    title="No metered usage yet"
                    hint="Usage is metered from each claimed sandbox; runs that claim sandboxes appear here."
                  />`
                : html`<div class="charts">
                      <${BarChart}
                        title=${`US dollars under ${model}`}
                        items=${lines.map((line) => ({ label: line.key, value: line.cost[model] ?? 0, href: href(line) }))}
                        format=${formatDollars}
                      />
                      <${BarChart}
                        title="CPU-seconds used"
                        tone="secondary"
                        items=${lines.map((line) => ({ label: line.key, value: line.cpuSeconds, href: href(line) }))}
                        format=${(value: number) => `${formatNumber(value, 3)} s`}
                      />
                    </div>
                    ${CostTable(report, groupBy)}`
            }
            <h2>Price models</h2>
            <ul class="models">
              ${report.models.map(
                (item) =>
                  html`<li key=${item.name}>
                    <strong>${item.name}</strong>: ${item.description}${' '}
                    ${
                      item.source.startsWith('https://')
                        ? html`(<a href=${item.source} rel="noreferrer noopener" target="_blank"
                              >prices</a
                            >)`
                        : html`(prices from ${item.source})`
                    }
                  </li>`,
              )}
            </ul>
          `
    }
  </section>`;
}

function UsageCards(total: CostLine | undefined, usage: Usage | undefined) {
  const runs =
    usage === undefined ? undefined : Object.values(usage.instances).reduce((a, b) => a + b, 0);
  return html`<div class="cards">
    <div class="card">
      <div class="card-label">CPU-seconds</div>
      <div class="card-value">${formatNumber(total?.cpuSeconds ?? 0, 3)}</div>
    </div>
    <div class="card">
      <div class="card-label">vCPU-seconds allocated</div>
      <div class="card-value">${formatNumber(total?.vcpuSeconds ?? 0, 1)}</div>
    </div>
    <div class="card">
      <div class="card-label">GiB-seconds allocated</div>
      <div class="card-value">${formatNumber(total?.gibSeconds ?? 0, 1)}</div>
    </div>
    <div class="card">
      <div class="card-label">Sandboxes claimed</div>
      <div class="card-value">${total?.sandboxes ?? 0}</div>
    </div>
    ${
      usage === undefined
        ? null
        : html`<div class="card">
              <div class="card-label">Runs</div>
              <div class="card-value">${runs}</div>
            </div>
            <div class="card">
              <div class="card-label">Peak memory, summed</div>
              <div class="card-value">${formatBytes(usage.memoryPeakBytes)}</div>
            </div>`
    }
  </div>`;
}

function CostTable(report: CostReport, groupBy: string) {
  return html`<table class="table" data-testid="cost">
    <thead>
      <tr>
        <th>${groupBy}</th>
        <th class="num">Sandboxes</th>
        <th class="num">CPU-s</th>
        <th class="num">vCPU-s</th>
        <th class="num">GiB-s</th>
        ${report.models.map((model) => html`<th class="num" key=${model.name}>${model.name}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${report.lines.map(
        (line) =>
          html`<tr key=${line.key} class=${line.key === 'total' ? 'total' : ''}>
            <td>${line.key}</td>
            <td class="num">${line.sandboxes}</td>
            <td class="num">${formatNumber(line.cpuSeconds, 3)}</td>
            <td class="num">${formatNumber(line.vcpuSeconds, 1)}</td>
            <td class="num">${formatNumber(line.gibSeconds, 1)}</td>
            ${report.models.map(
              (model) =>
                html`<td class="num" key=${model.name}>
                  ${formatDollars(line.cost[model.name] ?? 0)}
                </td>`,
            )}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
