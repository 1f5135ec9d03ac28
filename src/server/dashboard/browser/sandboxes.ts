/**
 * The sandboxes page: the warm pools the caller can claim from, and the claimed sandboxes
 * with their usage: the tenant's own, or every tenant's for the admin, with a tenant column
 * and filter.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { formatAgo, formatBytes, formatDuration, formatNumber } from './format.js';
import { TenantFilter, tenantQuery } from './tenant-filter.js';
import type { Pool, Sandbox } from './types.js';
import {
  Badge,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  routeHref,
  usePoll,
  useSession,
} from './ui.js';

/** Renders the sandboxes page. */
export function SandboxesPage() {
  const { call, session } = useSession();
  const admin = session.role === 'admin';
  const [showReleased, setShowReleased] = useState(false);
  const [tenant, setTenant] = useState<string | undefined>(undefined);
  const poll = usePoll(async () => {
    const pools = await call<{ pools: Pool[] }>('GET', '/v1/pools');
    const path = `/v1/sandboxes?all=${String(showReleased)}${tenantQuery(tenant, '&')}`;
    const { sandboxes } = await call<{ sandboxes: Sandbox[] }>('GET', path);
    return { pools: pools.pools, sandboxes };
  }, [showReleased, tenant]);

  return html`<section>
    <${PageHeader} title="Pools and sandboxes" updatedAtMs=${poll.updatedAtMs} />
    <${ErrorBanner} error=${poll.error} action="Could not load the sandboxes" />
    ${poll.data === undefined && poll.error === undefined ? html`<${Loading} />` : null}
    <h2>Warm pools</h2>
    ${PoolsTable(poll.data?.pools)}
    <div class="section-head">
      <h2>Sandboxes</h2>
      ${admin ? html`<${TenantFilter} value=${tenant} onChange=${setTenant} />` : null}
      <label class="toggle">
        <input
          type="checkbox"
          checked=${showReleased}
          onChange=${(event: Event) =>
            setShowReleased((event.currentTarget as HTMLInputElement).checked)}
        />
        Show released
      </label>
    </div>
    ${SandboxesTable(poll.data?.sandboxes, admin)}
  </section>`;
}

function PoolsTable(pools: Pool[] | undefined) {
  if (pools === undefined) {
    return null;
  }
  if (pools.length === 0) {
    return html`<${Empty}
      title="No warm pools"
      hint="Claims start a cold sandbox. Create a pool with sandstack pool create or sandstack apply -f."
    />`;
  }
  return html`<table class="table" data-testid="pools">
    <thead>
      <tr>
        <th>Pool</th>
        <th>Template</th>
        <th>Ready</th>
        <th>Update strategy</th>
      </tr>
    </thead>
    <tbody>
      ${pools.map(
        (pool) =>
          html`<tr key=${pool.name}>
            <td>${pool.name}</td>
            <td>${pool.template}</td>
            <td>
              <span class=${pool.ready >= pool.replicas ? 'ready-full' : 'ready-short'}
                >${pool.ready} / ${pool.replicas}</span
              >
            </td>
            <td>${pool.updateStrategy}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function SandboxesTable(sandboxes: Sandbox[] | undefined, admin: boolean) {
  if (sandboxes === undefined) {
    return null;
  }
  if (sandboxes.length === 0) {
    return html`<${Empty}
      title="No claimed sandboxes"
      hint="Claim one with POST /v1/sandboxes, or start a run that calls env.SANDBOX.claim()."
    />`;
  }
  return html`<table class="table" data-testid="sandboxes">
    <thead>
      <tr>
        <th>Sandbox</th>
        ${admin ? html`<th>Tenant</th>` : null}
        <th>State</th>
        <th>Template</th>
        <th>Runtime</th>
        <th>Run</th>
        <th>Claimed</th>
        <th class="num">Claim latency</th>
        <th class="num">CPU-s</th>
        <th class="num">Peak memory</th>
      </tr>
    </thead>
    <tbody>
      ${sandboxes.map(
        (sandbox) =>
          html`<tr key=${sandbox.id}>
            <td><code>${sandbox.id}</code></td>
            ${admin ? html`<td data-testid="sandbox-tenant">${sandbox.tenant ?? '–'}</td>` : null}
            <td>
              <${Badge} value=${sandbox.state} />
              ${sandbox.warm ? html` <span class="tag">warm</span>` : null}
            </td>
            <td>${sandbox.template}</td>
            <td>${sandbox.runtime}</td>
            <td>
              ${
                sandbox.runId === null
                  ? '–'
                  : admin
                    ? sandbox.runId
                    : html`<a href=${routeHref('runs', sandbox.runId)}>${sandbox.runId}</a>`
              }
            </td>
            <td>${sandbox.claimedAt === null ? '–' : formatAgo(sandbox.claimedAt)}</td>
            <td class="num">${formatDuration(sandbox.claimLatencyMs)}</td>
            <td class="num">
              ${sandbox.usage === null ? '–' : formatNumber(sandbox.usage.cpuSeconds, 3)}
            </td>
            <td class="num">
              ${sandbox.usage === null ? '–' : formatBytes(sandbox.usage.memoryPeakBytes)}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
